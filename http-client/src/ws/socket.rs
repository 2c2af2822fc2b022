//! [`WebSocket`]: an open connection's blocking API over the shared
//! sans-IO codec (`brisk_core::ws`).
//!
//! ```text
//!          close() sent                 the server's close frame
//!  Open ------------------> CloseSent ----------------------------> Closed
//!    |   the server's close frame (echoed)                            ^
//!    +----------------------------------------------------------------+
//!    +-- a reset, an end of stream, a missed pong, a protocol error --+
//! ```
//!
//! Everything happens inside the caller's calls: a receive reads, decodes,
//! answers pings with pongs, sends the heartbeat's pings and checks their
//! pongs; a send writes under the write timeout and, while the socket is
//! full, keeps reading into the buffer (a server that echoes while we
//! write cannot deadlock us). Every wait ends at the earliest of the
//! caller's timeout, the heartbeat's next step, the close wait and the
//! session deadline ([`WebSocket::set_deadline`]). A receive with nothing
//! to send, on a plain socket and without a [`WsWaker`], waits inside one
//! blocking read (`Conn::read_within`: one system call per message, where
//! a nonblocking read, a poll and a read again cost three), its timer set
//! short of that earliest end and the rest waited through the poll.

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use brisk_core::ws::{
    encode_close, encode_control, CloseCode, Decoder, Encoder, Event, OpCode, ProtocolError,
    MAX_CONTROL_PAYLOAD,
};

use super::error::{Lost, WsError};
use super::random::RandomPool;
use crate::net::Conn;

mod io_ops;

/// A send buffer larger than this is freed once written.
const RETAINED_SEND_BYTES: usize = 64 * 1024;
/// How long a failing connection waits to push its close frame out.
const FAIL_CLOSE_WAIT: Duration = Duration::from_secs(1);
/// Longest single poll when no timer is armed (the loop re-checks).
const IDLE_WAIT: Duration = Duration::from_secs(3600);

/// The earlier of two optional times (`None`: never).
fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// A whole message received, or the end of the closing handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A text message (valid UTF-8, fragments joined).
    Text(String),
    /// A binary message (fragments joined).
    Binary(Vec<u8>),
    /// The closing handshake is over: the server's close frame (its code
    /// and reason; `None` when it carried none, or when the server ended
    /// the stream after our close without one). Delivered once; later
    /// calls return [`WsError::Closed`].
    Close(Option<CloseStatus>),
}

/// A close frame's status code and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseStatus {
    /// The code (1000 normal, 1001 going away, ...).
    pub code: CloseCode,
    /// The reason, possibly empty.
    pub reason: String,
}

/// Liveness checks: a ping after `interval` with nothing received, and
/// the connection reported lost ([`Lost::Heartbeat`]) when its pong has
/// not come `timeout` later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heartbeat {
    /// Quiet time (nothing received) before a ping.
    pub interval: Duration,
    /// How long the pong may take.
    pub timeout: Duration,
}

/// Where the closing handshake stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Messages flow both ways.
    Open,
    /// Our close frame is out; messages still arrive until the server's.
    CloseSent { until: Instant },
    /// Over: nothing more is sent or received.
    Closed,
}

/// What one decoded frame or message was, owned (the decoder lends its
/// bytes only until the next call).
enum Decoded {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
    Pong,
    Close(Option<CloseStatus>),
}

impl Decoded {
    fn from_event(ev: Event<'_>) -> Decoded {
        match ev {
            Event::Text(t) => Decoded::Text(t.to_owned()),
            Event::Binary(b) => Decoded::Binary(b.to_vec()),
            Event::Ping(p) => Decoded::Ping(p.to_vec()),
            Event::Pong(_) => Decoded::Pong,
            Event::Close(c) => Decoded::Close(c.map(|c| CloseStatus {
                code: c.code,
                reason: c.reason.to_owned(),
            })),
        }
    }
}

/// Wakes a [`WebSocket`] blocked in a receive from another thread: the
/// receive returns `Ok(None)` (a `fetch` reading its input on a thread
/// wakes the loop this way when a line is ready).
#[derive(Clone)]
pub struct WsWaker {
    waker: Arc<mio::Waker>,
    woken: Arc<AtomicBool>,
}

impl std::fmt::Debug for WsWaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WsWaker")
    }
}

impl WsWaker {
    /// Ends the current (or the next) wait of the receive.
    pub fn wake(&self) -> io::Result<()> {
        self.woken.store(true, Ordering::SeqCst);
        self.waker.wake()
    }
}

