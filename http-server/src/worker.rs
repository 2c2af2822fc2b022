//! One worker's event loop, HTTP-agnostic: its own `mio::Poll`, its own
//! listener, a slab of sessions, a timing wheel, a waker, a ready list.
//! The loop sees tokens, readiness and deadlines; what a session does with
//! them is the session's business (see `session.rs` for the contract).
//!
//! Tokens carry the slab key in the low 32 bits and a generation above it,
//! so an event or a message for a session that has since closed (and whose
//! slot was reused) is recognised as stale and dropped.
//!
//! The poll timeout comes from the nearest deadline: the wheel's next
//! non-empty slot (looked for up to a second ahead), a paused accept, the
//! drain deadline; zero while sessions or accepts wait for another turn.

use crate::net;
use crate::session::{Ready, Service, Session, Turn};
use crate::shutdown::ShutdownInner;
use crate::timer::{TimerId, Wheel};
use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token, Waker};
use slab::Slab;
use std::io;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

const LISTENER: Token = Token(usize::MAX - 1);
const WAKER: Token = Token(usize::MAX);
/// How long to stop accepting after running out of descriptors (actix
/// waits 500 ms; a naive loop spins at 100% CPU on a listener that stays
/// readable).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// Connections accepted per loop turn before the existing ones get their
/// turn; the rest are accepted next turn (no new edge will announce them).
const ACCEPTS_PER_TURN: usize = 256;
/// Readiness events fetched per `epoll_wait`.
const EVENTS_CAPACITY: usize = 1024;

/// The loop's own settings (the rest belong to the service).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LoopSettings {
    /// Open sessions; beyond it, accepting pauses until one closes.
    pub(crate) max_connections: usize,
    /// How long graceful shutdown waits for busy sessions.
    pub(crate) drain_timeout: Duration,
}

struct Slot<T> {
    session: T,
    /// The armed timer.
    timer: Option<TimerId>,
    interest: Interest,
}

pub(crate) struct Worker<S: Service> {
    id: usize,
    poll: Poll,
    listener: Option<TcpListener>,
    settings: LoopSettings,
    /// Accepting is paused until then (descriptors ran out, or the
    /// connection cap was reached).
    accept_paused: Option<Instant>,
    /// The accept budget ran out with connections possibly still waiting.
    accept_more: bool,
    slots: Slab<Slot<S::Session>>,
    gens: Vec<u32>,
    wheel: Wheel,
    ready: Vec<Token>,
    to_close: Vec<usize>,
    service: S,
    shutdown: Arc<ShutdownInner>,
    drain_until: Option<Instant>,
}

fn make_token(key: usize, gen: u32) -> Token {
    Token(((gen as usize & 0x7fff_ffff) << 32) | key)
}

fn split_token(token: Token) -> (usize, u32) {
    (token.0 & 0xffff_ffff, (token.0 >> 32) as u32)
}

impl<S: Service> Worker<S> {
    /// Sets up the worker on the calling thread (so setup errors reach
    /// `serve`); [`Worker::run`] may then run on another thread.
    /// `make_service` gets the worker's waker (for its reply channels).
    pub(crate) fn new(
        id: usize,
        listener: std::net::TcpListener,
        settings: LoopSettings,
        shutdown: Arc<ShutdownInner>,
        make_service: impl FnOnce(Arc<Waker>) -> S,
    ) -> io::Result<Worker<S>> {
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let mut listener = TcpListener::from_std(listener);
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        shutdown.add_waker(waker.clone());
        Ok(Worker {
            id,
            poll,
            listener: Some(listener),
            settings,
            accept_paused: None,
            accept_more: false,
            slots: Slab::new(),
            gens: Vec::new(),
            wheel: Wheel::new(Instant::now()),
            ready: Vec::new(),
            to_close: Vec::new(),
            service: make_service(waker),
            shutdown,
            drain_until: None,
        })
    }

