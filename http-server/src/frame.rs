//! Response framing: what the server writes around a handler's response.
//! The server owns `Content-Length`, `Transfer-Encoding`, `Connection` and
//! (unless set) `Date`; see [`crate::Response`] for the rules.

mod head_cache;
#[cfg(test)]
mod tests;

pub(crate) use head_cache::HeadCache;

use crate::buf::{Stream, WriteQueue};
use crate::response::{Body, BodyPart, Response};
use brisk_core::{Headers, Method, StatusCode, Version};

/// Bodies up to this size are copied behind the head (one buffer, one
/// write); larger ones are queued as their own chunk, without a copy.
const INLINE_BODY_BYTES: usize = 16 << 10;

/// How the head frames the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
/// `cache` holds the previous head's start on this worker (see
/// [`HeadCache`]).
pub(crate) fn queue_response(
    wq: &mut WriteQueue,
    method: &Method,
    version: Version,
    resp: Response,
    mut keep_alive: bool,
    date: &str,
    cache: &mut HeadCache,
) -> (bool, usize) {
    let (status, mut headers, body) = resp.into_parts();
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
        Body::Shared(bytes) if sends_body && bytes.len() <= INLINE_BODY_BYTES => Some(&bytes[..]),
        _ => None,
    };
    let head = Head {
        status,
        date,
        tail: Tail {
            framing,
            keep_alive,
            version,
        },
    };
    // The head's fields, its first line, Date and framing, and the body.
    let hint = headers.encoded_len() + 128 + inline.map_or(0, <[u8]>::len);
    let (keep_alive, head_len) = wq.append(hint, |out| {
        let keep_alive = head.encode(&mut headers, cache, out);
        let head_len = out.len();
        out.extend_from_slice(inline.unwrap_or_default());
        (keep_alive, head_len)
    });
    crate::response::spare::give_back(headers);
    let copied = inline.is_some();
    // Each kind is dropped or queued in its own arm, where it is known:
    // no call to the drop glue of every body kind. Empty and static
    // bodies own nothing: forgotten, not dropped.
    match body {
        body @ Body::Empty => std::mem::forget(body),
        Body::Bytes(bytes) if copied || !sends_body => drop(bytes),
        body @ Body::Static(_) if copied || !sends_body => std::mem::forget(body),
        Body::Shared(bytes) if copied || !sends_body => drop(bytes),
        body if sends_body => queue_body(wq, body, chunked),
        body => drop(body),
    }
    (keep_alive, head_len)
}

/// Queues a `101 Switching Protocols` head: the handler's fields as they
/// are (its `Connection: upgrade` and `Upgrade` included, which an
/// ordinary response would have replaced), `Date`, and no framing: no
/// body follows, the next bytes are the new protocol's. Returns its length.
pub(crate) fn queue_switching_head(wq: &mut WriteQueue, headers: &Headers, date: &str) -> usize {
    wq.append(headers.encoded_len() + 64, |out| {
        let start = out.len();
        brisk_core::encode_status_line(Version::Http11, StatusCode::SWITCHING_PROTOCOLS, out);
        for (name, value) in headers.iter_bytes() {
            brisk_core::encode_field(name, value, out);
        }
        if !headers.contains("date") {
            own_field(out, b"Date: ", date.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.len() - start
    })
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
    status: StatusCode,
    date: &'a str,
    tail: Tail,
}

/// What the end of a head (after Date) is made of: the framing, the
/// keep-alive decision so far and the version, which tells whether
/// keep-alive is announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Tail {
    framing: Framing,
    keep_alive: bool,
    version: Version,
}

impl Head<'_> {
    /// Appends the head: the status line, the handler's fields minus the
    /// framing ones the server owns and Date (unless set), then the length
    /// or the chunked coding, and Connection. What the previous response
    /// on this worker had alike is copied from `cache`; the rest is
    /// encoded and kept there (`headers` swapped with the cache's previous
    /// key). Returns whether the connection stays open: `keep_alive`
    /// unless the handler said `Connection: close`.
    fn encode(&self, headers: &mut Headers, cache: &mut HeadCache, out: &mut Vec<u8>) -> bool {
        let Some(hit) = cache.get(self, headers) else {
            let start = out.len();
            let closes = self.encode_start(headers, out);
            let start_len = out.len() - start;
            let keep_alive = self.encode_tail(closes, out);
            cache.put(self, headers, closes, &out[start..], start_len);
            return keep_alive;
        };
        out.extend_from_slice(hit.bytes);
        if hit.whole {
            return self.tail.keep_alive && !hit.closes;
        }
        let from = out.len();
        let keep_alive = self.encode_tail(hit.closes, out);
        cache.put_tail(self.tail, &out[from..]);
        keep_alive
    }

    /// Appends the status line, the handler's fields but the framing
    /// ones, and Date unless the handler set it. Returns whether the
    /// handler said `Connection: close`.
    fn encode_start(&self, headers: &Headers, out: &mut Vec<u8>) -> bool {
        brisk_core::encode_status_line(Version::Http11, self.status, out);
        let mut has_date = false;
        let mut has_connection = false;
        for (name, value) in headers.iter_bytes() {
            match Special::of(name) {
                Special::Framing => continue,
                Special::Connection => {
                    has_connection = true;
                    continue;
                }
                Special::Date => has_date = true,
                Special::No => {}
            }
            brisk_core::encode_field(name, value, out);
        }
        // The server's own fields are known to be well-formed: no checks.
        if !has_date {
            own_field(out, b"Date: ", self.date.as_bytes());
        }
        has_connection && headers.has_token("connection", "close")
    }

    /// Appends the length or the chunked coding, Connection when it must
    /// be said, and the blank line. Returns whether the connection stays
    /// open (`closes`: the handler said `Connection: close`).
    fn encode_tail(&self, closes: bool, out: &mut Vec<u8>) -> bool {
        let keep_alive = self.tail.keep_alive && !closes;
        match self.tail.framing {
            Framing::Length(n) => {
                let mut digits = [0u8; 20];
                own_field(out, b"Content-Length: ", format_u64(n, &mut digits));
            }
            Framing::Chunked => out.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
            Framing::None => {}
        }
        if !keep_alive {
            out.extend_from_slice(b"Connection: close\r\n");
        } else if self.tail.version == Version::Http10 {
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
        // Large static or shared bodies are rare (an embedded asset, a
        // cache keeps small files only): one copy.
        Body::Static(bytes) => wq.push_vec(bytes.to_vec()),
        Body::Shared(bytes) => wq.push_vec(bytes.to_vec()),
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
                (brisk_core::encode_chunk, brisk_core::LAST_CHUNK)
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
    brisk_core::encode_response_head(Version::Http11, status, &headers, &mut out);
    let head_len = out.len();
    out.extend_from_slice(body.as_bytes());
    wq.push_vec(out);
    head_len
}
