//! The contract between the event loop and what it drives, HTTP-agnostic.
//!
//! The loop (`worker.rs`) owns the poller, the listener, the slab of
//! sessions with generation tokens, the timer wheel, the waker and the
//! ready list. It knows a session only through [`Session`]: readiness, a
//! message, a timer or a drain go in; the wanted interest, the next
//! deadline, "give me another turn" and "I am closed" come out, and the
//! loop applies them after every call (re-registering only when the
//! interest changed, re-arming the timer only when the deadline moved
//! earlier). A per-worker [`Service`] makes sessions from accepted
//! streams, refreshes its per-turn state (the wall clock) and routes
//! messages that arrived through the worker's waker to their tokens.
//!
//! Both traits are used as generic parameters (`Worker<S: Service>`), so
//! the hot path is monomorphised: no dynamic dispatch per event. The only
//! `dyn` is [`Session::source`], used to (re)register, which happens when
//! the interest changes, not per event.
//!
//! Contracts every implementation keeps:
//! - a session never closes its socket itself: it reports
//!   [`Session::is_closed`] and the loop frees it after the batch, calling
//!   [`Session::on_close`] first (close in two steps);
//! - a session that stopped with work left that no readiness event will
//!   announce (a budget ran out) says so with [`Session::wants_turn`], and
//!   the loop calls [`Session::on_ready`] again next turn with no readiness;
//! - [`Session::deadline`] may move later without telling: the loop arms the
//!   earliest one it saw and calls [`Session::on_timer`], which checks the
//!   deadline again against `turn.now` (timers are re-armed lazily).

use mio::net::TcpStream;
use mio::{Interest, Token};
use std::net::SocketAddr;
use std::time::Instant;

/// What a call into a session knows of the loop's turn.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Turn {
    /// The monotonic clock, read once per loop turn (tests pass their own).
    pub(crate) now: Instant,
    /// The session's token: messages for it carry this.
    pub(crate) token: Token,
    /// Graceful shutdown is under way.
    pub(crate) draining: bool,
}

/// Readiness reported by the poller for one session.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Ready {
    pub(crate) readable: bool,
    pub(crate) writable: bool,
    /// The peer half-closed, or the socket has an error.
    pub(crate) hup: bool,
}

/// One connection as the loop sees it; `S` is the worker's service, the
/// per-worker state every call may use.
pub(crate) trait Session<S: Service> {
    /// Readiness, or another turn (all flags false) after `wants_turn`.
    fn on_ready(&mut self, svc: &mut S, turn: Turn, ready: Ready);
    /// A message routed to this session's token by [`Service::next_message`].
    fn on_message(&mut self, svc: &mut S, turn: Turn, msg: S::Message);
    /// The armed timer fired; the deadline may have moved since.
    fn on_timer(&mut self, svc: &mut S, turn: Turn);
    /// Graceful shutdown began.
    fn on_drain(&mut self, svc: &mut S, turn: Turn);
    /// Close now and abortively (the drain timeout passed, registration
    /// failed).
    fn abort(&mut self);
    /// The loop is about to free the session (its socket closes with it).
    fn on_close(&mut self, svc: &mut S, turn: Turn);
    /// The poller interest wanted now.
    fn interest(&self) -> Interest;
    /// When the session must next be looked at, if ever.
    fn deadline(&self, svc: &S) -> Option<Instant>;
    /// Work is left that no readiness event will announce.
    fn wants_turn(&self) -> bool;
    /// Done: free after this batch.
    fn is_closed(&self) -> bool;
    /// What the poller registers.
    fn source(&mut self) -> &mut dyn mio::event::Source;
}

/// The per-worker side of the protocol the loop drives.
pub(crate) trait Service: Sized {
    type Session: Session<Self>;
    /// What other threads send to a session, through the worker's waker.
    type Message;
    /// A session for an accepted, registered-to-be stream.
    fn open(&mut self, stream: TcpStream, peer: SocketAddr, now: Instant) -> Self::Session;
    /// Called once per loop turn, after the poll returns, before any event
    /// is handled (per-turn caches such as the wall clock).
    fn begin_turn(&mut self);
    /// After a wake-up: the next message and the token it is for, until
    /// `None`. Messages for stale tokens are dropped by the loop.
    fn next_message(&mut self) -> Option<(Token, Self::Message)>;
}
