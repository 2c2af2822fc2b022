//! Streamed request bodies, the loop's side: a pool handler that opts in
//! ([`crate::Handler::streams_body`]) gets its request at the end of the
//! head, and the connection feeds the body into a bounded pipe as it
//! arrives (`request_body.rs` holds the pipe and the handler's reader).
//!
//! ```text
//!  head --streams_body--> Streaming --body complete--> Handling --answer--> Head / Closing
//!                             |
//!                             +--answer before the end--> Discard(n) --n bytes dropped--> Head
//!                                                     \-> Closing (rest large, unknown, or never asked for)
//! ```
//!
//! - Backpressure: the connection reads the socket only while the pipe
//!   has room; the handler's reads wake it (`Msg::Wake`) once drained.
//!   Readiness is edge-triggered, so not reading is enough to stop (the
//!   kernel buffer fills and the client's window closes); the readiness
//!   is remembered (`can_read`) and the wake-up reads on.
//! - `Expect: 100-continue` is answered at the handler's first read, so a
//!   handler that refuses without reading never makes the client send.
//! - The body deadline runs only while the connection wants bytes; on
//!   expiry the handler's read fails with `TimedOut`, on the peer's EOF
//!   with `UnexpectedEof`, on any other end of the connection with
//!   `ConnectionAborted` (the pipe's writer fails it when dropped).
//! - An early answer: the rest of a `Content-Length` body up to
//!   [`DISCARD_MAX_BYTES`] is read and dropped and the connection kept;
//!   a larger or chunked rest, or a body the client was never told to
//!   send, closes with the lingering close. Leftover body bytes never
//!   reach the head parser.

use super::body::CONTINUE;
use super::io_cache::Io;
use super::{Conn, Ctx, State, BODY_READ_BUF_BYTES};
use crate::config::Config;
use crate::pool::Msg;
use crate::request::Request;
use crate::request_body::{Pipe, PipeWriter};
use crate::response::Response;
use crate::transport::Transport;
use brisk_core::{BodyDecoder, BodyKind, Headers, ParseError, StatusCode};
use std::io::ErrorKind;
use std::time::Instant;

/// The rest of a body left unread by an early answer is discarded, and
/// the connection kept, up to this size (bytes); beyond it, the
/// connection closes.
pub(super) const DISCARD_MAX_BYTES: u64 = 1 << 20;

/// A body on its way to a handler already running.
#[derive(Debug)]
pub(super) struct Streaming {
    decoder: BodyDecoder,
    pipe: PipeWriter,
    /// `100 Continue` is owed, sent at the handler's first read.
    continue_owed: bool,
}

impl Streaming {
    /// The body deadline, while the connection waits for the client.
    pub(super) fn deadline(&self, last_read: Instant, c: &Config) -> Option<Instant> {
        let waiting_for_client = !self.continue_owed && self.pipe.room() > 0;
        waiting_for_client.then(|| last_read + c.body_timeout)
    }

    /// Whether to read the socket now: the pipe has room and the read
    /// buffer can take more.
    pub(super) fn wants_bytes(&self, io: &Io) -> bool {
        io.rbuf.len() < BODY_READ_BUF_BYTES && self.pipe.room() > 0
    }

    /// The body will not complete: the handler's reads fail with `kind`.
    pub(super) fn fail(&self, kind: ErrorKind) {
        let why = match kind {
            ErrorKind::TimedOut => "no request body bytes within the body timeout",
            ErrorKind::UnexpectedEof => "the client closed before the request body ended",
            _ => "the request body cannot be read",
        };
        self.pipe.fail(kind, why);
    }
}

/// Decodes `input` into `out`: the input bytes used, and once the body
/// is complete its trailer fields (taken before the chunked decoder is
/// dropped for `Done`).
fn decode(
    decoder: &mut BodyDecoder,
    input: &[u8],
    out: &mut Vec<u8>,
) -> Result<(usize, Option<Headers>), ParseError> {
    let BodyDecoder::Chunked(chunked) = decoder else {
        let used = decoder.decode(input, out)?;
        return Ok((used, decoder.is_done().then(Headers::new)));
    };
    let (used, done) = chunked.decode(input, out)?;
    if !done {
        return Ok((used, None));
    }
    let trailers = chunked.trailers();
    *decoder = BodyDecoder::Done;
    Ok((used, Some(trailers)))
}

/// Moves buffered body bytes into the pipe until the buffer is empty, the
/// pipe is full (which marks the loop waiting, so the reader's drain wakes
/// it) or the body is complete (its trailer fields returned). Stopping
/// anywhere else would strand bytes: with room left the reader never wakes
/// the loop, and no readiness edge announces bytes already read.
fn fill_pipe(s: &mut Streaming, io: &mut Io) -> Result<Option<Headers>, ParseError> {
    loop {
        let room = s.pipe.room();
        let input = &io.rbuf.filled()[..io.rbuf.len().min(room)];
        if input.is_empty() {
            return Ok(None);
        }
        let decoder = &mut s.decoder;
        let (used, trailers) = s.pipe.fill(|out| decode(decoder, input, out))?;
        io.rbuf.consume(used);
        if trailers.is_some() || used == 0 {
            return Ok(trailers);
        }
    }
}

