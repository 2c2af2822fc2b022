//! `multipart/form-data` bodies (RFC 7578) as curl 7.88 writes them:
//! curl's boundary shape (24 dashes and 16 random hex digits), parts with
//! `Content-Disposition`, an optional `Content-Type` and extra header
//! lines, several files in one field as a nested `multipart/mixed` part,
//! and file contents streamed from disk when the body is sent (a 2 GiB
//! file is never in memory). The length is known before the first byte,
//! so the body goes with `Content-Length`.
//!
//! ```
//! use brisk_client::multipart::{Form, Part};
//! let mut form = Form::new();
//! form.push(Part::text("name", "value"));
//! form.push(Part::bytes("upload", b"data".to_vec()).filename("a.txt").content_type("text/plain"));
//! let content_type = form.content_type();
//! let body = form.into_body()?;
//! # let _ = (content_type, body);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::collections::hash_map::RandomState;
use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read};
use std::path::PathBuf;

use crate::exchange::RequestBody;

/// Dashes in front of curl's random boundary digits.
const BOUNDARY_DASHES: usize = 24;

/// How names and file names are escaped inside the quoted parameters of
/// `Content-Disposition`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Escape {
    /// curl's default: `"` as `%22`, CR as `%0D`, LF as `%0A`.
    #[default]
    Percent,
    /// curl's `--form-escape`: a backslash before `"` and `\`.
    Backslash,
}

/// Where a part's content comes from.
#[derive(Debug)]
pub enum Content {
    /// Bytes in memory.
    Bytes(Vec<u8>),
    /// A file, opened and read when the body is built and sent.
    File(PathBuf),
    /// Several parts in one field: a nested `multipart/mixed` form.
    Mixed(Form),
}

/// One part of a form.
#[derive(Debug)]
pub struct Part {
    name: Option<String>,
    filename: Option<String>,
    content_type: Option<String>,
    headers: Vec<String>,
    content: Content,
}

impl Part {
    /// A field with a text value.
    pub fn text(name: &str, value: &str) -> Part {
        Part::bytes(name, value.as_bytes().to_vec())
    }
    /// A field with bytes as its value.
    pub fn bytes(name: &str, value: Vec<u8>) -> Part {
        Part::new(Some(name), Content::Bytes(value))
    }
    /// A field whose value is the file at `path`, read when sent. No file
    /// name is sent unless [`Part::filename`] gives one.
    pub fn file(name: &str, path: impl Into<PathBuf>) -> Part {
        Part::new(Some(name), Content::File(path.into()))
    }
    /// A part with any content; a part inside a `multipart/mixed` form has
    /// no name (it is an attachment).
    pub fn new(name: Option<&str>, content: Content) -> Part {
        Part {
            name: name.map(str::to_string),
            filename: None,
            content_type: None,
            headers: Vec::new(),
            content,
        }
    }
    /// Sets (or, with `None`, drops) the field name.
    pub fn named(mut self, name: Option<&str>) -> Part {
        self.name = name.map(str::to_string);
        self
    }
    /// The `filename` parameter.
    pub fn filename(mut self, f: &str) -> Part {
        self.filename = Some(f.to_string());
        self
    }
    /// The part's `Content-Type`.
    pub fn content_type(mut self, t: &str) -> Part {
        self.content_type = Some(t.to_string());
        self
    }
    /// An extra header line ("Name: value"), after the part's own.
    pub fn header(mut self, line: &str) -> Part {
        self.headers.push(line.to_string());
        self
    }
}

/// A form: its parts and its boundary.
#[derive(Debug)]
pub struct Form {
    boundary: String,
    parts: Vec<Part>,
    escape: Escape,
    subtype: &'static str,
}

impl Default for Form {
    fn default() -> Form {
        Form::new()
    }
}

