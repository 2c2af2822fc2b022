//! On-the-fly compression of responses (`Content-Encoding` br, zstd,
//! gzip), for any handler: wrap it with [`compress`], or call
//! [`Response::compress_for`] / [`Compression::apply`] on the responses
//! you choose.
//!
//! ```no_run
//! use brisk_server::{compress, Request, Response, Server, StatusCode};
//!
//! let app = |_req: &Request| {
//!     Response::new(StatusCode::OK)
//!         .header("Content-Type", "application/json")
//!         .bytes(format!("[{}]", vec!["1"; 2000].join(",")))
//! };
//! Server::bind("127.0.0.1:8080")?.serve(compress(app))?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # What is compressed
//!
//! A response is *compressible* when its status allows a body (not 1xx,
//! 204, 304) and is not 206, and its `Content-Type` is textual
//! ([`is_compressible`]). Every compressible response gets
//! `Vary: Accept-Encoding`, compressed or not, so caches keep the
//! variants apart. It is then compressed unless: the request has a
//! `Range` (ranges are served from the identity bytes, as nginx does);
//! the response has `Content-Encoding`, `Content-Range` or
//! `Cache-Control: no-transform`; the client accepts no coding we
//! produce; or the body is under [`Compression::min_bytes`].
//!
//! - **Bytes** are compressed at once, and kept only if smaller.
//! - **Streams and file regions** are compressed as the socket takes
//!   them, [`SLICE_BYTES`] of input per pull at most, and go out chunked
//!   (close-delimited to HTTP/1.0): a 10 MiB file never stalls the loop.
//! - **Parts** (`multipart/byteranges`) are left alone.
//!
//! # When nothing is acceptable
//!
//! `Accept-Encoding: identity;q=0` with no coding we produce: the
//! identity bytes go out anyway (200, not 406), as RFC 9110 12.5.3
//! permits and nginx and static-web-server do. A client that refuses
//! everything still gets the resource, and `Vary` keeps caches right.
//!
//! # Validators
//!
//! A compressed variant's `ETag` is the identity tag with the coding
//! appended, and weak: `"abc"` becomes `W/"abc-br"` ([`variant_etag`]).
//! Weak because the bytes depend on the level, the library version and
//! (for streams) the slice boundaries, so we do not promise them
//! byte-identical across responses (nginx also weakens the tag).
//! If-None-Match compares weakly, so 304s work per variant; If-Range
//! needs a strong tag, and ranges are never compressed anyway.
//!
//! # HEAD
//!
//! HEAD goes through the same steps as GET, so it gets the same head when
//! the handler gives it the GET's body (the server drops the body): a
//! compressed length for bytes, chunked for streams and files. A HEAD
//! answered with an empty body and the GET's `Content-Length` gets
//! `Content-Encoding` and no length when that length is compressible.

mod encoder;
mod stream;

pub use stream::SLICE_BYTES;

use crate::{Body, BodyStream, FileRegion, Handler, Request, Response};
use brisk_core::accept_encoding::{self, Choice, Coding};
use brisk_core::{Method, StatusCode};
use std::io;

/// Compression levels, one per coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Levels {
    /// 0-9; default 6, zlib's own default (nginx's `gzip_comp_level` is 1,
    /// most configurations set 5 or 6).
    pub gzip: u32,
    /// 0-11; default 5: on the fly, 4-5 gives gzip-9 ratios at gzip-6
    /// speed; 11 is for precompressing ahead of time.
    pub brotli: u32,
    /// 1-22; default 3, zstd's own default.
    pub zstd: i32,
}

impl Default for Levels {
    fn default() -> Levels {
        Levels {
            gzip: 6,
            brotli: 5,
            zstd: 3,
        }
    }
}

/// Bodies below this are not compressed by default: the saving is smaller
/// than the coding's framing and the CPU it costs.
pub const DEFAULT_MIN_BYTES: u64 = 1024;

/// The codings produced, best first at equal weight.
pub const SUPPORTED: [Coding; 3] = [Coding::Brotli, Coding::Zstd, Coding::Gzip];

/// The compression settings: levels, the size threshold, and the codings
/// offered. See the [module docs](self) for the rules.
#[derive(Debug, Clone)]
pub struct Compression {
    levels: Levels,
    min_bytes: u64,
    codings: Vec<Coding>,
}

impl Default for Compression {
    fn default() -> Compression {
        Compression {
            levels: Levels::default(),
            min_bytes: DEFAULT_MIN_BYTES,
            codings: SUPPORTED.to_vec(),
        }
    }
}

