//! What happens to an output file around a transfer, as curl does it:
//! `--no-clobber` (an existing file is kept, the body goes to `NAME.1`
//! ... `NAME.100`), `-R` (the file's time from `Last-Modified`),
//! `--remove-on-error` (a failed transfer's file is removed) and
//! `--max-filesize` (a larger announced body is exit 63).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::exit::{self, Failure};
use crate::output::Sink;

/// How many numbered names `--no-clobber` tries after the name itself.
const NO_CLOBBER_TRIES: u32 = 100;

/// How an output file is opened.
#[derive(Clone, Copy, Default)]
pub struct OpenMode {
    /// `-C`: appended to.
    pub append: bool,
    /// `--no-clobber`: never over an existing file.
    pub no_clobber: bool,
    /// `-N`: every write goes out at once.
    pub unbuffered: bool,
    /// `-J`: a name from the server never replaces an existing file.
    pub exclusive: bool,
}

/// Opens `path` for the body; returns the file and the name it got.
pub fn open(path: &Path, mode: OpenMode) -> io::Result<(File, PathBuf)> {
    if mode.exclusive && !mode.no_clobber {
        let f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("Refusing to overwrite {}: {e}", path.display()),
                )
            })?;
        return Ok((f, path.to_path_buf()));
    }
    if !mode.no_clobber || mode.append {
        let f = OpenOptions::new()
            .write(true)
            .create(true)
            .append(mode.append)
            .truncate(!mode.append)
            .open(path)?;
        return Ok((f, path.to_path_buf()));
    }
    let mut last = None;
    for n in 0..=NO_CLOBBER_TRIES {
        let candidate = if n == 0 {
            path.to_path_buf()
        } else {
            PathBuf::from(format!("{}.{n}", path.display()))
        };
        // create_new: the check and the creation are one step.
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(f) => return Ok((f, candidate)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AlreadyExists)))
}

/// `-J`: with an `-O` output, the file named by the response's
/// `Content-Disposition: ...; filename=NAME` instead, without any
/// directory part (never a path outside the output directory); `None`
/// keeps the URL's name.
pub fn header_named(on: bool, sink: &Sink, resp: &brisk_client::Response) -> Option<Sink> {
    let Sink::Remote(path) = sink else {
        return None;
    };
    if !on {
        return None;
    }
    let name = disposition_filename(resp.header("content-disposition")?)?;
    Some(Sink::Remote(path.with_file_name(name)))
}

/// The `filename=` parameter as curl 7.88 reads it: quoted or up to ';',
/// the last path part only (`/` or `\\` separated); `filename*=` is not read.
fn disposition_filename(value: &str) -> Option<String> {
    let mut rest = value;
    loop {
        let at = rest.find("filename=")?;
        let before = rest[..at].chars().last();
        rest = &rest[at + "filename=".len()..];
        // "filename=" must start a parameter (not end "xfilename=").
        if before.is_some_and(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let raw = match rest.strip_prefix('"') {
            Some(q) => q.split('"').next().unwrap_or(""), // ok: split yields one item
            None => rest.split([';', ' ', '\t']).next().unwrap_or(""), // ok: split yields one item
        };
        let base = raw.rsplit(['/', '\\']).next().unwrap_or("").trim(); // ok: rsplit yields one item
        return (!base.is_empty() && base != "." && base != "..").then(|| base.to_string());
    }
}

/// `-R`: the file's modification time from a `Last-Modified` value (an
/// unreadable date leaves the file as it is, as in curl).
pub fn set_remote_time(path: &Path, last_modified: &str) {
    let Some(secs) = brisk_client::cookie::parse_cookie_date(last_modified) else {
        return;
    };
    let Ok(secs) = u64::try_from(secs) else {
        return;
    };
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
    if let Ok(f) = OpenOptions::new().write(true).open(path) {
        if let Err(e) = f.set_modified(when) {
            log::debug!(target: "fetch", "-R on {}: {e}", path.display());
        }
    }
}

/// `--max-filesize`: curl's exit 63 when the announced length is larger.
pub fn check_size(content_length: Option<u64>, max: Option<u64>) -> Result<(), Failure> {
    match (content_length, max) {
        (Some(len), Some(max)) if len > max => Err(Failure::new(
            exit::FILESIZE_EXCEEDED,
            "Maximum file size exceeded",
        )),
        _ => Ok(()),
    }
}

/// A size as curl's options take it: bytes, or with a `k`, `M` or `G`
/// suffix (powers of 1024).
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (digits, unit) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&s[..i], c.to_ascii_lowercase()),
        _ => (s, 'b'),
    };
    let n: u64 = digits.parse().ok()?;
    let shift = match unit {
        'b' => 0,
        'k' => 10,
        'm' => 20,
        'g' => 30,
        _ => return None,
    };
    n.checked_mul(1u64 << shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_numbered_names() {
        assert_eq!(parse_size("10"), Some(10));
        assert_eq!(parse_size("1k"), Some(1024));
        assert_eq!(parse_size("2M"), Some(2 << 20));
        assert_eq!(parse_size("x"), None);
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("a");
        std::fs::write(&p, "old").expect("write");
        let mode = OpenMode {
            no_clobber: true,
            ..OpenMode::default()
        };
        let (_, first) = open(&p, mode).expect("open");
        let (_, second) = open(&p, mode).expect("open");
        assert_eq!(first, dir.path().join("a.1"));
        assert_eq!(second, dir.path().join("a.2"));
        assert_eq!(std::fs::read(&p).ok().as_deref(), Some(&b"old"[..]));
        let names = [
            ("attachment; filename=\"../../evil.txt\"", Some("evil.txt")),
            ("inline; filename=plain.bin; size=3", Some("plain.bin")),
            ("attachment; filename=\"a\\\\b.txt\"", Some("b.txt")),
            ("attachment; filename=\"..\"", None),
            ("attachment", None),
        ];
        for (v, want) in names {
            assert_eq!(disposition_filename(v).as_deref(), want, "{v}");
        }
    }
}