/// What [`WebSocket`] needs beyond the connection, decided at the opening.
pub(crate) struct Setup {
    pub decoder: Decoder,
    pub encoder: Encoder,
    pub heartbeat: Option<Heartbeat>,
    pub write_timeout: Duration,
    pub close_timeout: Duration,
    pub protocol: Option<String>,
    pub compressed: bool,
}

/// An open WebSocket (client role: every frame it sends is masked with a
/// fresh random key). Blocking calls, every wait bounded.
pub struct WebSocket {
    conn: Conn,
    decoder: Decoder,
    encoder: Encoder,
    random: RandomPool,
    /// Frames not yet taken by the transport, from `written` on.
    out: Vec<u8>,
    written: usize,
    /// End offsets in `out` of the data messages still (partly) in it.
    message_ends: VecDeque<usize>,
    /// The transport still holds bytes (a TLS session's records).
    unflushed: bool,
    /// Data messages wholly taken by the transport.
    sent: u64,
    /// Where decoding stands in the connection's read buffer.
    rpos: usize,
    state: State,
    heartbeat: Option<Heartbeat>,
    last_heard: Instant,
    ping_sent: Option<Instant>,
    write_timeout: Duration,
    close_timeout: Duration,
    deadline: Option<Instant>,
    eof: bool,
    waker: Option<WsWaker>,
    woken: Arc<AtomicBool>,
    protocol: Option<String>,
    compressed: bool,
}

impl std::fmt::Debug for WebSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebSocket({:?}, {:?})", self.conn, self.state)
    }
}

impl WebSocket {
    /// A socket on `conn`, whose read buffer may already hold frames that
    /// came right behind the 101.
    pub(crate) fn new(conn: Conn, setup: Setup) -> WebSocket {
        WebSocket {
            conn,
            decoder: setup.decoder,
            encoder: setup.encoder,
            random: RandomPool::new(),
            out: Vec::new(),
            written: 0,
            message_ends: VecDeque::new(),
            unflushed: false,
            sent: 0,
            rpos: 0,
            state: State::Open,
            heartbeat: setup.heartbeat,
            last_heard: Instant::now(),
            ping_sent: None,
            write_timeout: setup.write_timeout,
            close_timeout: setup.close_timeout,
            deadline: None,
            eof: false,
            waker: None,
            woken: Arc::new(AtomicBool::new(false)),
            protocol: setup.protocol,
            compressed: setup.compressed,
        }
    }

    /// The subprotocol the server chose, if any.
    pub fn protocol(&self) -> Option<&str> {
        self.protocol.as_deref()
    }

    /// Whether permessage-deflate was negotiated.
    pub fn is_compressed(&self) -> bool {
        self.compressed
    }

    /// The address connected to (the proxy's, through one).
    pub fn peer(&self) -> std::net::SocketAddr {
        self.conn.peer()
    }

    /// Data messages wholly handed to the transport so far: after a lost
    /// connection, the messages queued after these never reached the
    /// server whole (a reconnecting sender resumes from here).
    pub fn messages_sent(&self) -> u64 {
        self.sent
    }

    /// True until the closing handshake is over or the connection failed.
    pub fn is_open(&self) -> bool {
        self.state != State::Closed
    }

    /// A deadline for every later wait (curl's `-m` for the whole
    /// session): a wait that reaches it fails with [`WsError::Timeout`].
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    /// A handle that wakes a blocked receive from another thread.
    pub fn waker(&mut self) -> io::Result<WsWaker> {
        if let Some(w) = &self.waker {
            return Ok(w.clone());
        }
        let w = WsWaker {
            waker: Arc::new(self.conn.waker()?),
            woken: Arc::clone(&self.woken),
        };
        self.waker = Some(w.clone());
        Ok(w)
    }

    /// Sends a text message (compressed when permessage-deflate is on).
    pub fn send_text(&mut self, text: &str) -> Result<(), WsError> {
        self.queue_text(text)?;
        self.flush()
    }