    /// The loop; returns once shutdown has drained every session.
    pub(crate) fn run(mut self) -> io::Result<()> {
        if let Err(e) = crate::sys::block_sigpipe() {
            log::warn!("worker {}: cannot block SIGPIPE: {e}", self.id);
        }
        let mut events = Events::with_capacity(EVENTS_CAPACITY);
        let mut expired = Vec::new();
        // The time the last poll returned: what this turn's checks and the
        // next poll's timeout start from (later by the turn's work, which
        // is far below a timer tick), so a turn reads the clock once.
        let mut now = Instant::now();
        loop {
            if self.drain_until.is_none() && self.shutdown.flag.load(Ordering::Acquire) {
                self.begin_drain(now);
            }
            if let Some(until) = self.drain_until {
                if self.slots.is_empty() {
                    break;
                }
                if now >= until {
                    log::info!(
                        "worker {}: drain timeout, {} connections cut",
                        self.id,
                        self.slots.len()
                    );
                    break;
                }
            }
            if let Some(at) = self.accept_paused {
                if now >= at {
                    if self.slots.len() < self.settings.max_connections {
                        self.resume_accept(now);
                    } else {
                        // Still full: look again later, or when one closes.
                        self.accept_paused = Some(now + ACCEPT_BACKOFF);
                    }
                }
            }
            let timeout = self.poll_timeout(now);
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            now = Instant::now();
            self.service.begin_turn();
            self.dispatch(&events, now);
            if self.accept_more {
                self.accept(now);
            }
            for token in std::mem::take(&mut self.ready) {
                let again = Ready::default();
                self.with_session(token, now, |s, svc, turn| s.on_ready(svc, turn, again));
            }
            self.wheel.expire(now, &mut expired);
            for key in expired.drain(..) {
                self.on_timer(key, now);
            }
            self.close_marked(now);
        }
        let keys: Vec<usize> = self.slots.iter().map(|(k, _)| k).collect();
        for key in keys {
            self.slots[key].session.abort();
            self.to_close.push(key);
        }
        self.close_marked(Instant::now());
        Ok(())
    }

    /// Hands each event of one poll to the listener, the waker's
    /// messages, or its session.
    fn dispatch(&mut self, events: &Events, now: Instant) {
        for event in events.iter() {
            match event.token() {
                LISTENER => self.accept(now),
                WAKER => self.take_messages(now),
                token => {
                    let hup = event.is_read_closed() || event.is_error();
                    let ready = Ready {
                        readable: event.is_readable() || hup,
                        writable: event.is_writable()
                            || event.is_write_closed()
                            || event.is_error(),
                        hup,
                    };
                    self.with_session(token, now, |s, svc, turn| s.on_ready(svc, turn, ready));
                }
            }
        }
    }

    fn poll_timeout(&self, now: Instant) -> Option<Duration> {
        if !self.ready.is_empty() || self.accept_more {
            return Some(Duration::ZERO);
        }
        // The wheel's next slot comes at a tick boundary: no minimum wait.
        let mut timeout = self
            .wheel
            .next_due()
            .map(|at| at.saturating_duration_since(now));
        for at in [self.accept_paused, self.drain_until].into_iter().flatten() {
            let wait = at
                .saturating_duration_since(now)
                .max(Duration::from_millis(1));
            timeout = Some(timeout.map_or(wait, |t| t.min(wait)));
        }
        timeout
    }

    /// Accepts until `WouldBlock`, the connection cap, or descriptor
    /// exhaustion.
    fn accept(&mut self, now: Instant) {
        self.accept_more = false;
        for _ in 0..ACCEPTS_PER_TURN {
            let Some(listener) = &self.listener else {
                return;
            };
            if self.accept_paused.is_some() {
                return;
            }
            if self.slots.len() >= self.settings.max_connections {
                log::warn!("worker {}: connection cap reached", self.id);
                return self.pause_accept(now + ACCEPT_BACKOFF);
            }
            match listener.accept() {
                Ok((stream, peer)) => self.add_session(stream, peer, now),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => continue,
                Err(e) => {
                    if net::is_fd_exhaustion(&e) {
                        log::warn!("worker {}: accept: {e}; pausing accepts", self.id);
                    } else {
                        log::error!("worker {}: accept: {e}; pausing accepts", self.id);
                    }
                    return self.pause_accept(now + ACCEPT_BACKOFF);
                }
            }
        }
        self.accept_more = true;
    }

    /// Stops watching the listener until `until` (with edge triggering a
    /// listener left registered would not fire again for connections
    /// already waiting, so resuming re-registers and accepts at once).
    fn pause_accept(&mut self, until: Instant) {
        if let Some(listener) = &mut self.listener {
            if let Err(e) = self.poll.registry().deregister(listener) {
                log::debug!("deregistering the listener: {e}");
            }
        }
        self.accept_paused = Some(until);
    }

    fn resume_accept(&mut self, now: Instant) {
        self.accept_paused = None;
        if let Some(listener) = &mut self.listener {
            if let Err(e) = self
                .poll
                .registry()
                .register(listener, LISTENER, Interest::READABLE)
            {
                log::error!("worker {}: re-registering the listener: {e}", self.id);
                self.accept_paused = Some(now + ACCEPT_BACKOFF);
                return;
            }
        }
        self.accept(now);
    }

    fn add_session(
        &mut self,
        stream: mio::net::TcpStream,
        peer: std::net::SocketAddr,
        now: Instant,
    ) {
        if let Err(e) = net::setup_accepted(&stream) {
            log::debug!("socket options for {peer}: {e}");
        }
        let key = self.slots.vacant_key();
        if key >= self.gens.len() {
            self.gens.resize(key + 1, 0);
        }
        let token = make_token(key, self.gens[key]);
        let mut session = self.service.open(stream, peer, now);
        if let Err(e) = self
            .poll
            .registry()
            .register(session.source(), token, Interest::READABLE)
        {
            log::warn!("registering {peer}: {e}");
            return;
        }
        self.slots.insert(Slot {
            session,
            timer: None,
            interest: Interest::READABLE,
        });
        self.after(key);
    }

