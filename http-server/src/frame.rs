//! Response framing: what the server writes around a handler's response.
//! The server owns `Content-Length`, `Transfer-Encoding`, `Connection` and
//! (unless set) `Date`; see [`crate::Response`] for the rules.

use crate::buf::{Stream, WriteQueue};
use crate::response::{Body, BodyPart, Response};
use http_core::{Headers, Method, StatusCode, Version};

/// Bodies up to this size are copied behind the head (one buffer, one
/// write); larger ones are queued as their own chunk, without a copy.
const INLINE_BODY_BYTES: usize = 16 << 10;

/// How the head frames the body.
#[derive(Clone, Copy)]
enum Framing {
    Length(u64),
    Chunked,
    /// No framing field: no body (1xx, 204, 304) or close-delimited.
    None,
}

/// Queues `resp`, the answer to a `method` request in `version`, with its
/// framing. Returns whether the connection may stay open after it
/// (`keep_alive` as decided so far, overruled by the handler's
/// `Connection: close` or by a close-delimited body), and the length of the
/// head (so that the completion hook can report the body's size).
pub(crate) fn queue_response(
    wq: &mut WriteQueue,
    method: &Method,
    version: Version,
    resp: Response,
    mut keep_alive: bool,
    date: &str,
) -> (bool, usize) {
    let (status, headers, body) = resp.into_parts();
    let is_head = *method == Method::Head;
    let chunked = version == Version::Http11;
    let framing = if status.forbids_body() {
        Framing::None
    } else {
        match body.len() {
            Some(n) => Framing::Length(head_length(is_head, &headers, &body).unwrap_or(n)),
            None if chunked => Framing::Chunked,
            // Close-delimited for HTTP/1.0: the close ends the body.
            None => {
                keep_alive = false;
                Framing::None
            }
        }
    };
    let sends_body = !is_head && !status.forbids_body();
    // Small byte bodies are copied behind the head: one buffer, one write.
    let inline = match &body {
        Body::Bytes(bytes) if sends_body && bytes.len() <= INLINE_BODY_BYTES => Some(&bytes[..]),
        Body::Static(bytes) if sends_body && bytes.len() <= INLINE_BODY_BYTES => Some(*bytes),
        _ => None,
    };
    let head = Head {
        version,
        status,
        headers: &headers,
        framing,
        keep_alive,
        date,
    };
    let (keep_alive, head_len) = wq.append(|out| {
        let keep_alive = head.encode(out);
        let head_len = out.len();
        out.extend_from_slice(inline.unwrap_or_default());
        (keep_alive, head_len)
    });
    crate::response::spare::give_back(headers);
    let copied = inline.is_some();
    match body {
        // A copied body is dropped here, where its kind is known: no call
        // to the drop glue of every body kind.
        Body::Bytes(bytes) if copied => drop(bytes),
        Body::Static(_) if copied => {}
        body if sends_body => queue_body(wq, body, chunked),
        _ => {}
    }
    (keep_alive, head_len)
}

/// HEAD may report the GET's length without producing the body: the
/// handler's `Content-Length` when the body is empty.
fn head_length(is_head: bool, headers: &Headers, body: &Body) -> Option<u64> {
    if !is_head || !body.is_empty() {
        return None;
    }
    headers
        .get_str("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
}

/// What a response head is made of.
struct Head<'a> {
    version: Version,
    status: StatusCode,
    headers: &'a Headers,
    framing: Framing,
    keep_alive: bool,
    date: &'a str,
}

impl Head<'_> {
    /// Appends the head, field by field: the handler's fields minus the
    /// framing ones the server owns, then Date (unless set), the length or
    /// the chunked coding, and Connection. Returns whether the connection
    /// stays open: `keep_alive` unless the handler said `Connection: close`.
    fn encode(&self, out: &mut Vec<u8>) -> bool {
        http_core::encode_status_line(Version::Http11, self.status, out);
        let mut has_date = false;
        let mut has_connection = false;
        for (name, value) in self.headers.iter_bytes() {
            match Special::of(name) {
                Special::Framing => continue,
                Special::Connection => {
                    has_connection = true;
                    continue;
                }
                Special::Date => has_date = true,
                Special::No => {}
            }
            http_core::encode_field(name, value, out);
        }
        let keep_alive =
            self.keep_alive && !(has_connection && self.headers.has_token("connection", "close"));
        // The server's own fields are known to be well-formed: no checks.
        if !has_date {
            own_field(out, b"Date: ", self.date.as_bytes());
        }
        match self.framing {
            Framing::Length(n) => {
                let mut digits = [0u8; 20];
                own_field(out, b"Content-Length: ", format_u64(n, &mut digits));
            }
            Framing::Chunked => out.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
            Framing::None => {}
        }
        if !keep_alive {
            out.extend_from_slice(b"Connection: close\r\n");
        } else if self.version == Version::Http10 {
            out.extend_from_slice(b"Connection: keep-alive\r\n");
        }
        out.extend_from_slice(b"\r\n");
        keep_alive
    }
}