impl<T: Transport> Conn<T> {
    /// Hands `req` to the pool now, its body to follow through a pipe.
    pub(super) fn begin_streaming(
        &mut self,
        mut req: Box<Request>,
        kind: BodyKind,
        continue_owed: bool,
        io: &mut Io,
        ctx: &mut Ctx<'_>,
    ) {
        let Some(pool) = &ctx.shared.pool else {
            return self.dispatch(req, io, ctx);
        };
        let (pipe, reader) = Pipe::new(ctx.token, ctx.reply.clone());
        req.set_stream(reader);
        if let Err(req) = pool.submit(ctx.token, req, ctx.reply.clone(), ctx.now) {
            log::error!("handler pool is gone");
            return self.refuse(StatusCode::SERVICE_UNAVAILABLE, req, io, ctx);
        }
        self.last_read = ctx.now;
        // Whole-buffer reads: the buffer is drained into the pipe each time.
        io.rbuf.grow_to(BODY_READ_BUF_BYTES);
        let decoder = BodyDecoder::new(kind);
        self.set_state(State::Streaming(Box::new(Streaming {
            decoder,
            pipe,
            continue_owed,
        })));
    }

    /// A message from the pool side.
    pub(crate) fn on_pool_message(&mut self, msg: Msg, ctx: &mut Ctx<'_>) {
        match msg {
            Msg::Done(d) => self.on_answer(d.req, d.resp, d.started, ctx),
            Msg::Wake(_) => self.on_body_wanted(ctx),
            // For a WebSocket session; this token is still HTTP (or was
            // reused): nothing to do.
            Msg::Ws(..) => {}
        }
    }

    /// The handler drained the pipe or began reading: answer a pending
    /// `Expect`, then read on.
    fn on_body_wanted(&mut self, ctx: &mut Ctx<'_>) {
        if !matches!(self.state, State::Streaming(_)) {
            return;
        }
        self.with_io(ctx, |conn, io, ctx| {
            if let State::Streaming(s) = &mut conn.state {
                if s.continue_owed && s.pipe.reading() {
                    s.continue_owed = false;
                    let mut out = io.wq.take_buf();
                    out.extend_from_slice(CONTINUE);
                    io.wq.push_vec(out);
                }
            }
            // The client was not the one waiting.
            conn.last_read = ctx.now;
            conn.more = false;
            conn.drive_io(io, ctx);
        });
    }

    /// Whether a pool answer is expected in this state.
    pub(super) fn awaits_answer(&self) -> bool {
        matches!(self.state, State::Handling | State::Streaming(_))
    }

    /// Moves buffered body bytes on: into the pipe, or dropped after an
    /// early answer. True when the state changed (the caller goes on).
    pub(super) fn feed_body(&mut self, io: &mut Io, ctx: &mut Ctx<'_>) -> bool {
        match &mut self.state {
            State::Discard(left) => {
                let n = io
                    .rbuf
                    .len()
                    .min(usize::try_from(*left).unwrap_or(usize::MAX));
                io.rbuf.consume(n);
                *left -= n as u64;
                if *left > 0 {
                    return false;
                }
                self.set_state(State::Head);
                true
            }
            State::Streaming(s) => {
                let trailers = match fill_pipe(s, io) {
                    Ok(Some(trailers)) => trailers,
                    Ok(None) => return false,
                    Err(e) => return self.bad_stream(e, io, ctx),
                };
                if let State::Streaming(s) = self.set_state(State::Handling) {
                    s.pipe.finish(trailers);
                }
                true
            }
            _ => false,
        }
    }

    /// A malformed chunked body: the handler's reads fail, the client gets
    /// the error status, the connection closes (the handler's own answer
    /// will find it gone).
    fn bad_stream(&mut self, e: ParseError, io: &mut Io, ctx: &mut Ctx<'_>) -> bool {
        if let State::Streaming(s) = &self.state {
            s.fail(ErrorKind::InvalidData);
        }
        self.fail(e.status(), io, ctx);
        true
    }

    /// Before an answer is framed: what becomes of a body the handler did
    /// not read to its end. Returns the response (told to close when the
    /// rest cannot be discarded) and the bytes to discard after it.
    pub(super) fn settle_body(&mut self, resp: Response) -> (Response, Option<u64>) {
        if !matches!(self.state, State::Streaming(_)) {
            return (resp, None);
        }
        let State::Streaming(s) = self.set_state(State::Handling) else {
            return (resp, None);
        };
        match s.decoder {
            BodyDecoder::Length { remaining }
                if !s.continue_owed && remaining <= DISCARD_MAX_BYTES =>
            {
                (resp, Some(remaining))
            }
            BodyDecoder::Done => (resp, None),
            _ => (resp.header("Connection", "close"), None),
        }
    }

    /// After the answer is queued: discard the rest if the connection is
    /// kept.
    pub(super) fn discard_rest(&mut self, rest: Option<u64>) {
        if let (Some(n), State::Head) = (rest, &self.state) {
            if n > 0 {
                self.set_state(State::Discard(n));
            }
        }
    }
}
