//! One request/response exchange on a connection: encode and send the
//! request, read the response head with http-core's parser, then stream the
//! body with the framing http-core decided.
//!
//! ```text
//!  SendHead -> SendBody -> ReadHead --1xx--> ReadHead
//!                                   --final--> Body(Length | Chunked | Close | Empty) -> Done
//!  with Expect: SendHead -> ReadHead --100 or 1 s--> SendBody -> ReadHead
//!                                    --final------> (body never sent; close)
//! ```
//!
//! Reading and writing progress are kept apart: sending is a plain function,
//! reading the body is [`BodyReader`], which drives the sans-IO
//! [`BodyDecoder`](http_core::BodyDecoder). Head parsing, framing and
//! chunked decoding are http-core's; this module only moves bytes.

use std::io::{self, Read};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_core::{
    response_body_kind, BodyDecoder, BodyKind, Limits, Method, ResponseHead, ResponseParser,
    Status, EMPTY_HEADER,
};

use crate::error::{Error, Phase};
use crate::net::Conn;
use crate::pool::{Pool, PoolKey};

/// Most header slots a response head may use, whatever the limits say.
const MAX_RESPONSE_HEADERS: usize = 1024;
/// Bytes per chunk when streaming a request body from a reader.
const UPLOAD_CHUNK_BYTES: usize = 64 * 1024;

/// The body of a request.
pub enum RequestBody {
    /// No body.
    Empty,
    /// Bytes in memory (replayable).
    Bytes(Vec<u8>),
    /// A stream: sent with `Content-Length` when `len` is known, chunked
    /// otherwise. Not replayable.
    Reader {
        /// The source.
        reader: Box<dyn Read + Send>,
        /// Its length, if known.
        len: Option<u64>,
    },
}

impl std::fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestBody::Empty => f.write_str("Empty"),
            RequestBody::Bytes(b) => write!(f, "Bytes({})", b.len()),
            RequestBody::Reader { len, .. } => write!(f, "Reader({len:?})"),
        }
    }
}

impl RequestBody {
    /// A file body with its length from the metadata.
    pub fn file(file: std::fs::File) -> io::Result<RequestBody> {
        let len = file.metadata()?.len();
        Ok(RequestBody::Reader {
            reader: Box::new(file),
            len: Some(len),
        })
    }

    /// True when the body can be sent again (a retry or a 307/308).
    pub fn is_replayable(&self) -> bool {
        !matches!(self, RequestBody::Reader { .. })
    }

    /// The framing header this body needs, if any.
    pub(crate) fn framing_header(&self) -> Option<(&'static str, String)> {
        match self {
            RequestBody::Empty => None,
            RequestBody::Bytes(b) => Some(("Content-Length", b.len().to_string())),
            RequestBody::Reader { len: Some(n), .. } => Some(("Content-Length", n.to_string())),
            RequestBody::Reader { len: None, .. } => {
                Some(("Transfer-Encoding", "chunked".to_string()))
            }
        }
    }
}

/// Deadlines of one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadlines {
    /// The whole request, body included (curl's `-m`).
    pub total: Option<Instant>,
    /// Longest wait for any single read or write.
    pub idle: Duration,
}

impl Deadlines {
    /// The deadline for the next wait.
    pub fn next_wait(&self) -> Instant {
        let idle = Instant::now() + self.idle;
        self.total.map_or(idle, |t| t.min(idle))
    }
}

/// Sends the head and then the body (a small body in the same write).
pub(crate) fn send_request(
    conn: &mut Conn,
    head: &[u8],
    body: &mut RequestBody,
    deadlines: &Deadlines,
) -> Result<(), Error> {
    if let RequestBody::Bytes(b) = body {
        if b.len() <= UPLOAD_CHUNK_BYTES {
            let mut all = Vec::with_capacity(head.len() + b.len());
            all.extend_from_slice(head);
            all.extend_from_slice(b);
            return send_bytes(conn, &all, deadlines);
        }
    }
    send_bytes(conn, head, deadlines)?;
    send_body(conn, body, deadlines)
}

/// Writes `bytes`, each wait bounded by the deadlines.
pub(crate) fn send_bytes(
    conn: &mut Conn,
    bytes: &[u8],
    deadlines: &Deadlines,
) -> Result<(), Error> {
    conn.write_all(bytes, deadlines.next_wait())
        .map_err(|e| Error::io(Phase::Send, e))
}

