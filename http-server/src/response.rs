//! The response a handler returns. Framing (`Content-Length`,
//! `Transfer-Encoding`, `Connection`) is the server's job, not the
//! handler's: see [`Response`].

use crate::upgrade::Upgrade;
use brisk_core::{Headers, Method, StatusCode, Version};
use std::fs::File;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A region of an open file, sent with `sendfile(2)` in bounded slices.
#[derive(Debug, Clone)]
pub struct FileRegion {
    pub file: Arc<File>,
    pub offset: u64,
    pub len: u64,
}

impl FileRegion {
    /// The whole file, with its current length.
    pub fn whole(file: File) -> io::Result<FileRegion> {
        let len = file.metadata()?.len();
        Ok(FileRegion {
            file: Arc::new(file),
            offset: 0,
            len,
        })
    }
}

/// One piece of a [`Body::Parts`] body (e.g. `multipart/byteranges`).
#[derive(Debug, Clone)]
pub enum BodyPart {
    Bytes(Vec<u8>),
    File(FileRegion),
}

/// A streamed body: pieces pulled on the worker's loop thread as the socket
/// takes data. An `Err` piece aborts the connection (the response is
/// already under way).
pub type BodyStream = Box<dyn Iterator<Item = io::Result<Vec<u8>>> + Send>;

/// What follows the head.
pub enum Body {
    Empty,
    Bytes(Vec<u8>),
    /// Bytes that live for the whole program (a canned answer, an
    /// embedded page): sent without being allocated or copied first.
    Static(&'static [u8]),
    /// Bytes shared with something that outlives the response (a cache
    /// of small files): sent without a per-response allocation.
    Shared(Arc<[u8]>),
    File(FileRegion),
    Parts(Vec<BodyPart>),
    /// Sent chunked to HTTP/1.1 clients, close-delimited to HTTP/1.0.
    Stream(BodyStream),
}

impl Body {
    /// The length, when it is known before sending.
    pub fn len(&self) -> Option<u64> {
        match self {
            Body::Empty => Some(0),
            Body::Bytes(b) => Some(b.len() as u64),
            Body::Static(b) => Some(b.len() as u64),
            Body::Shared(b) => Some(b.len() as u64),
            Body::File(r) => Some(r.len),
            Body::Parts(parts) => Some(
                parts
                    .iter()
                    .map(|p| match p {
                        BodyPart::Bytes(b) => b.len() as u64,
                        BodyPart::File(r) => r.len,
                    })
                    .sum(),
            ),
            Body::Stream(_) => None,
        }
    }

    /// Whether the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Body::Static(b) => write!(f, "Static({} bytes)", b.len()),
            Body::Shared(b) => write!(f, "Shared({} bytes)", b.len()),
            Body::File(r) => write!(f, "File({r:?})"),
            Body::Parts(p) => write!(f, "Parts({p:?})"),
            Body::Stream(_) => f.write_str("Stream"),
        }
    }
}

/// A status, headers and a body.
///
/// The server adds `Date` (unless set), and owns the framing headers: it
/// removes `Content-Length`, `Transfer-Encoding` and `Connection` set by the
/// handler and writes its own: `Content-Length` for every body of known
/// length (kept for `HEAD`, whose body is dropped), chunked for a stream to
/// HTTP/1.1, close-delimited to HTTP/1.0, nothing for 1xx, 204 and 304.
/// One exception: a `HEAD` response with an empty body keeps a
/// `Content-Length` the handler set (the length the `GET` would have).
/// A handler's `Connection: close` is honoured: the server closes after
/// this response.
#[derive(Debug)]
pub struct Response {
    status: StatusCode,
    headers: Headers,
    body: Body,
    /// A `101` that hands the connection to another protocol (see
    /// `upgrade.rs`); `None` for every ordinary response.
    upgrade: Option<Box<Upgrade>>,
}

