//! The request a handler sees: an owned head, the peer, and the body,
//! either whole in memory or streamed ([`Request::body_reader`]).

use crate::request_body::{self, BodyReader, Pipe};
use brisk_core::{Headers, Method, RequestHead, Target, Version};
use std::net::SocketAddr;
use std::ops::Range;
use std::sync::Arc;

/// A request. By default its body has been read in full (within the
/// server's body limit) and de-chunked before the handler runs:
/// [`Request::body`]. A pool handler that opts in with
/// [`crate::Handler::streams_body`] gets the request as soon as its head
/// is in, and reads the body of any size as it arrives:
/// [`Request::body_reader`].
#[derive(Debug, Clone)]
pub struct Request {
    head: RequestHead,
    /// Where the path and the query sit inside the target.
    path: Range<usize>,
    query: Option<Range<usize>>,
    /// The percent-decoded path, only when it differs from the raw one.
    decoded_path: Option<String>,
    peer: SocketAddr,
    body: Vec<u8>,
    /// A streamed body's pipe (then `body` is empty).
    stream: Option<Arc<Pipe>>,
    /// The client allows keep-alive (its version and `Connection`), as
    /// found when the head was checked.
    client_keep_alive: bool,
}

impl Request {
    /// Builds a request by hand, e.g. to unit-test a handler without a
    /// socket. The server builds them from the wire.
    pub fn new(
        method: Method,
        target: impl Into<String>,
        version: Version,
        headers: Headers,
        body: Vec<u8>,
        peer: SocketAddr,
    ) -> Request {
        let head = RequestHead {
            method,
            target: target.into(),
            version,
            headers,
        };
        let mut req = Request {
            head,
            path: 0..0,
            query: None,
            decoded_path: None,
            peer,
            body,
            stream: None,
            client_keep_alive: false,
        };
        req.client_keep_alive = brisk_core::keep_alive(version, &req.head.headers);
        req.reindex(peer);
        req
    }

    /// An empty request whose head the server fills in place
    /// ([`Request::head_mut`], then [`Request::reindex`]).
    pub(crate) fn empty(peer: SocketAddr) -> Request {
        Request::new(
            Method::Get,
            String::new(),
            Version::Http11,
            Headers::new(),
            Vec::new(),
            peer,
        )
    }

    /// Whether the client allows the connection to stay open after this
    /// request (set by the server's check of the head).
    pub(crate) fn client_keep_alive(&self) -> bool {
        self.client_keep_alive
    }

    pub(crate) fn set_client_keep_alive(&mut self, keep: bool) {
        self.client_keep_alive = keep;
    }

    pub(crate) fn head(&self) -> &RequestHead {
        &self.head
    }

    pub(crate) fn head_mut(&mut self) -> &mut RequestHead {
        &mut self.head
    }

    pub(crate) fn body_mut(&mut self) -> &mut Vec<u8> {
        &mut self.body
    }

    /// Makes the body a stream read from `pipe`.
    pub(crate) fn set_stream(&mut self, pipe: Arc<Pipe>) {
        self.stream = Some(pipe);
    }

    /// Recomputes what derives from the head (path, query, decoded path)
    /// after it was filled in place, for a request from `peer`.
    #[inline]
    pub(crate) fn reindex(&mut self, peer: SocketAddr) {
        let (path, query, escaped) = split_target(&self.head.target, &self.head.method);
        let raw_path = &self.head.target[path.clone()];
        self.decoded_path = if escaped {
            Some(String::from_utf8_lossy(&brisk_core::percent_decode(raw_path)).into_owned())
        } else {
            None
        };
        self.path = path;
        self.query = query;
        self.peer = peer;
    }

    /// Frees the body before the request's head buffers are kept for the
    /// next request: bodies are rare and their sizes vary, and a kept
    /// buffer would stay in the worker's cache of idle buffers.
    pub(crate) fn recycle(&mut self) {
        self.body = Vec::new();
        self.stream = None;
    }

    /// The request method.
    pub fn method(&self) -> &Method {
        &self.head.method
    }

    /// The request target exactly as sent (`/a%20b?x=1`).
    pub fn raw_target(&self) -> &str {
        &self.head.target
    }

    /// The path as sent, not decoded (`/a%20b`). Empty for `CONNECT`'s
    /// authority form, `*` for the asterisk form.
    pub fn raw_path(&self) -> &str {
        &self.head.target[self.path.clone()]
    }

