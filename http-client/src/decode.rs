//! Content decoding (`Content-Encoding`: gzip, br, zstd, deflate), as a
//! `Read` adapter over any body reader.
//!
//! ```
//! use std::io::Read;
//! use brisk_client::decode::{decoder, ACCEPT_ENCODING};
//!
//! assert_eq!(ACCEPT_ENCODING, "deflate, gzip, br, zstd");
//! // "identity" (or no Content-Encoding) passes the bytes through.
//! let mut body = decoder(Some("identity"), &b"plain"[..])?;
//! let mut out = String::new();
//! body.read_to_string(&mut out)?;
//! assert_eq!(out, "plain");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Contract
//!
//! - Stacked codings (`Content-Encoding: gzip, br`: gzip applied first)
//!   are undone last to first, up to [`MAX_STACKED`]; more is refused, as
//!   is any coding not in [`ACCEPT_ENCODING`] ([`UnsupportedCoding`]).
//! - Corrupt or truncated encoded data is a read error of kind
//!   `InvalidData` that carries a [`DecodeError`] ([`is_decode_error`]
//!   tells it apart): never silent garbage. An error of the underlying
//!   reader (a reset, a timeout) comes out as it was.
//! - `deflate` is the zlib format (RFC 9110 8.4.1.2), as curl reads it.

use brisk_core::accept_encoding::Coding;
use std::error::Error as StdError;
use std::fmt;
use std::io::{self, Read};

/// What a client that decodes with this module sends (curl's
/// `--compressed` value).
pub const ACCEPT_ENCODING: &str = "deflate, gzip, br, zstd";

/// The most codings stacked in one `Content-Encoding` that are undone.
pub const MAX_STACKED: usize = 4;

/// Brotli's read buffer.
const BROTLI_BUFFER_BYTES: usize = 16 * 1024;

/// A `Content-Encoding` this module cannot undo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnsupportedCoding {
    /// A coding we do not implement (`compress`, ...).
    Unknown(String),
    /// More than [`MAX_STACKED`] codings.
    TooMany(usize),
}

impl fmt::Display for UnsupportedCoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsupportedCoding::Unknown(c) => write!(f, "unsupported content encoding {c:?}"),
            UnsupportedCoding::TooMany(n) => {
                write!(f, "{n} stacked content encodings (at most {MAX_STACKED})")
            }
        }
    }
}

impl StdError for UnsupportedCoding {}

/// Encoded data that does not decode: carried inside the `io::Error`.
#[derive(Debug)]
pub struct DecodeError {
    pub coding: Coding,
    pub source: io::Error,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad {} data: {}", self.coding.token(), self.source)
    }
}

impl StdError for DecodeError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.source)
    }
}

/// Whether `e` is a decoding failure (curl's exit 61), not an I/O one.
pub fn is_decode_error(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<DecodeError>())
}

/// The codings of a `Content-Encoding` value in the order applied,
/// `identity` left out.
pub fn codings(content_encoding: &str) -> Result<Vec<Coding>, UnsupportedCoding> {
    let mut out = Vec::new();
    for token in content_encoding.split(',').map(str::trim) {
        if token.is_empty() || token.eq_ignore_ascii_case("identity") {
            continue;
        }
        match Coding::from_token(token) {
            Some(c) => out.push(c),
            None => return Err(UnsupportedCoding::Unknown(token.to_string())),
        }
    }
    if out.len() > MAX_STACKED {
        return Err(UnsupportedCoding::TooMany(out.len()));
    }
    Ok(out)
}

/// `body` with the `content_encoding` undone (`None`: as it is). An
/// empty body stays empty whatever its coding (a HEAD, a 304).
pub fn decoder<'a, R: Read + Send + 'a>(
    content_encoding: Option<&str>,
    body: R,
) -> Result<Box<dyn Read + Send + 'a>, UnsupportedCoding> {
    let stack = match content_encoding {
        Some(value) => codings(value)?,
        None => Vec::new(),
    };
    if stack.is_empty() {
        return Ok(Box::new(body));
    }
    Ok(Box::new(Lazy::Pending(body, stack)))
}

