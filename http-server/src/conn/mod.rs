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
//! The parts: this file holds the states, the connection's fields, its
//! entry points (`drive`, `on_answer`) and interest; `input.rs` the drive
//! loop, reads, EOF and backpressure; `output.rs` flushing and the
//! lingering close; `deadline.rs` deadlines, timeouts, the drain and the
//! closes; `handoff.rs` leaving HTTP after a `101`; `head.rs` the head
//! parse, dispatch and response framing; `body.rs` request bodies;
//! `stream.rs` bodies streamed to a pool handler (the `Streaming` and
//! `Discard` states, drawn there); `report.rs` completion reporting;
//! `io_cache.rs` the buffers and their cache.
//!
//! Time is passed in (`Ctx::now`): nothing here reads a clock, so tests
//! drive every deadline.

mod body;
mod deadline;
mod handoff;
mod head;
mod input;
mod io_cache;
mod output;
mod report;
mod stream;
#[cfg(test)]
mod tests;

pub(crate) use io_cache::IoCache;

use crate::frame::HeadCache;
use crate::pool::Reply;
use crate::request::Request;
use crate::response::Response;
use crate::shared::Shared;
use crate::transport::Transport;
use crate::upgrade::Upgrade;
use body::BodyRead;
use io_cache::Io;
use mio::Interest;
use std::net::SocketAddr;
use std::time::Instant;
use stream::Streaming;

/// Above this many response bytes waiting in memory, stop parsing
/// pipelined requests and stop reading (backpressure).
pub(crate) const WRITE_HIGH_WATER_BYTES: usize = 64 << 10;
/// Likewise for file regions and streams waiting in the queue (each holds a
/// descriptor or a producer, not memory).
const MAX_QUEUED_BODIES: usize = 16;
/// Largest read buffer while a body streams through it (bytes).
pub(super) const BODY_READ_BUF_BYTES: usize = 64 << 10;

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

    /// The one place the state changes.
    fn set_state(&mut self, new: State) -> State {
        log::trace!("{} {} => {}", self.peer, self.state.name(), new.name());
        std::mem::replace(&mut self.state, new)
    }

    /// Idle: between requests, nothing buffered either way.
    fn is_idle(&self) -> bool {
        matches!(self.state, State::Head) && self.io.as_ref().map_or(true, |io| io.is_quiet())
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
}