    /// Sends a binary message.
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), WsError> {
        self.queue_binary(data)?;
        self.flush()
    }

    /// Queues a text message without writing it ([`WebSocket::flush`]
    /// writes every queued frame in as few writes as the socket takes).
    pub fn queue_text(&mut self, text: &str) -> Result<(), WsError> {
        self.queue_message(true, text.as_bytes())
    }

    /// Queues a binary message without writing it.
    pub fn queue_binary(&mut self, data: &[u8]) -> Result<(), WsError> {
        self.queue_message(false, data)
    }

    /// Sends a ping (at most 125 bytes of payload).
    pub fn ping(&mut self, payload: &[u8]) -> Result<(), WsError> {
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(WsError::InvalidInput("a ping carries at most 125 bytes"));
        }
        self.check_open()?;
        let mask = self.random.mask();
        encode_control(&mut self.out, OpCode::Ping, payload, Some(mask));
        self.flush()
    }

    /// Starts the closing handshake: sends a close frame with `code` and
    /// `reason` (cut to fit 123 bytes). Messages the server sent before
    /// its own close still arrive through the receive calls, which end
    /// with [`Message::Close`] (or [`WsError::Timeout`] when the server
    /// does not answer within the close timeout).
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), WsError> {
        if !code.is_sendable() {
            return Err(WsError::InvalidInput("this close code may not be sent"));
        }
        self.check_open()?;
        let mask = self.random.mask();
        encode_close(&mut self.out, code, reason, Some(mask));
        self.state = State::CloseSent {
            until: Instant::now() + self.close_timeout,
        };
        self.flush()
    }

    /// Writes every queued frame, waiting at most the write timeout (and
    /// the session deadline); reads what arrives meanwhile into the buffer.
    pub fn flush(&mut self) -> Result<(), WsError> {
        let deadline = self.cap(Instant::now() + self.write_timeout);
        self.flush_until(deadline)
    }

    /// Waits for the next message without a limit of its own (the
    /// heartbeat and the session deadline still apply).
    pub fn recv(&mut self) -> Result<Message, WsError> {
        loop {
            if let Some(m) = self.recv_timeout(None)? {
                return Ok(m);
            }
        }
    }

    /// Waits at most `timeout` (`None`: no limit) for the next message:
    /// `Ok(None)` when it passed or a [`WsWaker`] woke the call. Pings are
    /// answered and the heartbeat runs meanwhile.
    pub fn recv_timeout(&mut self, timeout: Option<Duration>) -> Result<Option<Message>, WsError> {
        let until = timeout.map(|t| Instant::now() + t);
        if self.state == State::Closed {
            return Err(WsError::Closed);
        }
        loop {
            if let Some(m) = self.next_decoded()? {
                return Ok(Some(m));
            }
            self.flush_now()?;
            let now = Instant::now();
            let wake = earliest(self.run_timers(now)?, until);
            if let Some(got) = self.wait_in_read(now, wake) {
                match got? {
                    Some(0) => return self.on_eof(),
                    Some(_) => continue,
                    // Its time (or a little before it: the loop checks
                    // the timers and waits out the rest).
                    None if until.is_some_and(|u| Instant::now() >= u) => return Ok(None),
                    None => continue,
                }
            }
            match self.read()? {
                Some(0) => return self.on_eof(),
                Some(_) => continue,
                None => {}
            }
            if until.is_some_and(|u| now >= u) {
                return Ok(None);
            }
            // Only a call about to wait takes the wake: a zero-timeout
            // poll must leave it for the blocking call that follows.
            if self.woken.swap(false, Ordering::SeqCst) {
                return Ok(None);
            }
            let wake = wake.unwrap_or(now + IDLE_WAIT);
            match self.conn.wait_ready(wake) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {}
                Err(e) => return Err(self.lost(Lost::Io(e))),
            }
        }
    }

    fn check_open(&self) -> Result<(), WsError> {
        match self.state {
            State::Open => Ok(()),
            _ => Err(WsError::Closed),
        }
    }

    fn queue_message(&mut self, text: bool, payload: &[u8]) -> Result<(), WsError> {
        self.check_open()?;
        let mask = self.random.mask();
        self.encoder
            .message(&mut self.out, text, payload, Some(mask));
        self.message_ends.push_back(self.out.len());
        Ok(())
    }

    /// `deadline` capped by the session deadline.
    fn cap(&self, deadline: Instant) -> Instant {
        self.deadline.map_or(deadline, |d| d.min(deadline))
    }

    /// Decodes what the read buffer holds up to the next message; pings,
    /// pongs and the server's close are handled on the way.
    fn next_decoded(&mut self) -> Result<Option<Message>, WsError> {
        loop {
            if self.rpos >= self.conn.rbuf.len() {
                self.conn.rbuf.clear();
                self.rpos = 0;
                return Ok(None);
            }
            let step = match self.decoder.decode(&mut self.conn.rbuf[self.rpos..]) {
                Ok((n, ev)) => Ok((n, ev.map(Decoded::from_event))),
                Err(e) => Err(e),
            };
            let (n, decoded) = step.map_err(|e| self.fail(e))?;
            self.rpos += n;
            match decoded {
                None => {}
                Some(Decoded::Text(t)) => return Ok(Some(Message::Text(t))),
                Some(Decoded::Binary(b)) => return Ok(Some(Message::Binary(b))),
                Some(Decoded::Ping(p)) => {
                    let mask = self.random.mask();
                    encode_control(&mut self.out, OpCode::Pong, &p, Some(mask));
                }
                Some(Decoded::Pong) => self.ping_sent = None,
                Some(Decoded::Close(status)) => return Ok(Some(self.on_close_frame(status))),
            }
        }
    }

    /// The server's close frame: echoed (its code) unless ours went first;
    /// either way the handshake is over.
    fn on_close_frame(&mut self, status: Option<CloseStatus>) -> Message {
        if self.state == State::Open {
            let code = status.as_ref().map_or(CloseCode::NoStatus, |s| s.code);
            let mask = self.random.mask();
            encode_close(&mut self.out, code, "", Some(mask));
            let deadline = self.cap(Instant::now() + FAIL_CLOSE_WAIT);
            // Best effort: the handshake is over whether or not it leaves.
            let _ = self.flush_until(deadline);
        }
        self.state = State::Closed;
        Message::Close(status)
    }

    /// The stream ended: normal after our close, a loss otherwise.
    fn on_eof(&mut self) -> Result<Option<Message>, WsError> {
        if let State::CloseSent { .. } = self.state {
            self.state = State::Closed;
            return Ok(Some(Message::Close(None)));
        }
        Err(self.lost(Lost::Eof))
    }

    /// Fails the connection for the server's protocol error: a close
    /// frame with the error's code (best effort, briefly), then closed.
    fn fail(&mut self, e: ProtocolError) -> WsError {
        if self.state != State::Closed {
            let mask = self.random.mask();
            encode_close(&mut self.out, e.close_code(), &e.to_string(), Some(mask));
            let deadline = self.cap(Instant::now() + FAIL_CLOSE_WAIT);
            let _ = self.flush_until(deadline);
        }
        self.state = State::Closed;
        WsError::Protocol(e)
    }

    fn lost(&mut self, why: Lost) -> WsError {
        self.state = State::Closed;
        WsError::Lost(why)
    }

    /// Heartbeat, close wait and session deadline at `now`: an error when
    /// one expired, else when the next one is due (`None`: none is armed).
    fn run_timers(&mut self, now: Instant) -> Result<Option<Instant>, WsError> {
        let mut next = None;
        if let Some(d) = self.deadline {
            if now >= d {
                return Err(WsError::Timeout);
            }
            next = earliest(next, Some(d));
        }
        if let State::CloseSent { until } = self.state {
            if now >= until {
                self.state = State::Closed;
                return Err(WsError::Timeout);
            }
            next = earliest(next, Some(until));
        }
        if let Some(hb) = self.heartbeat {
            next = earliest(next, self.heartbeat_step(hb, now)?);
        }
        Ok(next)
    }

    /// Sends the ping when the line was quiet for the interval, fails the
    /// connection when its pong is late; returns the next step's time
    /// (`None` while closing: the close wait bounds it, no more pings).
    fn heartbeat_step(&mut self, hb: Heartbeat, now: Instant) -> Result<Option<Instant>, WsError> {
        if let Some(sent) = self.ping_sent {
            if now >= sent + hb.timeout {
                return Err(self.lost(Lost::Heartbeat));
            }
            return Ok(Some(sent + hb.timeout));
        }
        if self.state != State::Open {
            return Ok(None);
        }
        let due = self.last_heard + hb.interval;
        if now < due {
            return Ok(Some(due));
        }
        let mask = self.random.mask();
        encode_control(&mut self.out, OpCode::Ping, b"", Some(mask));
        self.ping_sent = Some(now);
        self.flush_now()?;
        Ok(Some(now + hb.timeout))
    }
}

impl Drop for WebSocket {
    /// An open socket dropped says goodbye (1001) as far as the socket
    /// takes it without waiting.
    fn drop(&mut self) {
        if self.state == State::Open {
            let mask = self.random.mask();
            encode_close(&mut self.out, CloseCode::GoingAway, "", Some(mask));
            let _ = self.flush_now();
        }
    }
}