impl Form {
    /// An empty `multipart/form-data` form with a random boundary.
    pub fn new() -> Form {
        Form::with_boundary(random_boundary())
    }
    /// An empty form with a given boundary (tests, reproducible bodies).
    pub fn with_boundary(boundary: String) -> Form {
        Form {
            boundary,
            parts: Vec::new(),
            escape: Escape::default(),
            subtype: "form-data",
        }
    }
    /// A `multipart/mixed` form, for several files in one field.
    pub fn mixed() -> Form {
        Form {
            subtype: "mixed",
            ..Form::new()
        }
    }
    /// How names and file names are escaped (curl's `--form-escape`).
    pub fn escape(mut self, e: Escape) -> Form {
        self.escape = e;
        self
    }
    /// Adds a part.
    pub fn push(&mut self, part: Part) {
        self.parts.push(part);
    }
    /// The boundary.
    pub fn boundary(&self) -> &str {
        &self.boundary
    }
    /// The request's `Content-Type` value.
    pub fn content_type(&self) -> String {
        format!("multipart/{}; boundary={}", self.subtype, self.boundary)
    }

    /// The body: files are opened and measured now (an unreadable file is
    /// the error), and read as the body is sent.
    pub fn into_body(self) -> io::Result<RequestBody> {
        let mut segments = Vec::new();
        self.append_segments(&mut segments)?;
        let len = segments.iter().map(Segment::len).sum();
        Ok(RequestBody::Reader {
            reader: Box::new(Segments {
                list: segments.into_iter(),
                current: None,
            }),
            len: Some(len),
        })
    }

    /// This form's bytes as segments: heads and small contents in memory,
    /// files as open files.
    fn append_segments(self, out: &mut Vec<Segment>) -> io::Result<()> {
        let disposition = if self.subtype == "mixed" {
            "attachment"
        } else {
            "form-data"
        };
        for part in self.parts {
            let (head, content) = part_head(&self.boundary, disposition, self.escape, part)?;
            out.push(Segment::Bytes(head));
            match content {
                Content::Bytes(b) => out.push(Segment::Bytes(b)),
                Content::File(p) => {
                    let f = File::open(&p)?;
                    let len = f.metadata()?.len();
                    out.push(Segment::File(f.take(len), len));
                }
                Content::Mixed(inner) => inner.append_segments(out)?,
            }
            out.push(Segment::Bytes(b"\r\n".to_vec()));
        }
        out.push(Segment::Bytes(
            format!("--{}--\r\n", self.boundary).into_bytes(),
        ));
        Ok(())
    }
}

/// A part's delimiter and header lines, and its content.
fn part_head(
    boundary: &str,
    disposition: &str,
    escape: Escape,
    part: Part,
) -> io::Result<(Vec<u8>, Content)> {
    let mut head = format!("--{boundary}\r\nContent-Disposition: {disposition}");
    if let Some(n) = &part.name {
        head.push_str(&format!("; name=\"{}\"", escaped(n, escape)));
    }
    if let Some(f) = &part.filename {
        head.push_str(&format!("; filename=\"{}\"", escaped(f, escape)));
    }
    head.push_str("\r\n");
    let content_type = match &part.content {
        Content::Mixed(inner) => Some(inner.content_type()),
        _ => part.content_type.clone(),
    };
    if let Some(t) = content_type {
        head.push_str(&format!("Content-Type: {t}\r\n"));
    }
    for h in &part.headers {
        if h.contains(['\r', '\n']) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a part header holds a line break",
            ));
        }
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    Ok((head.into_bytes(), part.content))
}

/// A name inside a quoted `Content-Disposition` parameter.
fn escaped(s: &str, escape: Escape) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match (escape, c) {
            (Escape::Percent, '"') => out.push_str("%22"),
            (Escape::Percent, '\r') => out.push_str("%0D"),
            (Escape::Percent, '\n') => out.push_str("%0A"),
            (Escape::Backslash, '"' | '\\') => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// curl's boundary shape: 24 dashes and 16 hex digits from the process's
/// random hash keys (a boundary needs to be unlikely in the content, not
/// secret).
fn random_boundary() -> String {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
    );
    format!("{}{:016x}", "-".repeat(BOUNDARY_DASHES), h.finish())
}