/// Sends the body with the framing its head announced.
pub(crate) fn send_body(
    conn: &mut Conn,
    body: &mut RequestBody,
    deadlines: &Deadlines,
) -> Result<(), Error> {
    match body {
        RequestBody::Empty => Ok(()),
        RequestBody::Bytes(b) => send_bytes(conn, b, deadlines),
        RequestBody::Reader { reader, len } => {
            let chunked = len.is_none();
            let mut buf = vec![0u8; UPLOAD_CHUNK_BYTES];
            let mut framed = Vec::with_capacity(UPLOAD_CHUNK_BYTES + 16);
            let mut sent: u64 = 0;
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(Error::RequestBody(e)),
                };
                if n == 0 {
                    break;
                }
                sent += n as u64;
                if chunked {
                    framed.clear();
                    http_core::encode_chunk(&buf[..n], &mut framed);
                    send_bytes(conn, &framed, deadlines)?;
                } else {
                    send_bytes(conn, &buf[..n], deadlines)?;
                }
            }
            if chunked {
                send_bytes(conn, http_core::LAST_CHUNK, deadlines)?;
            } else if Some(sent) != *len {
                // The server would wait for bytes that never come.
                return Err(Error::RequestBody(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("body source gave {sent} bytes, announced {len:?}"),
                )));
            }
            Ok(())
        }
    }
}

/// Why reading the head failed; `Stale` is eligible for a replay on a
/// fresh connection when the connection was reused.
pub(crate) enum HeadFailure {
    /// Closed or reset before any response byte arrived.
    NothingReceived(Error),
    /// Anything else.
    Other(Error),
}

/// A received final response head.
pub(crate) struct ReceivedHead {
    pub head: ResponseHead,
    /// The head bytes exactly as received (for `-i` and `-v`).
    pub raw: Vec<u8>,
    /// Interim (1xx) heads before it, raw.
    pub interim: Vec<Vec<u8>>,
    pub body_kind: BodyKind,
    /// When the first response byte arrived.
    pub first_byte_at: Instant,
}

/// What came back while waiting for a response head.
pub(crate) enum HeadOutcome {
    /// The final response.
    Final(ReceivedHead),
    /// Only with `continue_until`: `100 Continue` arrived (`timed_out` false)
    /// or the wait for it ended (`timed_out` true): send the body now.
    /// `interim` holds the 1xx heads received, raw.
    Continue {
        interim: Vec<Vec<u8>>,
        timed_out: bool,
    },
}

/// Reads until a final (non-1xx) response head is complete. With
/// `continue_until` (the request carried `Expect: 100-continue` and its
/// body is not sent yet), stops at `100 Continue` or at that instant.
pub(crate) fn read_response_head(
    conn: &mut Conn,
    method: &Method,
    limits: Limits,
    deadlines: &Deadlines,
    continue_until: Option<Instant>,
) -> Result<HeadOutcome, HeadFailure> {
    let mut parser = ResponseParser::new(limits);
    let mut interim = Vec::new();
    let mut first_byte_at = (!conn.rbuf.is_empty()).then(Instant::now);
    let mut any_byte = !conn.rbuf.is_empty();
    loop {
        let mut slots = vec![EMPTY_HEADER; limits.max_headers.clamp(1, MAX_RESPONSE_HEADERS)];
        let parsed = parser
            .parse(&conn.rbuf, &mut slots)
            .map_err(|e| HeadFailure::Other(Error::BadResponse(e)))?;
        if let Status::Complete((view, n)) = parsed {
            let head = view.to_head();
            let raw = conn.rbuf[..n].to_vec();
            conn.rbuf.drain(..n);
            let status = head.status.as_u16();
            // 1xx (100 Continue, 103 Early Hints) precede the final response;
            // 101 would switch protocols, which we never ask for.
            if (100..200).contains(&status) && status != 101 {
                interim.push(raw);
                parser.reset();
                if status == 100 && continue_until.is_some() {
                    return Ok(HeadOutcome::Continue {
                        interim,
                        timed_out: false,
                    });
                }
                continue;
            }
            let body_kind = response_body_kind(method, status, &head.headers)
                .map_err(|e| HeadFailure::Other(Error::BadResponse(e)))?;
            return Ok(HeadOutcome::Final(ReceivedHead {
                head,
                raw,
                interim,
                body_kind,
                first_byte_at: first_byte_at.unwrap_or_else(Instant::now),
            }));
        }
        let wait = deadlines.next_wait();
        let fill_deadline = continue_until.map_or(wait, |c| c.min(wait));
        match conn.fill(fill_deadline) {
            Ok(0) if !any_byte => return Err(HeadFailure::NothingReceived(Error::EmptyReply)),
            Ok(0) => {
                return Err(HeadFailure::Other(Error::Io {
                    phase: Phase::ReceiveHead,
                    source: io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed in the middle of the response head",
                    ),
                }))
            }
            Ok(_) => {
                any_byte = true;
                first_byte_at.get_or_insert_with(Instant::now);
            }
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                // The short wait for 100 Continue ended, not the request's.
                if continue_until.is_some_and(|c| c < wait && Instant::now() >= c) {
                    return Ok(HeadOutcome::Continue {
                        interim,
                        timed_out: true,
                    });
                }
                return Err(HeadFailure::Other(Error::Timeout {
                    phase: Phase::ReceiveHead,
                }));
            }
            Err(e) if !any_byte => {
                return Err(HeadFailure::NothingReceived(Error::io(
                    Phase::ReceiveHead,
                    e,
                )))
            }
            Err(e) => return Err(HeadFailure::Other(Error::io(Phase::ReceiveHead, e))),
        }
    }
}