/// The decoders, set up at the first byte of the body.
enum Lazy<'a, R> {
    Pending(R, Vec<Coding>),
    Ready(Box<dyn Read + Send + 'a>),
    Taken,
}

impl<'a, R: Read + Send + 'a> Read for Lazy<'a, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Lazy::Ready(r) = self {
            return r.read(buf);
        }
        let Lazy::Pending(mut body, stack) = std::mem::replace(self, Lazy::Taken) else {
            return Ok(0);
        };
        let mut first = vec![0; FIRST_READ_BYTES];
        let n = loop {
            match body.read(&mut first) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    *self = Lazy::Pending(body, stack);
                    return Err(e);
                }
                Ok(n) => break n,
            }
        };
        if n == 0 {
            return Ok(0); // an empty body: nothing to decode
        }
        first.truncate(n);
        *self = Lazy::Ready(stacked(io::Cursor::new(first).chain(body), &stack));
        self.read(buf)
    }
}

/// The first read that tells an empty body from a coded one.
const FIRST_READ_BYTES: usize = 16 * 1024;

/// `stack` (in the order applied) undone over `body`.
fn stacked<'a, R: Read + Send + 'a>(body: R, stack: &[Coding]) -> Box<dyn Read + Send + 'a> {
    let mut reader: Box<dyn Read + Send + 'a> = Box::new(Source(body));
    for &coding in stack.iter().rev() {
        reader = Box::new(Decode {
            coding,
            inner: one(coding, reader),
        });
    }
    Box::new(Outermost(reader))
}

/// One decoder over `r`.
fn one<'a>(coding: Coding, r: Box<dyn Read + Send + 'a>) -> Box<dyn Read + Send + 'a> {
    match coding {
        Coding::Gzip => Box::new(flate2::read::MultiGzDecoder::new(r)),
        Coding::Deflate => Box::new(flate2::read::ZlibDecoder::new(r)),
        Coding::Brotli => Box::new(brotli::Decompressor::new(r, BROTLI_BUFFER_BYTES)),
        Coding::Zstd => match zstd::stream::read::Decoder::new(r) {
            Ok(d) => Box::new(d),
            Err(e) => Box::new(Failed(Some(e))),
        },
    }
}

/// The underlying reader: its errors are marked, so that the decoders
/// above it cannot be blamed for them.
struct Source<R>(R);

#[derive(Debug)]
struct SourceError(io::Error);

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl StdError for SourceError {}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0
            .read(buf)
            .map_err(|e| io::Error::new(e.kind(), SourceError(e)))
    }
}

/// One coding undone; any error not from the source is a [`DecodeError`].
struct Decode<'a> {
    coding: Coding,
    inner: Box<dyn Read + Send + 'a>,
}

impl Read for Decode<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            if is_source_error(&e) || is_decode_error(&e) {
                e
            } else {
                let source = e;
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    DecodeError {
                        coding: self.coding,
                        source,
                    },
                )
            }
        })
    }
}

/// The top: a source error is given back as the reader produced it.
struct Outermost<'a>(Box<dyn Read + Send + 'a>);

impl Read for Outermost<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            if !is_source_error(&e) {
                return e;
            }
            match e.into_inner().map(|inner| inner.downcast::<SourceError>()) {
                Some(Ok(source)) => source.0,
                Some(Err(other)) => io::Error::other(other),
                None => io::Error::other("body read failed"),
            }
        })
    }
}

fn is_source_error(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<SourceError>())
}

/// A decoder that could not be set up: its error, once.
struct Failed(Option<io::Error>);

impl Read for Failed {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(self
            .0
            .take()
            .unwrap_or_else(|| io::Error::other("decoder unavailable")))
    }
}

#[cfg(test)]
mod tests;
