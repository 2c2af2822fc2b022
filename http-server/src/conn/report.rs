//! Completion reporting (the access-log hook): what is remembered of a
//! request until its response has been written, and the refusals that are
//! reported too.
//!
//! A response's completion is queued as a [`Pending`] behind a mark in the
//! write queue; when the flush passes the mark, the bytes sent since the
//! previous mark are the response's size. Completions still pending when
//! the connection is freed (the peer went away) are reported with what was
//! sent.

use super::io_cache::Io;
use super::{Conn, Ctx, State};
use crate::frame;
use crate::request::Request;
use crate::response::Completion;
use crate::transport::Transport;
use brisk_core::{Headers, Method, StatusCode, Version};
use std::net::SocketAddr;
use std::time::{Instant, SystemTime};

/// Longest request line an access log gets from a refused head (bytes).
const ROUGH_LINE_MAX: usize = 1024;

/// A response whose completion is reported when its mark is flushed.
pub(crate) struct Pending {
    method: Method,
    target: String,
    version: Version,
    status: u16,
    referer: Option<String>,
    user_agent: Option<String>,
    started: Instant,
    time: SystemTime,
    /// Bytes of the response head, so the hook can tell the body's size.
    head_len: u64,
}

impl Pending {
    pub(super) fn new(
        method: &Method,
        target: &str,
        version: Version,
        headers: &Headers,
        status: u16,
        started: Instant,
        head_len: usize,
    ) -> Pending {
        Pending {
            method: method.clone(),
            target: target.to_owned(),
            version,
            status,
            referer: headers.get_str("referer").map(str::to_owned),
            user_agent: headers.get_str("user-agent").map(str::to_owned),
            started,
            // The wall-clock moment of `started` (the request complete).
            time: SystemTime::now()
                .checked_sub(started.elapsed())
                .unwrap_or_else(SystemTime::now),
            head_len: head_len as u64,
        }
    }
}

impl<T: Transport> Conn<T> {
    /// Queues a completion report behind the response just queued.
    pub(super) fn report(io: &mut Io, p: Pending) {
        io.wq.push_mark();
        io.pending.push_back(p);
    }

    /// Refuses a request whose head was read (413, 417, a framing error):
    /// the error answer and a close, reported to the completion hook.
    pub(super) fn refuse(
        &mut self,
        status: StatusCode,
        req: Box<Request>,
        io: &mut Io,
        ctx: &mut Ctx<'_>,
    ) {
        let head_len = self.fail(status, io, ctx);
        if ctx.shared.on_complete.is_some() {
            let head = req.head();
            let (method, target, version) = (&head.method, &head.target, head.version);
            let code = status.as_u16();
            let p = Pending::new(
                method,
                target,
                version,
                &head.headers,
                code,
                ctx.now,
                head_len,
            );
            Self::report(io, p);
        }
    }

    /// Refuses bytes that never formed a head (a parse error, a head over
    /// the limit), reported to the completion hook with what the request
    /// line gives away, as nginx logs its 400s.
    pub(super) fn refuse_bytes(&mut self, status: StatusCode, io: &mut Io, ctx: &mut Ctx<'_>) {
        let logged = ctx.shared.on_complete.is_some() && matches!(self.state, State::Head);
        let rough = logged.then(|| rough_request_line(io.rbuf.filled()));
        let head_len = self.fail(status, io, ctx);
        if let Some((method, target, version)) = rough {
            let code = status.as_u16();
            let headers = Headers::new();
            let p = Pending::new(&method, &target, version, &headers, code, ctx.now, head_len);
            Self::report(io, p);
        }
    }

    /// Answers bytes that cannot be served with `status` and closes after
    /// it: the next request's boundary is unknown.
    /// Returns the length of the error response's head.
    pub(super) fn fail(&mut self, status: StatusCode, io: &mut Io, ctx: &mut Ctx<'_>) -> usize {
        log::debug!("{} answered {} and closes", self.peer, status.as_u16());
        let date = ctx.date;
        let head_len = frame::queue_error(&mut io.wq, status, date);
        self.set_state(State::Closing);
        head_len
    }

    /// A plain HTTP request reached the TLS port: a cleartext 400 that
    /// says so, then the lingering close (nginx answers the same way).
    pub(super) fn refuse_plain_http(&mut self, io: &mut Io, ctx: &mut Ctx<'_>) {
        log::debug!("{} sent plain HTTP to the TLS port", self.peer);
        let date = ctx.date;
        let body = "400 Bad Request: this port speaks HTTPS; use https:// in the URL.\n";
        frame::queue_error_text(&mut io.wq, StatusCode::BAD_REQUEST, date, body);
        self.set_state(State::Closing);
    }

    /// Reports completions still pending (the peer went away mid-response).
    pub(crate) fn finish(&mut self, ctx: &mut Ctx<'_>) {
        let Some(io) = self.io.as_mut() else { return };
        let mut sent = io.wq.sent_total();
        while let Some(p) = io.pending.pop_front() {
            complete(io, self.peer, p, sent, ctx);
            sent = io.last_mark;
        }
    }
}

/// What an access log can say of bytes that never formed a head: the
/// method and target as sent when the request line got that far, else
/// `-` (lossy UTF-8; the log escapes what it prints).
pub(super) fn rough_request_line(buf: &[u8]) -> (Method, String, Version) {
    let end = buf
        .iter()
        .take(ROUGH_LINE_MAX)
        .position(|&b| b == b'\n')
        .unwrap_or(buf.len().min(ROUGH_LINE_MAX));
    let line = &buf[..end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut parts = line.split(|&b| b == b' ').filter(|p| !p.is_empty());
    let method = parts
        .next()
        .and_then(Method::from_bytes)
        .unwrap_or_else(|| Method::Other("-".into()));
    let target = parts
        .next()
        .map_or_else(|| "-".into(), |t| String::from_utf8_lossy(t).into_owned());
    let version = match parts.next() {
        Some(b"HTTP/1.0") => Version::Http10,
        _ => Version::Http11,
    };
    (method, target, version)
}

/// Reports one finished response to the completion hook; `total` is the
/// queue's `sent_total` at its mark.
pub(super) fn complete(io: &mut Io, peer: SocketAddr, p: Pending, total: u64, ctx: &mut Ctx<'_>) {
    let bytes_sent = total.saturating_sub(io.last_mark);
    io.last_mark = total;
    if let Some(hook) = &ctx.shared.on_complete {
        let completion = Completion {
            method: p.method,
            target: p.target,
            version: p.version,
            status: p.status,
            bytes_sent,
            body_bytes: bytes_sent.saturating_sub(p.head_len),
            duration: ctx.now.saturating_duration_since(p.started),
            peer,
            referer: p.referer,
            user_agent: p.user_agent,
            time: p.time,
        };
        // The hook is the application's code: a panic must not end the worker.
        let call = std::panic::AssertUnwindSafe(|| hook(&completion));
        if std::panic::catch_unwind(call).is_err() {
            log::error!("the completion hook panicked");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rough_request_lines() {
        let cases: [(&[u8], &str, &str, Version); 4] = [
            (b"GET /a HTTP/1.0\r\nHost", "GET", "/a", Version::Http10),
            (b"POST /x", "POST", "/x", Version::Http11),
            (b"\x01\x02 junk", "-", "junk", Version::Http11),
            (b"", "-", "-", Version::Http11),
        ];
        for (bytes, method, target, version) in cases {
            let (m, t, v) = rough_request_line(bytes);
            assert_eq!(
                (m.as_str(), t.as_str(), v),
                (method, target, version),
                "{bytes:?}"
            );
        }
    }
}