    /// The percent-decoded path (`/a b`); invalid UTF-8 is replaced
    /// (U+FFFD). Resolve it safely before touching a file system.
    pub fn path(&self) -> &str {
        self.decoded_path
            .as_deref()
            .unwrap_or_else(|| self.raw_path())
    }

    /// The raw query string without `?`, if any.
    pub fn query(&self) -> Option<&str> {
        self.query.clone().map(|q| &self.head.target[q])
    }

    /// Decoded `name=value` pairs of the query (`+` is a space).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query()
            .map(brisk_core::query_pairs)
            .unwrap_or_default()
    }

    /// HTTP/1.0 or HTTP/1.1.
    pub fn version(&self) -> Version {
        self.head.version
    }

    /// All request headers, original case and order kept.
    pub fn headers(&self) -> &Headers {
        &self.head.headers
    }

    /// The first value of a header, if it is valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.headers.get_str(name)
    }

    /// The client's address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// The request body (empty when there is none, and when the body is
    /// streamed: see [`Request::body_reader`]).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as a blocking reader: a streamed body as it arrives (see
    /// [`BodyReader`] for its errors), a buffered one from memory. A
    /// streamed body can be read once: every reader shares one position.
    /// The first read of a streamed body sends `100 Continue` when the
    /// client asked for it, so a handler that refuses without reading
    /// never makes the client send the body.
    pub fn body_reader(&self) -> BodyReader<'_> {
        match &self.stream {
            Some(pipe) => BodyReader::stream(pipe),
            None => BodyReader::bytes(&self.body),
        }
    }

    /// Whether the body is streamed ([`Request::body_reader`]) rather than
    /// in [`Request::body`].
    pub fn is_streamed(&self) -> bool {
        self.stream.is_some()
    }

    /// The trailer fields of a streamed chunked body, once the whole body
    /// has arrived (so always after [`Request::body_reader`] returned its
    /// end); `None` before that, when it failed, or for a buffered body.
    /// Empty for a body without trailers.
    pub fn trailers(&self) -> Option<Headers> {
        self.stream.as_deref().and_then(request_body::trailers)
    }
}

/// Byte ranges of the path and the query inside `target`, and whether
/// the path holds a `%` (then it needs decoding).
#[inline]
fn split_target(target: &str, method: &Method) -> (Range<usize>, Option<Range<usize>>, bool) {
    if target.starts_with('/') {
        // The common form, in one pass. Whatever the method (a `/` target
        // is not an authority) and even with a `#` (which the parser's
        // checks refuse elsewhere), it splits at the first `?`.
        return split_at_query(target);
    }
    let offset = |part: &str| {
        let start = part.as_ptr() as usize - target.as_ptr() as usize;
        start..start + part.len()
    };
    let (path, query) = match brisk_core::parse_target(target, method) {
        Ok(Target::Origin { path, query }) | Ok(Target::Absolute { path, query, .. }) => {
            (offset(path), query.map(offset))
        }
        Ok(Target::Asterisk) => (0..target.len(), None),
        Ok(Target::Authority(_)) => (0..0, None),
        // The parser accepted the target already; fall back to a plain split.
        Err(_) => return split_at_query(target),
    };
    let escaped = target[path.clone()].contains('%');
    (path, query, escaped)
}

/// Splits at the first `?`, noting a `%` before it.
fn split_at_query(target: &str) -> (Range<usize>, Option<Range<usize>>, bool) {
    let (end, escaped) = brisk_core::origin_path_end(target);
    let query = (end < target.len()).then(|| end + 1..target.len());
    (0..end, query, escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: Method, target: &str) -> Request {
        Request::new(
            method,
            target,
            Version::Http11,
            Headers::new(),
            vec![],
            "127.0.0.1:1".parse().unwrap(),
        )
    }

    #[test]
    fn splits_and_decodes_the_target() {
        let r = req(Method::Get, "/a%20b/c?x=1&y=two+words");
        assert_eq!(r.raw_path(), "/a%20b/c");
        assert_eq!(r.path(), "/a b/c");
        assert_eq!(r.query(), Some("x=1&y=two+words"));
        assert_eq!(
            r.query_pairs(),
            vec![("x".into(), "1".into()), ("y".into(), "two words".into())]
        );
    }

    #[test]
    fn plain_paths_are_not_copied() {
        let r = req(Method::Get, "/plain");
        assert_eq!(r.path(), "/plain");
        assert!(r.decoded_path.is_none());
        assert_eq!(r.query(), None);
        assert!(r.query_pairs().is_empty());
    }
}
