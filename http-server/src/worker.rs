//! One worker: its own `mio::Poll`, its own listener, a slab of
//! connections, a timing wheel, a ready list. The loop sees tokens,
//! readiness and deadlines; what a connection does with them is
//! `Conn`'s business.
//!
//! Tokens carry the slab key in the low 32 bits and a generation above it,
//! so an event or a pool answer for a connection that has since closed
//! (and whose slot was reused) is recognised as stale and dropped.

use crate::conn::{Conn, Ctx, IoCache};
use crate::net;
use crate::pool::{Done, Reply};
use crate::shared::Shared;
use crate::shutdown::ShutdownInner;
use crate::timer::{TimerId, Wheel};
use crate::transport::PlainTcp;
use http_core::DateCache;
use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token, Waker};
use slab::Slab;
use std::io;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

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

struct Slot {
    conn: Conn<PlainTcp>,
    /// The armed timer.
    timer: Option<TimerId>,
    interest: Interest,
}

pub(crate) struct Worker {
    id: usize,
    poll: Poll,
    listener: Option<TcpListener>,
    /// Accepting is paused until then (descriptors ran out, or the
    /// connection cap was reached).
    accept_paused: Option<Instant>,
    /// The accept budget ran out with connections possibly still waiting.
    accept_more: bool,
    slots: Slab<Slot>,
    gens: Vec<u32>,
    wheel: Wheel,
    ready: Vec<Token>,
    to_close: Vec<usize>,
    shared: Arc<Shared>,
    shutdown: Arc<ShutdownInner>,
    drain_until: Option<Instant>,
    answers: Receiver<Done>,
    reply: Reply,
    date: DateCache,
    /// The wall clock, read once per loop turn (for `Date`), like `now`.
    wall: SystemTime,
    io_cache: IoCache,
}

fn make_token(key: usize, gen: u32) -> Token {
    Token(((gen as usize & 0x7fff_ffff) << 32) | key)
}

fn split_token(token: Token) -> (usize, u32) {
    (token.0 & 0xffff_ffff, (token.0 >> 32) as u32)
}

impl Worker {
    /// Sets up the worker on the calling thread (so setup errors reach
    /// `serve`); [`Worker::run`] may then run on another thread.
    pub(crate) fn new(
        id: usize,
        listener: std::net::TcpListener,
        shared: Arc<Shared>,
        shutdown: Arc<ShutdownInner>,
    ) -> io::Result<Worker> {
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let mut listener = TcpListener::from_std(listener);
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        shutdown.add_waker(waker.clone());
        let (tx, answers) = mpsc::channel();
        let now = Instant::now();
        Ok(Worker {
            id,
            poll,
            listener: Some(listener),
            accept_paused: None,
            accept_more: false,
            slots: Slab::new(),
            gens: Vec::new(),
            wheel: Wheel::new(now),
            ready: Vec::new(),
            to_close: Vec::new(),
            shared,
            shutdown,
            drain_until: None,
            answers,
            reply: Reply { tx, waker },
            date: DateCache::new(),
            wall: SystemTime::now(),
            io_cache: IoCache::default(),
        })
    }