/// Where a finished connection goes.
pub(crate) struct Return {
    pub pool: Arc<Pool>,
    pub key: PoolKey,
    pub id: u64,
    /// Told "left intact" or "closing" for `-v`.
    pub tracer: crate::trace::Tracer,
}

/// The response body as a stream. Reading it to the end returns a
/// keep-alive connection to the pool; dropping it early closes the
/// connection (its remaining bytes would confuse the next response).
pub struct BodyReader {
    conn: Option<Conn>,
    /// The framing, as a sans-IO decoder.
    decoder: BodyDecoder,
    /// Decoded chunked bytes not handed out yet: `out[pos..]`.
    out: Vec<u8>,
    pos: usize,
    keep_alive: bool,
    deadlines: Deadlines,
    received: u64,
    ret: Option<Return>,
}

impl std::fmt::Debug for BodyReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "BodyReader({:?}, {} bytes read)",
            self.decoder, self.received
        )
    }
}

impl BodyReader {
    pub(crate) fn new(
        conn: Conn,
        kind: BodyKind,
        keep_alive: bool,
        deadlines: Deadlines,
        ret: Option<Return>,
    ) -> BodyReader {
        let decoder = BodyDecoder::new(kind);
        let keep_alive = keep_alive && decoder.leaves_connection_reusable();
        let mut r = BodyReader {
            conn: Some(conn),
            decoder,
            out: Vec::new(),
            pos: 0,
            keep_alive,
            deadlines,
            received: 0,
            ret,
        };
        if r.decoder.is_done() {
            r.release();
        }
        r
    }

    /// Body bytes delivered so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Sets how long one read may wait (the idle timeout).
    pub fn set_idle_timeout(&mut self, idle: Duration) {
        self.deadlines.idle = idle;
    }

    /// The body is complete on the wire: give the connection back to the
    /// pool when it may carry another exchange, or close it.
    fn release(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        let Some(ret) = self.ret.take() else {
            return;
        };
        let trace = |msg: String| ret.tracer.note(&msg);
        // Stray bytes after the body: the next boundary is unknown, close.
        if self.keep_alive && conn.rbuf.is_empty() {
            trace(format!(
                "Connection #{} to host {} left intact",
                ret.id, ret.key.host
            ));
            ret.pool.put(ret.key.clone(), conn, ret.id);
        } else {
            trace(format!("Closing connection #{}", ret.id));
        }
    }

    fn fail(&mut self, e: Error) -> io::Error {
        self.decoder = BodyDecoder::Done;
        self.out.clear();
        self.pos = 0;
        if let Some(conn) = self.conn.take() {
            conn.abort();
        }
        e.into_io()
    }

    fn read_inner(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            // Decoded bytes first, even after the connection went back.
            if self.pos < self.out.len() {
                let n = (self.out.len() - self.pos).min(buf.len());
                buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
                self.pos += n;
                self.received += n as u64;
                return Ok(n);
            }
            if self.decoder.is_done() {
                self.release();
                return Ok(0);
            }
            let Some(conn) = self.conn.as_mut() else {
                return Ok(0);
            };
            let wait = self.deadlines.next_wait();
            match self.decoder.passthrough_limit() {
                // Length or close-delimited: straight into the caller's buffer.
                Some(limit) => {
                    let want = usize::try_from(limit).unwrap_or(usize::MAX).min(buf.len());
                    let n = conn
                        .read_direct(&mut buf[..want], wait)
                        .map_err(|e| Error::io(Phase::ReceiveBody, e))?;
                    if n == 0 {
                        self.decoder.on_eof().map_err(|_| Error::Incomplete {
                            received: self.received,
                        })?;
                        self.release();
                        return Ok(0);
                    }
                    self.decoder.passed_through(n as u64);
                    self.received += n as u64;
                    if self.decoder.is_done() {
                        self.release();
                    }
                    return Ok(n);
                }
                // Chunked: decode what arrived, read more when that gave nothing.
                None => {
                    self.out.clear();
                    self.pos = 0;
                    if !conn.rbuf.is_empty() {
                        let used = self
                            .decoder
                            .decode(&conn.rbuf, &mut self.out)
                            .map_err(Error::BadResponse)?;
                        conn.rbuf.drain(..used);
                        if self.decoder.is_done() {
                            // The last chunk is in: the connection can go back
                            // now, the decoded rest is served from `out`.
                            self.release();
                            continue;
                        }
                        if used > 0 || !self.out.is_empty() {
                            continue;
                        }
                    }
                    let n = conn
                        .fill(wait)
                        .map_err(|e| Error::io(Phase::ReceiveBody, e))?;
                    if n == 0 {
                        self.decoder.on_eof().map_err(|_| Error::Incomplete {
                            received: self.received,
                        })?;
                    }
                }
            }
        }
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_inner(buf).map_err(|e| self.fail(e))
    }
}

impl Drop for BodyReader {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            if let Some(ret) = &self.ret {
                ret.tracer.note(&format!(
                    "Closing connection #{} (body not read to the end)",
                    ret.id
                ));
            }
            drop(conn);
        }
    }
}
