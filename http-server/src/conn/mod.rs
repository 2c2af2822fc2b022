//! One HTTP/1.1 connection: a state machine driven by readiness, pool
//! answers and deadlines. It owns its transport and its buffers; the loop
//! owns the poller, the timers and the slab, and drives the connection
//! through `Session` (implemented in `service.rs`).
//!
//! ```text
//!             +-------------------- keep-alive ---------------------+
//!             v                                                      |
//!  accept -> Head --(head with body)--> Body --(body complete)--+    |
//!             |  \                                              v    |
//!             |   +-------(head without body)------------> [handler] |
//!             |                                             |  inline: respond
//!             |                                             |  pool:   Handling --(answer)--+
//!             |                                             v                               |
//!             +--(error / close / EOF)--> Closing --(queue flushed)--> Lingering --> Closed |
//!                                            ^----------------(response says close)---------+
//! ```
//!
//! Reading and writing progress are kept apart: the state says what the
//! next input bytes mean; the write queue holds whatever responses are not
//! yet in the kernel. Interest follows from both: always readable, plus
//! writable only while the socket is full.
//!
//! The parts: this file holds the states, `drive`, reading, flushing, the
//! lingering close, interest and deadlines; `head.rs` the head parse,
//! dispatch and response framing; `body.rs` request bodies; `stream.rs`
//! bodies streamed to a pool handler (the `Streaming` and `Discard`
//! states, drawn there); `report.rs`
//! completion reporting; `io_cache.rs` the buffers and their cache.
//!
//! Time is passed in (`Ctx::now`): nothing here reads a clock, so tests
//! drive every deadline.

mod body;
mod head;
mod io_cache;
mod report;
mod stream;
#[cfg(test)]
mod tests;

pub(crate) use io_cache::IoCache;

use crate::buf::{FlushOutcome, ReadOutcome};
use crate::config::Config;
use crate::frame::HeadCache;
use crate::pool::Reply;
use crate::request::Request;
use crate::response::Response;
use crate::shared::Shared;
use crate::transport::{self, Transport};
use crate::upgrade::{Handoff, Upgrade};
use body::BodyRead;
use brisk_core::ParseError;
use io_cache::Io;
use mio::Interest;
use std::io;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::time::Instant;
use stream::Streaming;

/// Above this many response bytes waiting in memory, stop parsing
/// pipelined requests and stop reading (backpressure).
pub(crate) const WRITE_HIGH_WATER_BYTES: usize = 64 << 10;
/// Likewise for file regions and streams waiting in the queue (each holds a
/// descriptor or a producer, not memory).
const MAX_QUEUED_BODIES: usize = 16;
/// Bytes read per connection per loop turn before others get their turn.
const READ_BUDGET_BYTES: usize = 256 << 10;
/// Largest read buffer while a body streams through it (bytes).
pub(super) const BODY_READ_BUF_BYTES: usize = 64 << 10;
/// Read buffer while lingering: input is discarded (bytes).
const LINGER_READ_BUF_BYTES: usize = 4096;
/// Room past the head limit, so that the parser reports the breach (414
/// or 431) itself (bytes).
const HEAD_READ_SLACK_BYTES: usize = 1024;

/// What the next bytes from the peer mean.
#[derive(Debug)]
enum State {
    /// Awaiting a request head (idle when nothing is buffered).
    Head,
    /// Reading the body of a parsed request.
    Body(Box<BodyRead>),
    /// The request is in the handler pool, which reads its body as it
    /// arrives (`stream.rs`).
    Streaming(Box<Streaming>),
    /// The handler answered before the body's end: drop this many bytes.
    Discard(u64),
    /// The request is in the handler pool; input waits.
    Handling,
    /// The last response is queued; flush it, then linger.
    Closing,
    /// Our FIN is sent; discard input until EOF or the linger deadline
    /// (counted from the last write).
    Lingering,
    /// A `101` is queued: once it is flushed the connection leaves HTTP
    /// (`upgrade.rs`); input waits for the new protocol.
    Upgrading(Box<Upgrade>),
    /// Done: the loop frees the connection after this turn.
    Closed,
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            State::Head => "Head",
            State::Body(_) => "Body",
            State::Streaming(_) => "Streaming",
            State::Discard(_) => "Discard",
            State::Handling => "Handling",
            State::Closing => "Closing",
            State::Lingering => "Lingering",
            State::Upgrading(_) => "Upgrading",
            State::Closed => "Closed",
        }
    }
}