    /// The loop; returns once shutdown has drained every connection.
    pub(crate) fn run(mut self) -> io::Result<()> {
        if let Err(e) = crate::sys::block_sigpipe() {
            log::warn!("worker {}: cannot block SIGPIPE: {e}", self.id);
        }
        let mut events = Events::with_capacity(EVENTS_CAPACITY);
        let mut expired = Vec::new();
        loop {
            let now = Instant::now();
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
                    if self.slots.len() < self.shared.config.max_connections {
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
            let now = Instant::now();
            self.wall = SystemTime::now();
            for event in events.iter() {
                match event.token() {
                    LISTENER => self.accept(now),
                    WAKER => self.take_answers(now),
                    token => {
                        let hup = event.is_read_closed() || event.is_error();
                        let readable = event.is_readable() || hup;
                        let writable =
                            event.is_writable() || event.is_write_closed() || event.is_error();
                        self.drive(token, readable, writable, hup, now);
                    }
                }
            }
            if self.accept_more {
                self.accept(now);
            }
            for token in std::mem::take(&mut self.ready) {
                self.drive(token, false, false, false, now);
            }
            self.wheel.expire(now, &mut expired);
            for key in expired.drain(..) {
                self.on_timer(key, now);
            }
            self.close_marked(now);
        }
        let keys: Vec<usize> = self.slots.iter().map(|(k, _)| k).collect();
        for key in keys {
            self.slots[key].conn.abort_now();
            self.to_close.push(key);
        }
        self.close_marked(Instant::now());
        Ok(())
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
            if self.slots.len() >= self.shared.config.max_connections {
                log::warn!("worker {}: connection cap reached", self.id);
                return self.pause_accept(now + ACCEPT_BACKOFF);
            }
            match listener.accept() {
                Ok((stream, peer)) => self.add_conn(stream, peer, now),
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

    fn add_conn(
        &mut self,
        mut stream: mio::net::TcpStream,
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
        if let Err(e) = self
            .poll
            .registry()
            .register(&mut stream, token, Interest::READABLE)
        {
            log::warn!("registering {peer}: {e}");
            return;
        }
        let conn = Conn::new(PlainTcp::new(stream), peer, now);
        self.slots.insert(Slot {
            conn,
            timer: None,
            interest: Interest::READABLE,
        });
        self.after(key);
    }

    /// Runs `f` on a live connection with its context, then applies what
    /// it asks for (interest, deadline, another turn, close).
    fn with_conn(
        &mut self,
        token: Token,
        now: Instant,
        f: impl FnOnce(&mut Conn<PlainTcp>, &mut Ctx<'_>),
    ) {
        let (key, gen) = split_token(token);
        if self.gens.get(key) != Some(&gen) {
            return;
        }
        let Some(slot) = self.slots.get_mut(key) else {
            return;
        };
        if slot.conn.is_closed() {
            return;
        }
        let mut ctx = Ctx {
            shared: &self.shared,
            now,
            date: &mut self.date,
            wall: self.wall,
            reply: &self.reply,
            token: token.0,
            draining: self.drain_until.is_some(),
            hup: false,
            io_cache: &mut self.io_cache,
        };
        f(&mut slot.conn, &mut ctx);
        self.after(key);
    }

    fn drive(&mut self, token: Token, readable: bool, writable: bool, hup: bool, now: Instant) {
        self.with_conn(token, now, |conn, ctx| {
            ctx.hup = hup;
            conn.drive(ctx, readable, writable)
        });
    }

    fn take_answers(&mut self, now: Instant) {
        while let Ok(done) = self.answers.try_recv() {
            let Done {
                token,
                req,
                resp,
                started,
            } = done;
            self.with_conn(Token(token), now, |conn, ctx| {
                conn.on_answer(req, resp, started, ctx)
            });
        }
    }

    fn on_timer(&mut self, key: usize, now: Instant) {
        let Some(slot) = self.slots.get_mut(key) else {
            return;
        };
        slot.timer = None;
        let token = make_token(key, self.gens[key]);
        self.with_conn(token, now, |conn, ctx| {
            if conn.deadline(&ctx.shared.config).is_some_and(|d| d <= now) {
                conn.on_timeout();
            }
        });
    }

    /// Applies a connection's wishes after it ran.
    fn after(&mut self, key: usize) {
        let token = make_token(key, self.gens[key]);
        let Some(slot) = self.slots.get_mut(key) else {
            return;
        };
        if slot.conn.is_closed() {
            self.to_close.push(key);
            return;
        }
        let interest = slot.conn.interest();
        if interest != slot.interest {
            match self
                .poll
                .registry()
                .reregister(slot.conn.source(), token, interest)
            {
                Ok(()) => slot.interest = interest,
                Err(e) => {
                    log::debug!("reregister: {e}");
                    slot.conn.abort_now();
                    self.to_close.push(key);
                    return;
                }
            }
        }
        // Timers are re-armed lazily: a later deadline keeps the armed
        // entry (it is checked when it fires), an earlier one replaces it.
        match (slot.timer, slot.conn.deadline(&self.shared.config)) {
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
        if slot.conn.wants_turn() {
            self.ready.push(token);
        }
    }

    /// Frees the connections marked closed during this turn.
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
            self.gens[key] = self.gens[key].wrapping_add(1) & 0x7fff_ffff;
            let mut ctx = Ctx {
                shared: &self.shared,
                now,
                date: &mut self.date,
                wall: self.wall,
                reply: &self.reply,
                token: 0,
                draining: self.drain_until.is_some(),
                hup: false,
                io_cache: &mut self.io_cache,
            };
            slot.conn.finish(&mut ctx);
            // Dropping the stream closes the descriptor, which also removes
            // it from the epoll set.
        }
    }

    /// Graceful shutdown: stop accepting, close idle connections, let busy
    /// ones finish with `Connection: close`.
    fn begin_drain(&mut self, now: Instant) {
        log::info!(
            "worker {}: draining {} connections",
            self.id,
            self.slots.len()
        );
        self.drain_until = Some(now + self.shared.config.drain_timeout);
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
            self.with_conn(token, now, |conn, _| conn.on_drain());
        }
        self.close_marked(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_never_collide_with_fixed_ones() {
        for (key, gen) in [(0, 0), (5, 1), (0xffff_fffd, 0x7fff_ffff), (7, u32::MAX)] {
            let t = make_token(key, gen);
            assert_ne!(t, LISTENER);
            assert_ne!(t, WAKER);
            assert_eq!(split_token(t), (key, gen & 0x7fff_ffff));
        }
    }

    /// An idle connection costs its slot plus a 16-byte wheel entry (its
    /// buffers are freed): keep it well under nginx's ~500 bytes.
    #[test]
    fn an_idle_connection_slot_stays_small() {
        assert!(
            std::mem::size_of::<Slot>() <= 144,
            "{}",
            std::mem::size_of::<Slot>()
        );
    }
}