/// A piece of the body.
enum Segment {
    Bytes(Vec<u8>),
    /// A file, limited to the length measured when the body was built (a
    /// file that grows meanwhile cannot overrun Content-Length).
    File(io::Take<File>, u64),
}

impl Segment {
    fn len(&self) -> u64 {
        match self {
            Segment::Bytes(b) => b.len() as u64,
            Segment::File(_, n) => *n,
        }
    }
}

/// The body's reader: the segments one after the other.
struct Segments {
    list: std::vec::IntoIter<Segment>,
    current: Option<(Segment, usize)>,
}

impl Read for Segments {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some((seg, pos)) = &mut self.current else {
                match self.list.next() {
                    Some(s) => self.current = Some((s, 0)),
                    None => return Ok(0),
                }
                continue;
            };
            let n = match seg {
                Segment::Bytes(b) => {
                    let n = (b.len() - *pos).min(buf.len());
                    buf[..n].copy_from_slice(&b[*pos..*pos + n]);
                    *pos += n;
                    n
                }
                Segment::File(f, _) => {
                    let n = f.read(buf)?;
                    if n == 0 && f.limit() > 0 {
                        // The file shrank after it was measured: the
                        // announced length cannot be kept.
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!("a form file ended {} bytes early", f.limit()),
                        ));
                    }
                    n
                }
            };
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            self.current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(form: Form) -> (Vec<u8>, u64) {
        let Ok(RequestBody::Reader {
            mut reader,
            len: Some(len),
        }) = form.into_body()
        else {
            panic!("a form is a sized reader");
        };
        let mut out = Vec::new();
        reader.read_to_end(&mut out).expect("read the body");
        (out, len)
    }

    #[test]
    fn parts_are_delimited_as_curl_delimits_them() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "hello\n").expect("write");
        let mut form = Form::with_boundary("BB".into());
        form.push(Part::text("n\"m", "v"));
        form.push(
            Part::file("f", &file)
                .filename("a\n.txt")
                .content_type("text/plain")
                .header("X-A: 1"),
        );
        let mut mixed = Form::mixed();
        let inner = mixed.boundary().to_string();
        mixed.push(Part::new(None, Content::Bytes(b"x".to_vec())).filename("x"));
        form.push(Part::new(Some("m"), Content::Mixed(mixed)));
        let (body, len) = body_of(form);
        let want = format!(
            "--BB\r\nContent-Disposition: form-data; name=\"n%22m\"\r\n\r\nv\r\n\
             --BB\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a%0A.txt\"\r\n\
             Content-Type: text/plain\r\nX-A: 1\r\n\r\nhello\n\r\n\
             --BB\r\nContent-Disposition: form-data; name=\"m\"\r\n\
             Content-Type: multipart/mixed; boundary={inner}\r\n\r\n\
             --{inner}\r\nContent-Disposition: attachment; filename=\"x\"\r\n\r\nx\r\n--{inner}--\r\n\
             \r\n--BB--\r\n"
        );
        assert_eq!(String::from_utf8_lossy(&body), want);
        assert_eq!(len, body.len() as u64);
    }

    #[test]
    fn boundaries_have_curls_shape_and_differ() {
        let (a, b) = (random_boundary(), random_boundary());
        assert_eq!(a.len(), 40);
        assert!(a.starts_with(&"-".repeat(24)));
        assert!(a[24..].bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn backslash_escaping_is_curls_form_escape() {
        assert_eq!(escaped("a\"b\\c", Escape::Backslash), "a\\\"b\\\\c");
        assert_eq!(escaped("a\"b\r\n", Escape::Percent), "a%22b%0D%0A");
    }
}