    /// Runs `f` on a live session with the service and the turn, then
    /// applies what it asks for (interest, deadline, another turn, close).
    fn with_session(
        &mut self,
        token: Token,
        now: Instant,
        f: impl FnOnce(&mut S::Session, &mut S, Turn),
    ) {
        let (key, gen) = split_token(token);
        if self.gens.get(key) != Some(&gen) {
            return;
        }
        let Some(slot) = self.slots.get_mut(key) else {
            return;
        };
        if slot.session.is_closed() {
            return;
        }
        let turn = Turn {
            now,
            token,
            draining: self.drain_until.is_some(),
        };
        f(&mut slot.session, &mut self.service, turn);
        self.after(key);
    }

    /// Routes the messages that came with a wake-up to their sessions.
    fn take_messages(&mut self, now: Instant) {
        while let Some((token, msg)) = self.service.next_message() {
            self.with_session(token, now, |s, svc, turn| s.on_message(svc, turn, msg));
        }
    }

    fn on_timer(&mut self, key: usize, now: Instant) {
        let Some(slot) = self.slots.get_mut(key) else {
            return;
        };
        slot.timer = None;
        let token = make_token(key, self.gens[key]);
        self.with_session(token, now, |s, svc, turn| s.on_timer(svc, turn));
    }

    /// Applies a session's wishes after it ran.
    fn after(&mut self, key: usize) {
        let token = make_token(key, self.gens[key]);
        let Some(slot) = self.slots.get_mut(key) else {
            return;
        };
        if slot.session.is_closed() {
            self.to_close.push(key);
            return;
        }
        let interest = slot.session.interest();
        if interest != slot.interest {
            match self
                .poll
                .registry()
                .reregister(slot.session.source(), token, interest)
            {
                Ok(()) => slot.interest = interest,
                Err(e) => {
                    log::debug!("reregister: {e}");
                    slot.session.abort();
                    self.to_close.push(key);
                    return;
                }
            }
        }
        // Timers are re-armed lazily: a later deadline keeps the armed
        // entry (it is checked when it fires), an earlier one replaces it.
        match (slot.timer, slot.session.deadline(&self.service)) {
            (None, Some(at)) => slot.timer = Some(self.wheel.insert(at, key)),
            (Some(id), Some(at))
                if self
                    .wheel
                    .tick_of_id(id)
                    .map_or(true, |armed| self.wheel.due_tick(at) < armed) =>
            {
                self.wheel.cancel(id);
                slot.timer = Some(self.wheel.insert(at, key));
            }
            _ => {}
        }
        if slot.session.wants_turn() {
            self.ready.push(token);
        }
    }

    /// Frees the sessions marked closed during this turn.
    fn close_marked(&mut self, now: Instant) {
        if !self.to_close.is_empty() {
            // Descriptors and slots were freed: a paused accept may resume.
            if let Some(at) = &mut self.accept_paused {
                *at = (*at).min(now);
            }
        }
        for key in std::mem::take(&mut self.to_close) {
            let Some(mut slot) = self.slots.try_remove(key) else {
                continue;
            };
            if let Some(id) = slot.timer {
                self.wheel.cancel(id);
            }
            let turn = Turn {
                now,
                token: make_token(key, self.gens[key]),
                draining: self.drain_until.is_some(),
            };
            self.gens[key] = self.gens[key].wrapping_add(1) & 0x7fff_ffff;
            slot.session.on_close(&mut self.service, turn);
            // Dropping the session closes its socket, which also removes
            // it from the epoll set.
        }
    }

    /// Graceful shutdown: stop accepting, and tell every session (idle
    /// ones close, busy ones finish).
    fn begin_drain(&mut self, now: Instant) {
        log::info!(
            "worker {}: draining {} connections",
            self.id,
            self.slots.len()
        );
        self.drain_until = Some(now + self.settings.drain_timeout);
        if let Some(mut listener) = self.listener.take() {
            if self.accept_paused.is_none() {
                if let Err(e) = self.poll.registry().deregister(&mut listener) {
                    log::debug!("deregistering the listener: {e}");
                }
            }
        }
        self.accept_paused = None;
        let tokens: Vec<Token> = self
            .slots
            .iter()
            .map(|(k, _)| make_token(k, self.gens[k]))
            .collect();
        for token in tokens {
            self.with_session(token, now, |s, svc, turn| s.on_drain(svc, turn));
        }
        self.close_marked(now);
    }
}

/// The loop's own bytes per session (the slot around it), for the size
/// budget of an idle connection.
#[cfg(test)]
pub(crate) fn slot_bytes<T>() -> usize {
    std::mem::size_of::<Slot<T>>()
}

#[cfg(test)]
mod tests;