impl Compression {
    /// br, zstd and gzip at the default [`Levels`], from 1 KiB up.
    pub fn new() -> Compression {
        Compression::default()
    }

    pub fn levels(mut self, levels: Levels) -> Compression {
        self.levels = levels;
        self
    }

    /// Bodies shorter than this go out as they are.
    pub fn min_bytes(mut self, bytes: u64) -> Compression {
        self.min_bytes = bytes;
        self
    }

    /// The codings offered (a subset of [`SUPPORTED`]; `deflate` is ignored).
    pub fn codings(mut self, codings: &[Coding]) -> Compression {
        self.codings = codings
            .iter()
            .copied()
            .filter(|c| SUPPORTED.contains(c))
            .collect();
        self
    }

    pub fn current_levels(&self) -> Levels {
        self.levels
    }

    pub fn current_min_bytes(&self) -> u64 {
        self.min_bytes
    }

    /// The coding to use for `req`, from its `Accept-Encoding` alone
    /// (`None`: identity, also when nothing is acceptable).
    pub fn negotiate(&self, req: &Request) -> Option<Coding> {
        match accept_encoding::negotiate(req.header("Accept-Encoding"), &self.codings) {
            Choice::Coding(c) => Some(c),
            Choice::Identity | Choice::NotAcceptable => None,
        }
    }

    /// `bytes` encoded at once.
    pub fn encode_bytes(&self, coding: Coding, bytes: &[u8]) -> io::Result<Vec<u8>> {
        encoder::encode_all(coding, &self.levels, bytes)
    }

    /// `body` encoded as it is pulled, [`SLICE_BYTES`] of input at most
    /// per pull.
    pub fn encode_stream(&self, coding: Coding, body: BodyStream) -> io::Result<BodyStream> {
        let e = encoder::Encoder::new(coding, &self.levels)?;
        Ok(Box::new(stream::CompressStream::of_stream(body, e)))
    }

    /// A file region encoded as it is pulled, read with `pread`
    /// [`SLICE_BYTES`] at a time.
    pub fn encode_file(&self, coding: Coding, region: FileRegion) -> io::Result<BodyStream> {
        let e = encoder::Encoder::new(coding, &self.levels)?;
        Ok(Box::new(stream::CompressStream::of_file(region, e)))
    }

    /// `resp` compressed for `req` when the rules allow it (see the
    /// [module docs](self)), with `Vary`, `Content-Encoding` and the
    /// variant's `ETag`.
    pub fn apply(&self, req: &Request, mut resp: Response) -> Response {
        if !is_compressible_response(&resp) {
            return resp;
        }
        add_vary(&mut resp);
        if !may_transform(req, &resp) {
            return resp;
        }
        let Some(coding) = self.negotiate(req) else {
            return resp;
        };
        let (status, mut headers, body) = resp.into_parts();
        let body = match self.encode_body(req, &mut headers, body, coding) {
            Ok(body) => body,
            Err(body) => return Response::from_parts(status, headers, body),
        };
        mark_encoded(&mut headers, coding);
        Response::from_parts(status, headers, body)
    }

    /// The encoded body, or `Err(body)` (unchanged) when it stays as it is.
    fn encode_body(
        &self,
        req: &Request,
        headers: &mut brisk_core::Headers,
        body: Body,
        coding: Coding,
    ) -> Result<Body, Body> {
        match body {
            Body::Bytes(b) if (b.len() as u64) >= self.min_bytes => {
                match self.encode_bytes(coding, &b) {
                    Ok(encoded) if encoded.len() < b.len() => Ok(Body::Bytes(encoded)),
                    _ => Err(Body::Bytes(b)),
                }
            }
            Body::Static(b) if (b.len() as u64) >= self.min_bytes => {
                match self.encode_bytes(coding, b) {
                    Ok(encoded) if encoded.len() < b.len() => Ok(Body::Bytes(encoded)),
                    _ => Err(Body::Static(b)),
                }
            }
            Body::Shared(b) if (b.len() as u64) >= self.min_bytes => {
                match self.encode_bytes(coding, &b) {
                    Ok(encoded) if encoded.len() < b.len() => Ok(Body::Bytes(encoded)),
                    _ => Err(Body::Shared(b)),
                }
            }
            Body::File(region) if region.len >= self.min_bytes => self
                .encode_file(coding, region.clone())
                .map(Body::Stream)
                .map_err(|_| Body::File(region)),
            Body::Stream(s) => match encoder::Encoder::new(coding, &self.levels) {
                Ok(e) => Ok(Body::Stream(Box::new(stream::CompressStream::of_stream(
                    s, e,
                )))),
                Err(_) => Err(Body::Stream(s)),
            },
            // HEAD with the GET's length: the GET would be compressed.
            Body::Empty
                if *req.method() == Method::Head && head_length(headers) >= self.min_bytes =>
            {
                headers.remove("Content-Length");
                Ok(Body::Stream(Box::new(std::iter::empty())))
            }
            other => Err(other),
        }
    }
}