impl Response {
    /// An empty response with this status.
    #[inline]
    pub fn new(status: StatusCode) -> Response {
        Response {
            status,
            headers: spare::headers(),
            body: Body::Empty,
            upgrade: None,
        }
    }

    /// A `text/plain; charset=utf-8` response.
    pub fn text(status: StatusCode, text: impl Into<String>) -> Response {
        Response::new(status)
            .header("Content-Type", "text/plain; charset=utf-8")
            .bytes(text.into().into_bytes())
    }

    /// Appends a header (a second one with the same name is kept).
    #[inline]
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Response {
        self.headers.append(name, value);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn set_status(&mut self, status: StatusCode) {
        self.status = status;
    }

    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    pub fn headers_mut(&mut self) -> &mut Headers {
        &mut self.headers
    }

    pub fn body(&self) -> &Body {
        &self.body
    }

    /// Replaces the body.
    #[inline]
    pub fn with_body(mut self, body: Body) -> Response {
        // The usual body replaced is the empty one of `new`: forgetting it
        // (it owns nothing) saves the call to the drop glue of every body.
        // Written out, as in `set_body`: a call to either (or to a shared
        // helper, even `inline(always)`) made the compiler inline less of
        // a handler's builder chain, 16 instructions per response.
        let old = std::mem::replace(&mut self.body, body);
        if matches!(old, Body::Empty) {
            std::mem::forget(old);
        }
        self
    }

    /// Replaces the body in place: [`Response::with_body`] for a response
    /// held by reference, without moving it out and back.
    #[inline]
    pub fn set_body(&mut self, body: Body) {
        // See `with_body`.
        let old = std::mem::replace(&mut self.body, body);
        if matches!(old, Body::Empty) {
            std::mem::forget(old);
        }
    }

    /// A body of bytes.
    #[inline]
    pub fn bytes(self, bytes: impl Into<Vec<u8>>) -> Response {
        self.with_body(Body::Bytes(bytes.into()))
    }

    /// A body of bytes that live for the whole program (`b"..."`, a
    /// `const`, `include_bytes!`): no allocation per response, where
    /// [`Response::bytes`] copies them into a `Vec` first.
    #[inline]
    pub fn static_bytes(self, bytes: &'static [u8]) -> Response {
        self.with_body(Body::Static(bytes))
    }

    /// A body of bytes shared with the caller (an `Arc` clone, not a
    /// copy): for bytes kept across responses, like cached small files.
    #[inline]
    pub fn shared_bytes(self, bytes: Arc<[u8]>) -> Response {
        self.with_body(Body::Shared(bytes))
    }

    /// A body sent from a file with `sendfile(2)`.
    pub fn file(self, region: FileRegion) -> Response {
        self.with_body(Body::File(region))
    }

    /// A streamed body of unknown length.
    pub fn stream(
        self,
        pieces: impl Iterator<Item = io::Result<Vec<u8>>> + Send + 'static,
    ) -> Response {
        self.with_body(Body::Stream(Box::new(pieces)))
    }

    pub(crate) fn from_parts(status: StatusCode, headers: Headers, body: Body) -> Response {
        Response {
            status,
            headers,
            body,
            upgrade: None,
        }
    }

    /// Makes this (a `101`) hand the connection over once it is sent.
    pub(crate) fn with_upgrade(mut self, upgrade: Upgrade) -> Response {
        self.upgrade = Some(Box::new(upgrade));
        self
    }

    /// The hand-over this response carries, if any.
    pub(crate) fn take_upgrade(&mut self) -> Option<Box<Upgrade>> {
        self.upgrade.take()
    }

    #[inline]
    pub(crate) fn into_parts(self) -> (StatusCode, Headers, Body) {
        (self.status, self.headers, self.body)
    }
}

/// What the completion hook learns about each answered request, once its
/// response has been handed to the kernel in full (or the connection died).
#[derive(Debug, Clone)]
pub struct Completion {
    /// For bytes that never formed a head (a 400, 414, 431 or 505 sent
    /// before the head was whole), the request line's first token if it
    /// is a token, else `Method::Other("-")`.
    pub method: Method,
    /// The target as sent; for bytes that never formed a head, the request
    /// line's second word (at most its first KiB, lossy UTF-8) or `-`.
    pub target: String,
    pub version: Version,
    pub status: u16,
    /// Bytes of the response written, head included (nginx's `$bytes_sent`).
    pub bytes_sent: u64,
    /// Bytes of the response body written (nginx's `$body_bytes_sent`, the
    /// `%b` of the common and combined log formats): 0 for HEAD and 304.
    pub body_bytes: u64,
    /// From the moment the whole request (head and body) was read to the
    /// last byte of the response written (loop-turn resolution).
    pub duration: Duration,
    pub peer: SocketAddr,
    pub referer: Option<String>,
    pub user_agent: Option<String>,
    /// When the whole request had been read (wall clock, for the log
    /// line's timestamp).
    pub time: SystemTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_lengths() {
        assert_eq!(Body::Empty.len(), Some(0));
        assert_eq!(Body::Bytes(vec![1, 2]).len(), Some(2));
        let parts = Body::Parts(vec![BodyPart::Bytes(vec![1]), BodyPart::Bytes(vec![2, 3])]);
        assert_eq!(parts.len(), Some(3));
        assert_eq!(Body::Stream(Box::new(std::iter::empty())).len(), None);
    }