/// What every call gets from the worker's HTTP service: shared settings,
/// the clock and its `Date`, the pool's return path, the buffer cache.
/// Built in one place, `HttpService::ctx`.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) now: Instant,
    /// The `Date` value for this turn's wall clock.
    pub(crate) date: &'a str,
    /// The previous response's head start, for the next one alike.
    pub(crate) heads: &'a mut HeadCache,
    pub(crate) reply: &'a Reply,
    pub(crate) token: usize,
    pub(crate) draining: bool,
    /// The event being handled reported the peer's half-close or an error.
    pub(crate) hup: bool,
    pub(crate) io_cache: &'a mut IoCache,
}

pub(crate) struct Conn<T> {
    transport: T,
    peer: SocketAddr,
    state: State,
    /// Buffers, only while there is work (see `io_cache.rs`).
    io: Option<Box<Io>>,
    /// Responses started on this connection.
    served: u32,
    /// Edge-triggered readiness, remembered until `WouldBlock`.
    can_read: bool,
    can_write: bool,
    /// The peer sent EOF.
    peer_eof: bool,
    /// The poller reported the peer's half-close (EOF is queued).
    peer_hup: bool,
    /// Work is left that no event will announce (a budget ran out).
    more: bool,
    /// When the connection was accepted: the first request's head (and a
    /// TLS handshake or PROXY header before it) must be complete by
    /// `opened + head_timeout`.
    opened: Instant,
    last_read: Instant,
    last_write: Instant,
}

impl<T: Transport> Conn<T> {
    pub(crate) fn new(transport: T, peer: SocketAddr, now: Instant) -> Conn<T> {
        Conn {
            transport,
            peer,
            state: State::Head,
            io: None,
            served: 0,
            can_read: false,
            can_write: true,
            peer_eof: false,
            peer_hup: false,
            more: false,
            opened: now,
            last_read: now,
            last_write: now,
        }
    }

