//! The HTTP side of a worker: the [`Service`] the event loop drives, and
//! the [`Session`] implementation of the HTTP connection.
//!
//! What the loop must not know lives here: the shared settings and
//! handler, the `Date` cache and the wall clock of the turn, the previous
//! response's head (`frame::HeadCache`), the handler pool's reply channel
//! (messages are the pool's answers, routed to the connection whose token
//! they carry), and the cache of idle connection buffers. [`HttpService::ctx`] is the one place a connection's [`Ctx`]
//! is built.

use crate::conn::{Conn, Ctx, IoCache};
use crate::frame::HeadCache;
use crate::pool::{Msg, Reply};
use crate::session::{Ready, Service, Session, Turn};
use crate::shared::Shared;
use crate::transport::{ServerStream, Transport};
use http_core::DateCache;
use mio::net::TcpStream;
use mio::{Interest, Token, Waker};
use std::net::SocketAddr;
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

/// One worker's HTTP state.
pub(crate) struct HttpService {
    shared: Arc<Shared>,
    date: DateCache,
    heads: HeadCache,
    /// The wall clock, read once per loop turn (for `Date`).
    wall: SystemTime,
    reply: Reply,
    answers: Receiver<Msg>,
    io_cache: IoCache,
}

impl HttpService {
    /// The service of one worker; pool answers wake it through `waker`.
    pub(crate) fn new(shared: Arc<Shared>, waker: Arc<Waker>) -> HttpService {
        let (tx, answers) = mpsc::channel();
        HttpService {
            shared,
            date: DateCache::new(),
            heads: HeadCache::default(),
            wall: SystemTime::now(),
            reply: Reply { tx, waker },
            answers,
            io_cache: IoCache::default(),
        }
    }

    /// The context of one call into a connection.
    pub(crate) fn ctx(&mut self, turn: Turn, hup: bool) -> Ctx<'_> {
        Ctx {
            shared: &self.shared,
            now: turn.now,
            // Formatted (when the second changed) once per call, not per
            // response: the wall clock is the turn's.
            date: self.date.get(self.wall),
            heads: &mut self.heads,
            reply: &self.reply,
            token: turn.token.0,
            draining: turn.draining,
            hup,
            io_cache: &mut self.io_cache,
        }
    }

    /// Sets the wall clock (tests pin it; the loop reads it per turn).
    #[cfg(test)]
    pub(crate) fn set_wall(&mut self, wall: SystemTime) {
        self.wall = wall;
    }
}

impl Service for HttpService {
    type Session = Conn<ServerStream>;
    type Message = Msg;

    fn open(&mut self, stream: TcpStream, peer: SocketAddr, now: Instant) -> Conn<ServerStream> {
        let tls = self.shared.tls.as_ref().and_then(|slot| slot.current());
        let proxy = self.shared.config.proxy_protocol;
        Conn::new(ServerStream::new(stream, tls, proxy), peer, now)
    }

    fn begin_turn(&mut self) {
        self.wall = SystemTime::now();
    }

    fn next_message(&mut self) -> Option<(Token, Msg)> {
        let msg = self.answers.try_recv().ok()?;
        Some((Token(msg.token()), msg))
    }
}

impl<T: Transport> Session<HttpService> for Conn<T> {
    fn on_ready(&mut self, svc: &mut HttpService, turn: Turn, ready: Ready) {
        let mut ctx = svc.ctx(turn, ready.hup);
        self.drive(&mut ctx, ready.readable, ready.writable);
    }

    fn on_message(&mut self, svc: &mut HttpService, turn: Turn, msg: Msg) {
        self.on_pool_message(msg, &mut svc.ctx(turn, false));
    }

    fn on_timer(&mut self, svc: &mut HttpService, turn: Turn) {
        if self
            .deadline(&svc.shared.config)
            .is_some_and(|d| d <= turn.now)
        {
            self.on_timeout();
        }
    }

    fn on_drain(&mut self, _: &mut HttpService, _: Turn) {
        Conn::on_drain(self);
    }

    fn abort(&mut self) {
        self.abort_now();
    }

    fn on_close(&mut self, svc: &mut HttpService, turn: Turn) {
        self.finish(&mut svc.ctx(turn, false));
    }

    fn interest(&self) -> Interest {
        Conn::interest(self)
    }

    fn deadline(&self, svc: &HttpService) -> Option<Instant> {
        Conn::deadline(self, &svc.shared.config)
    }

    fn wants_turn(&self) -> bool {
        Conn::wants_turn(self)
    }

    fn is_closed(&self) -> bool {
        Conn::is_closed(self)
    }

    fn source(&mut self) -> &mut dyn mio::event::Source {
        Conn::source(self)
    }
}
