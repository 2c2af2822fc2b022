//! Directory archives (`static --archives`): `?download=tar`, `tar_gz` or
//! `zip` on a directory streams it as one archive, built as the socket
//! takes it: no temporary file, memory bounded whatever the file sizes.
//!
//! - [`walk`]: what goes in, depth first: exactly what the listing shows
//!   at each level, every path opened through the safe resolver, symlink
//!   loops and unreadable entries left out (and logged).
//! - [`tar`], [`zip`]: the two formats as byte writers, pure (the caller
//!   does the I/O): ustar with PAX records; zip stored with data
//!   descriptors and ZIP64.
//! - [`stream`]: the walk and a writer as the response body the server
//!   pulls; `tar_gz` through flate2's gzip; an error mid-stream is an
//!   error piece, on which the server cuts the connection.
//!
//! Why our own writers rather than the `tar` and `zip` crates: the server
//! pulls a body piece by piece on its loop thread, while both crates push
//! into an `io::Write`, a whole file per call (`tar::Builder::append`
//! copies a file to the end in one call: unbounded work and memory per
//! pull, or a thread and a pipe per download); `tar` writes GNU long-name
//! entries, not PAX; `zip` needs `Seek` except in its streaming mode, and
//! brings many features we would not use. The two formats need a few
//! hundred lines here, each field tested.
//!
//! Every entry sits under one top folder named after the directory (the
//! served directory's own name for the root); every directory, the top
//! one included, has an entry.

use brisk_core::StatusCode;
use brisk_server::{Body, Response};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

pub mod stream;
pub mod tar;
pub mod walk;
pub mod zip;

pub use stream::ArchiveStream;
pub use walk::{Tree, Walker};

/// An entry as the writers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The path in the archive, `/`-separated, ending with `/` for a
    /// directory.
    pub path: String,
    pub is_dir: bool,
    /// Data bytes (0 for a directory): the file's size when it was opened.
    pub size: u64,
    /// Permission bits.
    pub mode: u32,
    /// Modification time, Unix seconds (UTC).
    pub mtime: i64,
}

/// The archive formats, by their query names (miniserve's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Tar,
    TarGz,
    Zip,
}

impl Format {
    /// The value of `download=` in a raw query: `None` without one,
    /// `Some(Err(()))` for an unknown format.
    pub fn from_query(query: Option<&str>) -> Option<Result<Format, ()>> {
        let value = query?
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == "download")?
            .1;
        Some(match value {
            "tar" => Ok(Format::Tar),
            "tar_gz" => Ok(Format::TarGz),
            "zip" => Ok(Format::Zip),
            _ => Err(()),
        })
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Tar => "tar",
            Format::TarGz => "tar.gz",
            Format::Zip => "zip",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Tar => "application/x-tar",
            Format::TarGz => "application/gzip",
            Format::Zip => "application/zip",
        }
    }
}

/// The 200 response whose body is `stream`, named `top.EXT`.
pub fn response<T: Tree>(stream: ArchiveStream<T>, format: Format, top: &str) -> Response {
    let file_name = format!("{top}.{}", format.extension());
    Response::new(StatusCode::OK)
        .header("Content-Type", format.content_type())
        .header("Content-Disposition", content_disposition(&file_name))
        // A new archive each time: no validators to revalidate with.
        .header("Cache-Control", "no-store")
        .with_body(Body::Stream(Box::new(stream)))
}

/// RFC 6266's `attachment; filename="..."`: the quoted name in printable
/// ASCII (any other byte, `"` and `\` become `_`), and when that changed
/// anything, the exact name in UTF-8 as `filename*` (RFC 8187), which
/// browsers prefer.
pub fn content_disposition(name: &str) -> String {
    let plain: String = name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    if plain == name {
        return format!("attachment; filename=\"{plain}\"");
    }
    // RFC 8187 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" /
    // "-" / "." / "^" / "_" / "`" / "|" / "~"; everything else encoded.
    const NOT_ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let exact = utf8_percent_encode(name, NOT_ATTR_CHAR);
    format!("attachment; filename=\"{plain}\"; filename*=UTF-8''{exact}")
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn formats_from_queries() {
        let table = [
            (None, None),
            (Some(""), None),
            (Some("sort=name"), None),
            (Some("download=tar"), Some(Ok(Format::Tar))),
            (Some("sort=size&download=tar_gz"), Some(Ok(Format::TarGz))),
            (Some("download=zip&order=desc"), Some(Ok(Format::Zip))),
            (Some("download=rar"), Some(Err(()))),
            (Some("download="), Some(Err(()))),
            (Some("download=ZIP"), Some(Err(()))),
            (Some("xdownload=zip"), None),
        ];
        for (query, expect) in table {
            assert_eq!(Format::from_query(query), expect, "{query:?}");
        }
    }

    #[test]
    fn dispositions() {
        let table = [
            ("site.tar", "attachment; filename=\"site.tar\""),
            ("my files.zip", "attachment; filename=\"my files.zip\""),
            (
                "été.tar.gz",
                "attachment; filename=\"_t_.tar.gz\"; filename*=UTF-8''%C3%A9t%C3%A9.tar.gz",
            ),
            (
                "a\"b\\c\r\n.zip",
                "attachment; filename=\"a_b_c__.zip\"; filename*=UTF-8''a%22b%5Cc%0D%0A.zip",
            ),
        ];
        for (name, expect) in table {
            assert_eq!(content_disposition(name), expect, "{name:?}");
        }
    }
}