/// Appends `name` (with its `: `), `value` and CRLF, unchecked.
#[inline]
fn own_field(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(name);
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

/// The handler's fields the head treats specially.
enum Special {
    /// `Content-Length`, `Transfer-Encoding`: the server's, dropped.
    Framing,
    /// Dropped too, but `close` in it is honoured.
    Connection,
    /// Kept, and then the server adds none.
    Date,
    No,
}

impl Special {
    /// Compares only names of the right length: most names have none.
    fn of(name: &[u8]) -> Special {
        let is = |want: &[u8]| name.eq_ignore_ascii_case(want);
        match name.len() {
            4 if is(b"date") => Special::Date,
            10 if is(b"connection") => Special::Connection,
            14 if is(b"content-length") => Special::Framing,
            17 if is(b"transfer-encoding") => Special::Framing,
            _ => Special::No,
        }
    }
}

/// Queues a body that was not copied behind the head (queued already):
/// large byte bodies, files, parts as their own items; streams framed as
/// chunks when `chunked`.
fn queue_body(wq: &mut WriteQueue, body: Body, chunked: bool) {
    match body {
        Body::Empty => {}
        Body::Bytes(bytes) => wq.push_vec(bytes),
        // Large static bodies are rare (an embedded asset): one copy.
        Body::Static(bytes) => wq.push_vec(bytes.to_vec()),
        Body::File(region) => wq.push_file(region.file, region.offset, region.len),
        Body::Parts(parts) => {
            for part in parts {
                match part {
                    BodyPart::Bytes(bytes) => wq.push_vec(bytes),
                    BodyPart::File(r) => wq.push_file(r.file, r.offset, r.len),
                }
            }
        }
        Body::Stream(iter) => {
            let (frame, trailer): (fn(&[u8], &mut Vec<u8>), &'static [u8]) = if chunked {
                (http_core::encode_chunk, http_core::LAST_CHUNK)
            } else {
                (|piece, out| out.extend_from_slice(piece), b"")
            };
            wq.push_stream(Stream {
                iter,
                frame,
                trailer,
            });
        }
    }
}

/// Formats `n` in decimal into `buf`, without allocating.
fn format_u64(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

/// Queues the answer to a request that cannot be served (a parse error,
/// a limit): a short text body and `Connection: close`.
/// Returns the length of the head.
pub(crate) fn queue_error(wq: &mut WriteQueue, status: StatusCode, date: &str) -> usize {
    queue_error_text(wq, status, date, &format!("{status}\n"))
}

/// [`queue_error`] with a body that says more than the status.
pub(crate) fn queue_error_text(
    wq: &mut WriteQueue,
    status: StatusCode,
    date: &str,
    body: &str,
) -> usize {
    let mut headers = Headers::new();
    headers.append("Date", date);
    headers.append("Content-Type", "text/plain; charset=utf-8");
    headers.append("Content-Length", body.len().to_string());
    headers.append("Connection", "close");
    let mut out = wq.take_buf();
    http_core::encode_response_head(Version::Http11, status, &headers, &mut out);
    let head_len = out.len();
    out.extend_from_slice(body.as_bytes());
    wq.push_vec(out);
    head_len
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::fake::Unix;
    use std::io::Read;

    const DATE: &str = "Thu, 01 Jan 2026 00:00:00 GMT";

    /// Frames `resp` and returns (keep-alive, bytes on the wire).
    fn wire(method: Method, version: Version, resp: Response) -> (bool, String) {
        let mut wq = WriteQueue::new();
        let (keep, head_len) = queue_response(&mut wq, &method, version, resp, true, DATE);
        let (mut a, mut b) = Unix::pair();
        let mut marks = vec![];
        wq.flush(&mut a, &mut marks).unwrap();
        drop(a);
        let mut out = String::new();
        b.read_to_string(&mut out).unwrap();
        assert_eq!(out.find("\r\n\r\n").map(|i| i + 4), Some(head_len));
        (keep, out)
    }

    #[test]
    fn framing_table() {
        use Method::{Get, Head};
        use Version::{Http10, Http11};
        let text = || Response::text(StatusCode::OK, "hi");
        let stream = || Response::new(StatusCode::OK).stream(vec![Ok(b"ab".to_vec())].into_iter());
        let cases: Vec<(&str, Method, Version, Response, bool, &str)> = vec![
            ("bytes", Get, Http11, text(), true,
             "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: DATE\r\nContent-Length: 2\r\n\r\nhi"),
            ("HEAD keeps the length, drops the body", Head, Http11, text(), true,
             "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: DATE\r\nContent-Length: 2\r\n\r\n"),
            ("HEAD with the handler's length", Head, Http11,
             Response::new(StatusCode::OK).header("Content-Length", "1234"), true,
             "HTTP/1.1 200 OK\r\nDate: DATE\r\nContent-Length: 1234\r\n\r\n"),
            ("GET ignores the handler's length", Get, Http11,
             Response::new(StatusCode::OK).header("Content-Length", "1234"), true,
             "HTTP/1.1 200 OK\r\nDate: DATE\r\nContent-Length: 0\r\n\r\n"),
            ("stream chunked to 1.1", Get, Http11, stream(), true,
             "HTTP/1.1 200 OK\r\nDate: DATE\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"),
            ("stream close-delimited to 1.0", Get, Http10, stream(), false,
             "HTTP/1.1 200 OK\r\nDate: DATE\r\nConnection: close\r\n\r\nab"),
            ("1.0 keep-alive is announced", Get, Http10, text(), true,
             "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: DATE\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nhi"),
            ("204 has no framing", Get, Http11, Response::text(StatusCode::NO_CONTENT, "x"), true,
             "HTTP/1.1 204 No Content\r\nContent-Type: text/plain; charset=utf-8\r\nDate: DATE\r\n\r\n"),
            ("handler's close is honoured", Get, Http11,
             Response::new(StatusCode::OK).header("Connection", "close").header("Date", "then"), false,
             "HTTP/1.1 200 OK\r\nDate: then\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
            ("framing fields are the server's, in any case", Get, Http11,
             Response::new(StatusCode::OK).header("transfer-encoding", "chunked").header("X-A", "1")
                 .header("CONNECTION", "keep-alive, Close").header("date", "d").bytes("ab"), false,
             "HTTP/1.1 200 OK\r\nX-A: 1\r\ndate: d\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab"),
            ("a handler's field cannot split the head", Get, Http11,
             Response::new(StatusCode::OK).header("X-Evil", "a\r\nSet-Cookie: x\0").header("Bad Name", "v"), true,
             "HTTP/1.1 200 OK\r\nX-Evil: a  Set-Cookie: x \r\nDate: DATE\r\nContent-Length: 0\r\n\r\n"),
        ];
        for (what, method, version, resp, keep, want) in cases {
            let (k, got) = wire(method, version, resp);
            assert_eq!(got, want.replace("DATE", DATE), "{what}");
            assert_eq!(k, keep, "{what}");
        }
    }

    /// Pipelined responses are written into the queue's tail chunk, in
    /// order, and leave in one write.
    /// A static body goes out exactly as the same bytes in a `Vec` do:
    /// small (copied behind the head) and large (its own item), to GET
    /// and to HEAD.
    #[test]
    fn a_static_body_is_framed_as_bytes_are() {
        static LARGE: [u8; 40_000] = [b'x'; 40_000];
        for (method, body) in [
            (Method::Get, &b"Hello, World!"[..]),
            (Method::Head, &b"Hello, World!"[..]),
            (Method::Get, &LARGE[..]),
        ] {
            let ok = || Response::new(StatusCode::OK).header("Content-Type", "text/plain");
            let want = wire(method.clone(), Version::Http11, ok().bytes(body));
            let got = wire(method.clone(), Version::Http11, ok().static_bytes(body));
            assert_eq!(got, want, "{method:?} {}", body.len());
        }
    }

    #[test]
    fn pipelined_responses_share_one_chunk() {
        let mut wq = WriteQueue::new();
        for body in ["a", "b"] {
            let resp = Response::text(StatusCode::OK, body);
            queue_response(&mut wq, &Method::Get, Version::Http11, resp, true, DATE);
        }
        let (mut a, mut b) = Unix::pair();
        wq.flush(&mut a, &mut vec![]).unwrap();
        drop(a);
        let mut out = String::new();
        b.read_to_string(&mut out).unwrap();
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: {DATE}\r\nContent-Length: 1\r\n\r\n"
        );
        assert_eq!(out, format!("{head}a{head}b"));
    }

    #[test]
    fn error_answers_close() {
        let mut wq = WriteQueue::new();
        queue_error(&mut wq, StatusCode::URI_TOO_LONG, DATE);
        let (mut a, mut b) = Unix::pair();
        wq.flush(&mut a, &mut vec![]).unwrap();
        drop(a);
        let mut out = String::new();
        b.read_to_string(&mut out).unwrap();
        assert!(out.starts_with("HTTP/1.1 414 URI Too Long\r\n"));
        assert!(out.ends_with("Connection: close\r\n\r\n414 URI Too Long\n"));
    }
}
