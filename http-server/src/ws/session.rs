//! One WebSocket connection as a session of the loop: readiness, timers,
//! commands from other threads and the drain come in; frames go out.
//!
//! ```text
//!  (101 sent) -> Open --(we close: app, 1001 drain, 1008, protocol error)--> CloseSent
//!                 |                                                              |
//!                 +--(peer's close: answered)--> Finishing <--(peer's close)-----+
//!                 +--(protocol error: close sent)---^   | (all written, our FIN)
//!                 |                                  Lingering --(EOF, timeout)--> Closed
//!                 +--(EOF, error, no pong, timeout: reported 1006)--------------> Closed
//! ```
//!
//! Bytes are read into the worker's shared read buffer and decoded at
//! once ([`Decoder`] keeps what it must), so an idle connection holds no
//! read buffer; the send buffer is freed whenever it is all written.
//! While the send buffer is over the endpoint's limit the session reads
//! nothing (backpressure reaches the peer through TCP).

use super::conn::{call_endpoint, Outbound};
use super::endpoint::{Accepted, Message};
use super::sender::{Command, WsSender};
use crate::pool::Reply;
use crate::transport::Transport;
use brisk_core::ws::{CloseCode, Decoder, Encoder, Event, OpCode, Role};
use mio::Interest;
use std::io::{self, ErrorKind};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Bytes read per connection per loop turn before others get their turn.
const READ_BUDGET_BYTES: usize = 256 << 10;
/// The worker's shared read buffer (bytes).
pub(crate) const READ_BUF_BYTES: usize = 64 << 10;

/// Connection ids, unique within the process (topics key on them).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Messages flow both ways.
    Open,
    /// Our close frame is queued; awaiting the peer's (bounded).
    CloseSent { since: Instant },
    /// Both close frames exchanged (or ours after a protocol error):
    /// write what is left, then our FIN.
    Finishing { since: Instant },
    /// Our FIN is sent: read and drop until the peer's EOF (bounded), so
    /// that unread input does not turn our close into a reset that
    /// destroys the close frame before the peer reads it.
    Lingering { since: Instant },
    /// Done: the loop frees the session.
    Closed,
}

/// What a call gets from the worker's service.
pub(crate) struct WsCtx<'a> {
    pub(crate) now: Instant,
    pub(crate) draining: bool,
    /// The worker's read buffer, shared by its WebSocket sessions.
    pub(crate) read_buf: &'a mut Vec<u8>,
}

/// The session: the decoder apart from the rest, so that an event
/// borrowing the decoder can be handled with the rest mutable.
pub(crate) struct WsSession<T> {
    decoder: Decoder,
    link: Link<T>,
}

struct Link<T> {
    transport: T,
    out: Outbound,
    state: State,
    /// Bytes read by the HTTP connection past the upgrade request.
    read_ahead: Vec<u8>,
    can_read: bool,
    can_write: bool,
    peer_eof: bool,
    /// Work left that no readiness event will announce.
    more: bool,
    last_read: Instant,
    last_write: Instant,
    /// A ping is out and unanswered since then.
    ping_sent: Option<Instant>,
    /// The endpoint's `close` was called.
    reported: bool,
}

impl<T: Transport> WsSession<T> {
    /// Takes over a connection after its `101`: calls the endpoint's
    /// `open`, then handles the bytes already read.
    pub(crate) fn start(
        transport: T,
        peer: SocketAddr,
        read_ahead: Vec<u8>,
        accepted: Accepted,
        token: usize,
        reply: Reply,
        ctx: &mut WsCtx<'_>,
    ) -> WsSession<T> {
        let settings = &accepted.shared.settings;
        let mut decoder =
            Decoder::new(Role::Server).with_max_message_bytes(settings.max_message_bytes);
        let mut encoder = Encoder::new();
        if let (Some(params), Some(config)) = (&accepted.deflate, &settings.compression) {
            decoder = decoder.with_inflater(params.inflater(Role::Server));
            encoder = Encoder::with_deflater(
                params.deflater(Role::Server, config.level),
                config.min_compress_len,
            );
        }
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let out = Outbound::new(
            accepted.shared,
            encoder,
            WsSender::new(token, reply),
            id,
            peer,
            accepted.protocol,
        );
        let mut s = WsSession {
            decoder,
            link: Link {
                transport,
                out,
                state: State::Open,
                read_ahead,
                // Bytes may wait in the kernel that raised their edge
                // while the HTTP connection was not reading.
                can_read: true,
                can_write: true,
                peer_eof: false,
                more: false,
                last_read: ctx.now,
                last_write: ctx.now,
                ping_sent: None,
                reported: false,
            },
        };
        call_endpoint(&mut s.link.out, |e, ws| e.open(ws));
        s.link.after_callback(ctx.now);
        let mut ahead = std::mem::take(&mut s.link.read_ahead);
        if !ahead.is_empty() {
            s.consume(&mut ahead, ctx.now);
        }
        s.pump(ctx);
        s
    }