    #[test]
    fn with_body_drops_the_body_it_replaces() {
        let file = Arc::new(tempfile::tempfile().unwrap());
        let region = FileRegion {
            file: file.clone(),
            offset: 0,
            len: 0,
        };
        let r = Response::new(StatusCode::OK).file(region).bytes("x");
        assert_eq!(Arc::strong_count(&file), 1);
        assert!(matches!(r.body(), Body::Bytes(b) if b == b"x"));
    }

    #[test]
    fn text_sets_content_type_and_body() {
        let r = Response::text(StatusCode::OK, "hi");
        assert_eq!(
            r.headers().get_str("content-type"),
            Some("text/plain; charset=utf-8")
        );
        assert!(matches!(r.body(), Body::Bytes(b) if b == b"hi"));
    }
}

/// Header maps of responses already written, kept per thread for the next
/// `Response::new` there: a handler that adds a field then costs no
/// allocation for it (two per response otherwise: names and values, and
/// the field index). Inline handlers run on the worker that frames their
/// responses, so the common case reuses on one thread; maps built on the
/// pool come back to the worker and wait there.
pub(crate) mod spare {
    use brisk_core::Headers;
    use std::cell::RefCell;

    /// Maps kept per thread.
    const KEPT: usize = 16;
    /// Larger maps are freed, not kept (a rare huge head stays rare).
    pub(crate) const KEPT_HEAP_BYTES: usize = 4096;

    thread_local! {
        static SPARE: RefCell<Vec<Headers>> = const { RefCell::new(Vec::new()) };
    }

    /// An empty map, with capacity when one was given back on this thread.
    pub(crate) fn headers() -> Headers {
        SPARE
            .try_with(|s| s.borrow_mut().pop())
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// Gives `headers` back once its response's head is encoded.
    pub(crate) fn give_back(headers: Headers) {
        if headers.heap_bytes() == 0 || headers.heap_bytes() > KEPT_HEAP_BYTES {
            return;
        }
        let _ = SPARE.try_with(|s| {
            let mut s = s.borrow_mut();
            if s.len() < KEPT {
                s.push(headers);
                // Cleared where it is kept: clearing it first would store
                // its lengths just before the whole map is loaded to be
                // moved, a load the store buffer cannot forward.
                if let Some(kept) = s.last_mut() {
                    kept.clear();
                }
            }
        });
    }
}
