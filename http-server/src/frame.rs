//! Response framing: what the server writes around a handler's response.
//! The server owns `Content-Length`, `Transfer-Encoding`, `Connection` and
//! (unless set) `Date`; see [`crate::Response`] for the rules.

use crate::buf::{Stream, WriteQueue};
use crate::response::{Body, BodyPart, Response};
use http_core::{Headers, Method, StatusCode, Version};

/// Bodies up to this size are copied behind the head (one buffer, one
/// write); larger ones are queued as their own chunk, without a copy.
const INLINE_BODY_BYTES: usize = 16 << 10;

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
    if headers.has_token("connection", "close") {
        keep_alive = false;
    }
    // HEAD may report the GET's length without producing the body.
    let head_length = if is_head && body.is_empty() {
        headers
            .get_str("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok())
    } else {
        None
    };
    let chunked = version == Version::Http11;
    let mut length = None;
    if !status.forbids_body() {
        match body.len() {
            Some(n) => length = Some(head_length.unwrap_or(n)),
            None if chunked => {}
            // Close-delimited for HTTP/1.0: the close ends the body.
            None => keep_alive = false,
        }
    }
    // The head, field by field: the handler's fields minus the framing
    // ones the server owns, then Date (unless set), the length or the
    // chunked coding, and Connection.
    let mut out = wq.take_buf();
    http_core::encode_status_line(Version::Http11, status, &mut out);
    let mut has_date = false;
    for (name, value) in headers.iter_bytes() {
        if name.eq_ignore_ascii_case(b"content-length")
            || name.eq_ignore_ascii_case(b"transfer-encoding")
            || name.eq_ignore_ascii_case(b"connection")
        {
            continue;
        }
        has_date |= name.eq_ignore_ascii_case(b"date");
        http_core::encode_field(name, value, &mut out);
    }
    // The server's own fields are known to be well-formed: no checks.
    let mut own = |name: &[u8], value: &[u8]| {
        out.extend_from_slice(name);
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    };
    if !has_date {
        own(b"Date", date.as_bytes());
    }
    if !status.forbids_body() {
        match length {
            Some(n) => {
                let mut digits = [0u8; 20];
                own(b"Content-Length", format_u64(n, &mut digits));
            }
            None if chunked => own(b"Transfer-Encoding", b"chunked"),
            None => {}
        }
    }
    if !keep_alive {
        own(b"Connection", b"close");
    } else if version == Version::Http10 {
        own(b"Connection", b"keep-alive");
    }
    out.extend_from_slice(b"\r\n");
    crate::response::spare::give_back(headers);
    let head_len = out.len();
    if is_head || status.forbids_body() {
        wq.push_vec(out);
        return (keep_alive, head_len);
    }
    queue_body(wq, out, body, chunked);
    (keep_alive, head_len)
}

/// Queues `out` (the encoded head) and the body behind it: small byte
/// bodies in the head's buffer, others as their own items; streams framed
/// as chunks when `chunked`.
fn queue_body(wq: &mut WriteQueue, mut out: Vec<u8>, body: Body, chunked: bool) {
    match body {
        Body::Empty => wq.push_vec(out),
        Body::Bytes(bytes) if bytes.len() <= INLINE_BODY_BYTES => {
            out.extend_from_slice(&bytes);
            wq.push_vec(out);
        }
        Body::Bytes(bytes) => {
            wq.push_vec(out);
            wq.push_vec(bytes);
        }
        Body::File(region) => {
            wq.push_vec(out);
            wq.push_file(region.file, region.offset, region.len);
        }
        Body::Parts(parts) => {
            wq.push_vec(out);
            for part in parts {
                match part {
                    BodyPart::Bytes(bytes) => wq.push_vec(bytes),
                    BodyPart::File(r) => wq.push_file(r.file, r.offset, r.len),
                }
            }
        }
        Body::Stream(iter) => {
            wq.push_vec(out);
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
        ];
        for (what, method, version, resp, keep, want) in cases {
            let (k, got) = wire(method, version, resp);
            assert_eq!(got, want.replace("DATE", DATE), "{what}");
            assert_eq!(k, keep, "{what}");
        }
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