    /// Readiness, or another turn.
    pub(crate) fn on_ready(&mut self, ctx: &mut WsCtx<'_>, readable: bool, writable: bool) {
        self.link.can_read |= readable;
        self.link.can_write |= writable;
        self.link.more = false;
        self.pump(ctx);
    }

    /// A command from another thread.
    pub(crate) fn on_command(&mut self, ctx: &mut WsCtx<'_>, cmd: Command) {
        if self.link.state != State::Open {
            return;
        }
        match cmd {
            Command::Frame(frame) => {
                self.link.out.send_encoded(&frame);
            }
            Command::Close(code, reason) => self.link.out.start_close(code, &reason),
        }
        self.link.after_callback(ctx.now);
        // Flush next turn: every frame that arrived meanwhile leaves in
        // the same write.
        self.link.more = true;
    }

    /// The armed deadline passed (it may have moved since).
    pub(crate) fn on_timer(&mut self, ctx: &mut WsCtx<'_>) {
        let now = ctx.now;
        let l = &mut self.link;
        let settings = &l.out.shared.settings;
        if l.out.pending() > 0 && now >= l.last_write + settings.write_timeout {
            log::debug!("{} websocket write stalled", l.out.peer);
            return l.abort();
        }
        match l.state {
            State::CloseSent { since }
            | State::Finishing { since }
            | State::Lingering { since }
                if now >= since + settings.close_timeout =>
            {
                l.abort()
            }
            State::Open => match l.ping_sent {
                Some(at) if now >= at + settings.pong_timeout => {
                    log::debug!("{} websocket: no pong", l.out.peer);
                    l.abort();
                }
                None if !settings.ping_interval.is_zero()
                    && now >= l.last_read + settings.ping_interval =>
                {
                    l.out.control(OpCode::Ping, b"");
                    l.ping_sent = Some(now);
                    self.pump(ctx);
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// Graceful shutdown began: close with 1001.
    pub(crate) fn on_drain(&mut self, ctx: &mut WsCtx<'_>) {
        if self.link.state == State::Open {
            self.link
                .out
                .start_close(CloseCode::GoingAway, "server shutting down");
            self.link.after_callback(ctx.now);
            self.pump(ctx);
        }
    }

    /// Close now, abortively.
    pub(crate) fn abort(&mut self) {
        self.link.abort();
    }

    /// The loop frees the session: an end without a close frame is 1006.
    pub(crate) fn on_close(&mut self) {
        self.link.report(CloseCode::Abnormal, "");
        self.link.out.leave_topics();
    }

    pub(crate) fn interest(&self) -> Interest {
        let l = &self.link;
        let unwritten = l.out.pending() > 0 || l.transport.pending_output();
        if unwritten && !l.can_write {
            Interest::READABLE | Interest::WRITABLE
        } else {
            Interest::READABLE
        }
    }

    pub(crate) fn deadline(&self) -> Option<Instant> {
        let l = &self.link;
        let settings = &l.out.shared.settings;
        let stall = (l.out.pending() > 0).then(|| l.last_write + settings.write_timeout);
        let state = match l.state {
            State::Closed => return None,
            State::CloseSent { since }
            | State::Finishing { since }
            | State::Lingering { since } => Some(since + settings.close_timeout),
            State::Open => match l.ping_sent {
                Some(at) => Some(at + settings.pong_timeout),
                None if settings.ping_interval.is_zero() => None,
                None => Some(l.last_read + settings.ping_interval),
            },
        };
        [stall, state].into_iter().flatten().min()
    }

    pub(crate) fn wants_turn(&self) -> bool {
        self.link.more && self.link.state != State::Closed
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.link.state == State::Closed
    }

    pub(crate) fn source(&mut self) -> &mut dyn mio::event::Source {
        self.link.transport.source()
    }

    /// Reads, decodes, handles and flushes until the socket is drained,
    /// the state wants no input, or the budget is used up.
    fn pump(&mut self, ctx: &mut WsCtx<'_>) {
        if ctx.draining && self.link.state == State::Open {
            self.link
                .out
                .start_close(CloseCode::GoingAway, "server shutting down");
            self.link.after_callback(ctx.now);
        }
        let mut budget = READ_BUDGET_BYTES;
        loop {
            self.link.flush(ctx.now);
            if self.link.state == State::Closed {
                return;
            }
            if !self.link.wants_input() || !self.link.can_read {
                break;
            }
            if budget == 0 {
                self.link.more = true;
                break;
            }
            if ctx.read_buf.len() < READ_BUF_BYTES {
                ctx.read_buf.resize(READ_BUF_BYTES, 0);
            }
            match self.link.transport.read(ctx.read_buf) {
                Ok(0) => self.link.on_eof(),
                Ok(n) => {
                    budget = budget.saturating_sub(n);
                    self.link.last_read = ctx.now;
                    self.link.ping_sent = None;
                    self.consume(&mut ctx.read_buf[..n], ctx.now);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    self.link.can_read = false;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    log::debug!("{} websocket read failed: {e}", self.link.out.peer);
                    self.link.abort();
                    return;
                }
            }
        }
        if self.decoder.is_idle() {
            self.decoder.release_buffers();
            if self.link.out.pending() == 0 {
                self.link.transport.release_buffers();
            }
        }
    }

    /// Decodes `bytes` and handles every event in them.
    fn consume(&mut self, bytes: &mut [u8], now: Instant) {
        let mut pos = 0;
        while pos < bytes.len() && self.link.reads_frames() {
            match self.decoder.decode(&mut bytes[pos..]) {
                Ok((n, Some(event))) => {
                    pos += n;
                    self.link.handle(event, now);
                }
                Ok((_, None)) => break,
                Err(e) => {
                    // Fail the connection (RFC 6455 7.1.7): our close
                    // frame, then the TCP close, without waiting for the
                    // peer's close frame.
                    log::debug!("{} websocket: {e}", self.link.out.peer);
                    self.link.out.start_close(e.close_code(), "");
                    self.link.after_callback(now);
                    self.link.set_state(State::Finishing { since: now });
                    break;
                }
            }
        }
    }
}

impl<T: Transport> Link<T> {
    /// Whether to read from the socket now.
    fn wants_input(&self) -> bool {
        match self.state {
            State::Open => {
                !self.peer_eof
                    && self.out.pending() < self.out.shared.settings.max_backpressure_bytes
            }
            // The peer's close frame is awaited, or its EOF; the rest is
            // discarded.
            State::CloseSent { .. } | State::Lingering { .. } => !self.peer_eof,
            State::Finishing { .. } | State::Closed => false,
        }
    }

    /// Whether decoded frames still matter (after a protocol error the
    /// decoder is poisoned and input is discarded).
    fn reads_frames(&self) -> bool {
        matches!(self.state, State::Open | State::CloseSent { .. })
    }

    fn handle(&mut self, event: Event<'_>, now: Instant) {
        let open = self.state == State::Open;
        match event {
            // After our close, data is read and dropped (RFC 6455 1.4).
            Event::Text(text) if open => {
                call_endpoint(&mut self.out, |e, ws| e.message(ws, Message::Text(text)))
            }
            Event::Binary(data) if open => {
                call_endpoint(&mut self.out, |e, ws| e.message(ws, Message::Binary(data)))
            }
            Event::Text(_) | Event::Binary(_) => {}
            // Answered at once, also between the fragments of a message.
            Event::Ping(payload) => self.out.control(OpCode::Pong, payload),
            // Any frame proves the peer alive (the read did).
            Event::Pong(_) => {}
            Event::Close(frame) => {
                let (code, reason) =
                    frame.map_or((CloseCode::NoStatus, ""), |f| (f.code, f.reason));
                self.out.answer_close(frame.map(|f| f.code));
                self.report(code, reason);
                self.set_state(State::Finishing { since: now });
                return;
            }
        }
        self.after_callback(now);
    }

    /// After the endpoint ran (or we queued a close): a close it started
    /// moves the state, and is reported with our code.
    fn after_callback(&mut self, now: Instant) {
        if let Some((code, reason)) = self.out.close_started.take() {
            if self.state == State::Open {
                self.set_state(State::CloseSent { since: now });
            }
            self.report(code, &reason);
        }
    }

    /// Calls the endpoint's `close` once.
    fn report(&mut self, code: CloseCode, reason: &str) {
        if std::mem::replace(&mut self.reported, true) {
            return;
        }
        call_endpoint(&mut self.out, |e, ws| e.close(ws, code, reason));
        // Nothing the endpoint queues from here on is sent.
        self.out.close_sent = true;
        self.out.close_started = None;
    }

    fn set_state(&mut self, new: State) {
        log::trace!("{} websocket {:?} => {:?}", self.out.peer, self.state, new);
        self.state = new;
    }

    fn on_eof(&mut self) {
        self.peer_eof = true;
        self.can_read = false;
        if let State::Lingering { .. } = self.state {
            return self.set_state(State::Closed);
        }
        self.report(CloseCode::Abnormal, "");
        self.out.leave_topics();
        self.set_state(State::Closed);
    }

    fn abort(&mut self) {
        self.transport.set_abortive_close();
        self.report(CloseCode::Abnormal, "");
        self.out.leave_topics();
        self.set_state(State::Closed);
    }

    /// Writes what the socket takes; in `Finishing`, sends our FIN once
    /// all is out and closes.
    fn flush(&mut self, now: Instant) {
        if let Err(e) = self.write_out(now) {
            log::debug!("{} websocket write failed: {e}", self.out.peer);
            return self.abort();
        }
        let limit = self.out.shared.settings.max_backpressure_bytes;
        if self.out.over_limit && self.out.pending() < limit && self.state == State::Open {
            self.out.over_limit = false;
            call_endpoint(&mut self.out, |e, ws| e.drain(ws));
            self.after_callback(now);
            if let Err(e) = self.write_out(now) {
                log::debug!("{} websocket write failed: {e}", self.out.peer);
                return self.abort();
            }
        }
        let all_out = self.out.pending() == 0 && !self.transport.pending_output();
        if all_out && matches!(self.state, State::Finishing { .. }) {
            // The server closes the TCP connection first (RFC 6455 7.1.1).
            match self.transport.shutdown_write() {
                Ok(()) if self.peer_eof => self.set_state(State::Closed),
                Ok(()) => {
                    self.set_state(State::Lingering { since: now });
                    // Input already in the kernel raises no new edge.
                    self.can_read = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => self.can_write = false,
                Err(_) => self.set_state(State::Closed),
            }
        }
    }

    fn write_out(&mut self, now: Instant) -> io::Result<()> {
        if self.transport.pending_output() && self.can_write {
            self.flush_transport(now)?;
        }
        while self.out.pending() > 0 && self.can_write {
            match self.transport.write(&self.out.buf[self.out.sent..], false) {
                Ok(0) => return Err(ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.out.sent += n;
                    self.last_write = now;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => self.can_write = false,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if self.out.pending() == 0 && !self.out.buf.is_empty() {
            self.out.written();
        }
        if self.transport.pending_output() && self.can_write {
            self.flush_transport(now)?;
        }
        Ok(())
    }

    fn flush_transport(&mut self, now: Instant) -> io::Result<()> {
        match self.transport.flush_output() {
            Ok(()) => {
                self.last_write = now;
                Ok(())
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                self.can_write = false;
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}
