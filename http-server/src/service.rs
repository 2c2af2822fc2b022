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
use crate::upgrade::Upgrade;
use crate::ws::{WsCtx, WsSession};
use brisk_core::DateCache;
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
    /// The read buffer every WebSocket session of the worker reads into
    /// (their decoders keep what they must), so idle ones hold none.
    ws_read_buf: Vec<u8>,
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
            ws_read_buf: Vec::new(),
        }
    }

    /// The context of one call into a WebSocket session.
    fn ws_ctx(&mut self, turn: Turn) -> WsCtx<'_> {
        WsCtx {
            now: turn.now,
            draining: turn.draining,
            read_buf: &mut self.ws_read_buf,
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
    type Session = Peer<ServerStream>;
    type Message = Msg;

    fn open(&mut self, stream: TcpStream, peer: SocketAddr, now: Instant) -> Peer<ServerStream> {
        let tls = self.shared.tls.as_ref().and_then(|slot| slot.current());
        let proxy = self.shared.config.proxy_protocol;
        Peer::Http(Conn::new(ServerStream::new(stream, tls, proxy), peer, now))
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

/// The session behind a token: HTTP until an upgrade hands the connection
/// to another protocol (`upgrade.rs`). The loop sees one session type.
pub(crate) enum Peer<T> {
    Http(Conn<T>),
    WebSocket(Box<WsSession<T>>),
    /// Only while a hand-off moves the transport (never seen by the loop).
    Switching(NoSource),
}

/// What `Peer::Switching` would register: nothing (the loop never asks,
/// the variant lives only inside one call).
pub(crate) struct NoSource;

impl mio::event::Source for NoSource {
    fn register(&mut self, _: &mio::Registry, _: Token, _: Interest) -> std::io::Result<()> {
        Err(std::io::ErrorKind::NotConnected.into())
    }
    fn reregister(&mut self, _: &mio::Registry, _: Token, _: Interest) -> std::io::Result<()> {
        Err(std::io::ErrorKind::NotConnected.into())
    }
    fn deregister(&mut self, _: &mio::Registry) -> std::io::Result<()> {
        Err(std::io::ErrorKind::NotConnected.into())
    }
}

impl<T: Transport> Peer<T> {
    /// After a call into the HTTP connection: if its `101` is out, the
    /// connection becomes the session the upgrade names.
    fn switch_if_upgraded(&mut self, svc: &mut HttpService, turn: Turn) {
        let Peer::Http(conn) = self else {
            return;
        };
        if !conn.upgrade_ready() {
            return;
        }
        let Peer::Http(conn) = std::mem::replace(self, Peer::Switching(NoSource)) else {
            return; // ok: matched just above
        };
        let handoff = match conn.into_handoff() {
            Ok(h) => h,
            Err(conn) => {
                *self = Peer::Http(conn);
                return;
            }
        };
        match handoff.upgrade {
            Upgrade::WebSocket(accepted) => {
                let reply = svc.reply.clone();
                let session = WsSession::start(
                    handoff.transport,
                    handoff.peer,
                    handoff.read_ahead,
                    accepted,
                    turn.token.0,
                    reply,
                    &mut svc.ws_ctx(turn),
                );
                *self = Peer::WebSocket(Box::new(session));
            }
        }
    }
}

impl<T: Transport> Session<HttpService> for Peer<T> {
    fn on_ready(&mut self, svc: &mut HttpService, turn: Turn, ready: Ready) {
        match self {
            Peer::Http(c) => c.on_ready(svc, turn, ready),
            Peer::WebSocket(w) => w.on_ready(&mut svc.ws_ctx(turn), ready.readable, ready.writable),
            Peer::Switching(_) => {}
        }
        self.switch_if_upgraded(svc, turn);
    }

    fn on_message(&mut self, svc: &mut HttpService, turn: Turn, msg: Msg) {
        match (self as &mut Peer<T>, msg) {
            (Peer::WebSocket(w), Msg::Ws(_, cmd)) => w.on_command(&mut svc.ws_ctx(turn), cmd),
            (Peer::Http(c), msg) => c.on_message(svc, turn, msg),
            // A message for a kind the session is no longer (or not yet).
            _ => {}
        }
        self.switch_if_upgraded(svc, turn);
    }

    fn on_timer(&mut self, svc: &mut HttpService, turn: Turn) {
        match self {
            Peer::Http(c) => c.on_timer(svc, turn),
            Peer::WebSocket(w) => w.on_timer(&mut svc.ws_ctx(turn)),
            Peer::Switching(_) => {}
        }
        self.switch_if_upgraded(svc, turn);
    }

    fn on_drain(&mut self, svc: &mut HttpService, turn: Turn) {
        match self {
            Peer::Http(c) => Session::on_drain(c, svc, turn),
            Peer::WebSocket(w) => w.on_drain(&mut svc.ws_ctx(turn)),
            Peer::Switching(_) => {}
        }
    }

    fn abort(&mut self) {
        match self {
            Peer::Http(c) => Session::<HttpService>::abort(c),
            Peer::WebSocket(w) => w.abort(),
            Peer::Switching(_) => {}
        }
    }

    fn on_close(&mut self, svc: &mut HttpService, turn: Turn) {
        match self {
            Peer::Http(c) => c.on_close(svc, turn),
            Peer::WebSocket(w) => w.on_close(),
            Peer::Switching(_) => {}
        }
    }

    fn interest(&self) -> Interest {
        match self {
            Peer::Http(c) => Session::<HttpService>::interest(c),
            Peer::WebSocket(w) => w.interest(),
            Peer::Switching(_) => Interest::READABLE,
        }
    }

    fn deadline(&self, svc: &HttpService) -> Option<Instant> {
        match self {
            Peer::Http(c) => Session::deadline(c, svc),
            Peer::WebSocket(w) => w.deadline(),
            Peer::Switching(_) => None,
        }
    }

    fn wants_turn(&self) -> bool {
        match self {
            Peer::Http(c) => Session::<HttpService>::wants_turn(c),
            Peer::WebSocket(w) => w.wants_turn(),
            Peer::Switching(_) => false,
        }
    }

    fn is_closed(&self) -> bool {
        match self {
            Peer::Http(c) => Session::<HttpService>::is_closed(c),
            Peer::WebSocket(w) => w.is_closed(),
            Peer::Switching(_) => true,
        }
    }

    fn source(&mut self) -> &mut dyn mio::event::Source {
        match self {
            Peer::Http(c) => Session::<HttpService>::source(c),
            Peer::WebSocket(w) => w.source(),
            Peer::Switching(none) => none,
        }
    }
}