    /// Runs `f` with the buffers (taken from the worker's cache when the
    /// connection has none), and gives them back to the cache afterwards
    /// if the connection went idle. The buffers are out of `self.io` while
    /// `f` runs: everything it calls takes them as `&mut Io`.
    fn with_io<R>(
        &mut self,
        ctx: &mut Ctx<'_>,
        f: impl FnOnce(&mut Self, &mut Io, &mut Ctx<'_>) -> R,
    ) -> R {
        let mut io = match self.io.take() {
            Some(io) => io,
            None => ctx.io_cache.take(ctx.shared.config.limits()),
        };
        let out = f(self, &mut io, ctx);
        if matches!(self.state, State::Head) && io.is_quiet() {
            ctx.io_cache.put(io);
            self.transport.release_buffers();
        } else {
            self.io = Some(io);
        }
        out
    }

    /// Nothing waits to be written: not in the queue, not in the
    /// transport (TLS records the socket did not take). Only outside
    /// `with_io`, which takes the queue out of `self`.
    fn wq_is_empty(&self) -> bool {
        self.io.as_ref().map_or(true, |io| io.wq.is_empty()) && !self.transport.pending_output()
    }

    pub(crate) fn source(&mut self) -> &mut dyn mio::event::Source {
        self.transport.source()
    }

    pub(crate) fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// Whether the connection has work that no readiness event will
    /// announce; the loop drives it again next turn.
    pub(crate) fn wants_turn(&self) -> bool {
        self.more && !self.is_closed()
    }

    /// The interest the state calls for.
    pub(crate) fn interest(&self) -> Interest {
        if !self.wq_is_empty() && !self.can_write {
            Interest::READABLE | Interest::WRITABLE
        } else {
            Interest::READABLE
        }
    }

    /// The `101` is out (nothing left in the queue or the transport): the
    /// connection is ready to leave HTTP through [`Conn::into_handoff`].
    pub(crate) fn upgrade_ready(&self) -> bool {
        matches!(self.state, State::Upgrading(_)) && self.wq_is_empty()
    }

    /// Gives the transport, the bytes read past the upgrade request and
    /// the upgrade to the next session; `Err(self)` unless
    /// [`Conn::upgrade_ready`].
    pub(crate) fn into_handoff(mut self) -> Result<Handoff<T>, Conn<T>> {
        if !self.upgrade_ready() {
            return Err(self);
        }
        let State::Upgrading(upgrade) = self.set_state(State::Closed) else {
            return Err(self); // ok: upgrade_ready checked the state
        };
        let read_ahead = self
            .io
            .take()
            .map(|io| io.rbuf.filled().to_vec())
            .unwrap_or_default();
        Ok(Handoff {
            transport: self.transport,
            peer: self.peer,
            read_ahead,
            upgrade: *upgrade,
        })
    }

    /// The one place the state changes.
    fn set_state(&mut self, new: State) -> State {
        log::trace!("{} {} => {}", self.peer, self.state.name(), new.name());
        std::mem::replace(&mut self.state, new)
    }

    /// Idle: between requests, nothing buffered either way.
    fn is_idle(&self) -> bool {
        matches!(self.state, State::Head) && self.io.as_ref().map_or(true, |io| io.is_quiet())
    }

    /// When this connection must next be looked at, if ever.
    pub(crate) fn deadline(&self, c: &Config) -> Option<Instant> {
        if let State::Lingering = self.state {
            return Some(self.last_write + c.linger_timeout);
        }
        if matches!(self.state, State::Closed) {
            return None;
        }
        if !self.wq_is_empty() {
            // A stalled write: the peer stopped reading.
            return Some(self.last_write + c.write_timeout);
        }
        match &self.state {
            State::Head => Some(match self.io.as_ref().and_then(|io| io.head_started) {
                _ if self.served == 0 => self.opened + c.head_timeout,
                Some(t) => t + c.head_timeout,
                None => self.last_read.max(self.last_write) + c.keep_alive_timeout,
            }),
            State::Body(_) | State::Discard(_) => Some(self.last_read + c.body_timeout),
            State::Streaming(s) => s.deadline(self.last_read, c),
            _ => None,
        }
    }

    /// The deadline has passed.
    pub(crate) fn on_timeout(&mut self) {
        match self.state {
            // The drain after our FIN is over.
            State::Lingering => self.close(),
            // An idle keep-alive connection: a plain close.
            State::Head if self.is_idle() && self.served > 0 => self.close_idle(),
            // A trickled head, a stalled body or write, a silent new
            // connection: the peer holds resources it does not use.
            _ => {
                log::debug!("{} timed out in {}", self.peer, self.state.name());
                if let State::Streaming(s) = &self.state {
                    s.fail(ErrorKind::TimedOut);
                }
                self.abort_now();
            }
        }
    }

    /// Graceful shutdown began: an idle connection closes now; a busy one
    /// finishes its request with `Connection: close`.
    pub(crate) fn on_drain(&mut self) {
        if self.is_idle() {
            self.close_idle();
        }
    }

    /// Closes a connection with nothing in flight: our FIN (after
    /// `close_notify` under TLS, best effort: the socket is idle, so it
    /// takes them) and the close.
    fn close_idle(&mut self) {
        if let Err(e) = self.transport.shutdown_write() {
            log::debug!("{} shutdown at idle close: {e}", self.peer);
        }
        self.close();
    }

    /// Cut now, abortively (a timeout, the drain deadline, an I/O error).
    pub(crate) fn abort_now(&mut self) {
        self.transport.set_abortive_close();
        self.close();
    }

    fn close(&mut self) {
        self.set_state(State::Closed);
    }

    /// A readiness event, or another turn (`readable`/`writable` false).
    pub(crate) fn drive(&mut self, ctx: &mut Ctx<'_>, readable: bool, writable: bool) {
        self.can_read |= readable;
        self.peer_hup |= readable && ctx.hup;
        self.can_write |= writable;
        self.more = false;
        self.with_io(ctx, Self::drive_io);
    }

    /// The pool answered this connection's request.
    pub(crate) fn on_answer(
        &mut self,
        req: Box<Request>,
        resp: Response,
        started: Instant,
        ctx: &mut Ctx<'_>,
    ) {
        if !self.awaits_answer() {
            return;
        }
        self.with_io(ctx, |conn, io, ctx| {
            let (resp, rest) = conn.settle_body(resp);
            conn.respond(&req, resp, started, io, ctx);
            conn.discard_rest(rest);
            Self::recycle(io, req);
            conn.more = false;
            conn.drive_io(io, ctx);
        });
    }

    /// Parses, flushes and reads in turn until the socket is drained, the
    /// state wants no input, or the read budget is used up.
    fn drive_io(&mut self, io: &mut Io, ctx: &mut Ctx<'_>) {
        let mut budget = READ_BUDGET_BYTES;
        loop {
            let held_back = self.process_input(io, ctx);
            self.flush(io, ctx);
            if self.is_closed() {
                return;
            }
            if held_back && !backpressured(io) {
                // The queue drained: parse what is already buffered.
                continue;
            }
            if !self.wants_input(io) || !self.can_read {
                break;
            }
            if budget == 0 {
                self.more = true;
                break;
            }
            match self.read(io, ctx) {
                Ok(ReadOutcome::Data { n, short }) => {
                    budget = budget.saturating_sub(n);
                    // A short read drained the socket: new bytes will raise a
                    // new edge, so skip the read that would only say
                    // WouldBlock (nginx does the same). Not after a peer
                    // half-close, whose EOF raises no further edge.
                    if short && !self.peer_hup {
                        self.can_read = false;
                    }
                }
                Ok(ReadOutcome::WouldBlock) => {
                    self.can_read = false;
                    break;
                }
                Ok(ReadOutcome::Eof) => {
                    self.can_read = false;
                    self.on_eof();
                }
                Ok(ReadOutcome::Full) => {
                    // The read buffer's limit is the head limit plus slack.
                    self.refuse_bytes(ParseError::HeadTooLarge.status(), io, ctx);
                }
                Err(e) if transport::is_plain_http(&e) => {
                    self.refuse_plain_http(io, ctx);
                }
                Err(e) => {
                    log::debug!("{} read failed: {e}", self.peer);
                    self.abort_now();
                    return;
                }
            }
        }
    }

    /// Whether the state wants more bytes from the peer now.
    fn wants_input(&self, io: &Io) -> bool {
        match self.state {
            State::Head | State::Body(_) | State::Discard(_) => {
                !self.peer_eof && !backpressured(io)
            }
            State::Streaming(ref s) => !self.peer_eof && s.wants_bytes(io),
            State::Lingering => !self.peer_eof,
            State::Handling | State::Closing | State::Upgrading(_) | State::Closed => false,
        }
    }

    fn read(&mut self, io: &mut Io, ctx: &mut Ctx<'_>) -> io::Result<ReadOutcome> {
        let limit = match self.state {
            State::Body(_) | State::Streaming(_) | State::Discard(_) => BODY_READ_BUF_BYTES,
            State::Lingering => LINGER_READ_BUF_BYTES,
            _ => ctx.shared.config.max_head_bytes + HEAD_READ_SLACK_BYTES,
        };
        let transport = &mut self.transport;
        let out = io.rbuf.read_from(|b| transport.read(b), limit)?;
        if let ReadOutcome::Data { .. } = out {
            if let Some(client) = self.transport.take_proxied_peer() {
                self.peer = client;
            }
            self.last_read = ctx.now;
            if let State::Lingering = self.state {
                io.rbuf.consume(io.rbuf.len());
            }
        }
        Ok(out)
    }

    fn on_eof(&mut self) {
        self.peer_eof = true;
        match self.state {
            // The peer is gone: nothing more to drain.
            State::Lingering => self.close(),
            // A truncated body cannot be answered.
            State::Body(_) | State::Discard(_) => self.close(),
            State::Streaming(ref s) => {
                s.fail(ErrorKind::UnexpectedEof);
                self.close();
            }
            // Head: buffered requests are still answered (process_input
            // closes once they are); Handling and Closing finish writing.
            _ => {}
        }
    }

    /// Parses and handles every complete request the state and the
    /// backpressure allow. Returns true when backpressure held back bytes
    /// already buffered: once the queue drains, no readiness event will
    /// announce them, so the caller must come back.
    fn process_input(&mut self, io: &mut Io, ctx: &mut Ctx<'_>) -> bool {
        loop {
            match self.state {
                State::Head => {
                    if io.rbuf.is_empty() {
                        if self.peer_eof {
                            self.set_state(State::Closing);
                        }
                        return false;
                    }
                    if backpressured(io) {
                        return true;
                    }
                    match self.parse_head(io) {
                        Ok(Some((req, notes))) => self.begin_request(req, &notes, io, ctx),
                        Ok(None) => {
                            io.head_started.get_or_insert(ctx.now);
                            if self.peer_eof {
                                // A partial head and no more bytes coming.
                                self.set_state(State::Closing);
                            }
                            return false;
                        }
                        Err(e) => {
                            self.refuse_bytes(e.status(), io, ctx);
                            return false;
                        }
                    }
                }
                State::Body(_) => {
                    if io.rbuf.is_empty() || !self.read_body(io, ctx) {
                        return false;
                    }
                }
                State::Streaming(_) | State::Discard(_) => {
                    if io.rbuf.is_empty() || !self.feed_body(io, ctx) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
    }

    /// Writes what the transport takes; begins the lingering close once the
    /// last response is out.
    fn flush(&mut self, io: &mut Io, ctx: &mut Ctx<'_>) {
        if self.transport.pending_output() && self.can_write {
            self.flush_transport(ctx);
        }
        if !io.wq.is_empty() && self.can_write {
            let mut marks = Vec::new();
            let before = io.wq.sent_total();
            let outcome = io.wq.flush(&mut self.transport, &mut marks);
            if io.wq.sent_total() != before {
                self.last_write = ctx.now;
            }
            for total in marks {
                if let Some(p) = io.pending.pop_front() {
                    report::complete(io, self.peer, p, total, ctx);
                }
            }
            match outcome {
                Ok(FlushOutcome::Drained) => {}
                Ok(FlushOutcome::WouldBlock) => self.can_write = false,
                Ok(FlushOutcome::Budget) => self.more = true,
                Err(e) => {
                    log::debug!("{} write failed: {e}", self.peer);
                    return self.abort_now();
                }
            }
            if self.can_write && self.transport.pending_output() {
                self.flush_transport(ctx);
            }
        }
        // Not `wq_is_empty()`: inside `with_io` the queue is `io`, and
        // `self.io` is empty.
        if io.wq.is_empty()
            && !self.transport.pending_output()
            && matches!(self.state, State::Closing)
        {
            self.begin_linger(io, ctx);
        }
    }

    /// Writes what the transport holds (TLS records); a full socket
    /// waits for the next writable edge.
    fn flush_transport(&mut self, ctx: &Ctx<'_>) {
        match self.transport.flush_output() {
            Ok(()) => self.last_write = ctx.now,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.can_write = false,
            Err(e) => {
                log::debug!("{} write failed: {e}", self.peer);
                self.abort_now();
            }
        }
    }

    /// RFC 9112 9.6: half-close, then drain what the peer still sends, so
    /// that our close does not turn into a RST that destroys the response
    /// before the peer has read it.
    fn begin_linger(&mut self, io: &mut Io, ctx: &Ctx<'_>) {
        if self.peer_eof {
            return self.close();
        }
        match self.transport.shutdown_write() {
            Ok(()) => {}
            // TLS: close_notify waits in the transport; come back when
            // the socket takes it.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.can_write = false;
                return;
            }
            Err(e) => {
                log::debug!("{} shutdown failed: {e}", self.peer);
                return self.close();
            }
        }
        io.rbuf.consume(io.rbuf.len());
        // The linger deadline counts from now.
        self.last_write = ctx.now;
        self.set_state(State::Lingering);
        // Input already buffered in the kernel will not raise a new edge.
        self.can_read = true;
    }
}

/// Too much is queued for writing: parse and read no more for now.
fn backpressured(io: &Io) -> bool {
    io.wq.mem_bytes() >= WRITE_HIGH_WATER_BYTES || io.wq.pending_bodies() >= MAX_QUEUED_BODIES
}