/// Wraps a handler: its responses go through [`Compression::apply`].
pub struct Compress<H> {
    inner: H,
    compression: Compression,
}

impl<H: Handler> Compress<H> {
    pub fn new(inner: H, compression: Compression) -> Compress<H> {
        Compress { inner, compression }
    }
}

impl<H: Handler> Handler for Compress<H> {
    fn call(&self, req: &Request) -> Response {
        self.compression.apply(req, self.inner.call(req))
    }

    fn streams_body(&self, req: &Request) -> bool {
        self.inner.streams_body(req)
    }

    fn refuse_early(&self, req: &Request) -> Option<Response> {
        self.inner.refuse_early(req)
    }
}

/// `handler` with its responses compressed at the default settings.
pub fn compress<H: Handler>(handler: H) -> Compress<H> {
    Compress::new(handler, Compression::default())
}

impl Response {
    /// This response compressed for `req` at the default settings
    /// ([`Compression::apply`]).
    pub fn compress_for(self, req: &Request) -> Response {
        Compression::default().apply(req, self)
    }
}

/// Whether a `Content-Type` is worth compressing: text (but not
/// `text/event-stream`, whose events must not wait in an encoder), JSON,
/// JavaScript, XML, SVG, wasm, and a few font and icon formats that are
/// stored uncompressed.
pub fn is_compressible(content_type: &str) -> bool {
    // Case-insensitive without lowering a copy: this runs per response.
    let essence = content_type.split(';').next().unwrap_or("").trim(); // ok: split yields one item
    let t = essence.as_bytes();
    let starts = |p: &str| t.len() >= p.len() && t[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    let ends =
        |p: &str| t.len() >= p.len() && t[t.len() - p.len()..].eq_ignore_ascii_case(p.as_bytes());
    if essence.eq_ignore_ascii_case("text/event-stream") {
        return false;
    }
    const TYPES: &[&str] = &[
        "application/json",
        "application/javascript",
        "application/x-javascript",
        "application/ecmascript",
        "application/xml",
        "application/wasm",
        "application/x-ndjson",
        "application/graphql-response+json",
        "application/vnd.ms-fontobject",
        "image/svg+xml",
        "image/x-icon",
        "image/vnd.microsoft.icon",
        "image/bmp",
        "font/ttf",
        "font/otf",
    ];
    starts("text/")
        || ends("+json")
        || ends("+xml")
        || TYPES.iter().any(|k| k.eq_ignore_ascii_case(essence))
}

/// The `ETag` of the `coding` variant of a representation whose identity
/// tag is `etag`: `"abc"` (or `W/"abc"`) becomes `W/"abc-br"`.
pub fn variant_etag(etag: &str, coding: Coding) -> String {
    let opaque = etag.trim().trim_start_matches("W/");
    let inner = opaque
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(opaque);
    format!("W/\"{inner}-{}\"", coding.token())
}

/// A status that carries a compressible body.
fn is_compressible_response(resp: &Response) -> bool {
    let status = resp.status();
    !status.forbids_body()
        && status != StatusCode::PARTIAL_CONTENT
        && resp
            .headers()
            .get_str("Content-Type")
            .is_some_and(is_compressible)
}

/// No Range asked for, no coding or range already, no `no-transform`.
fn may_transform(req: &Request, resp: &Response) -> bool {
    let h = resp.headers();
    req.header("Range").is_none()
        && !h.contains("Content-Encoding")
        && !h.contains("Content-Range")
        && !h.has_token("Cache-Control", "no-transform")
}

/// `Vary: Accept-Encoding`, unless `Vary` names it (or `*`) already.
pub fn add_vary(resp: &mut Response) {
    let h = resp.headers_mut();
    if !h.has_token("Vary", "Accept-Encoding") && !h.has_token("Vary", "*") {
        h.append("Vary", "Accept-Encoding");
    }
}

fn mark_encoded(headers: &mut brisk_core::Headers, coding: Coding) {
    if let Some(tag) = headers.get_str("ETag").map(|t| variant_etag(t, coding)) {
        headers.insert("ETag", tag);
    }
    headers.insert("Content-Encoding", coding.token());
}

fn head_length(headers: &brisk_core::Headers) -> u64 {
    headers
        .get_str("Content-Length")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
