//! One HTTP/1.1 connection: a state machine driven by readiness, pool
//! answers and deadlines. It owns the socket and its buffers; the worker
//! owns the loop, the timers and the slab.
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

use crate::buf::{FlushOutcome, ReadBuf, ReadOutcome, WriteQueue};
use crate::config::Config;
use crate::frame;
use crate::handler::call_handler;
use crate::pool::Reply;
use crate::request::Request;
use crate::response::{Completion, Response};
use crate::shared::Shared;
use crate::transport::Transport;
use http_core::{
    BodyKind, ChunkedDecoder, DateCache, Headers, Limits, Method, ParseError, RequestParser,
    StatusCode, Version, EMPTY_HEADER,
};
use mio::Interest;
use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::time::{Instant, SystemTime};

/// Above this many response bytes waiting in memory, stop parsing
/// pipelined requests and stop reading (backpressure).
pub(crate) const WRITE_HIGH_WATER_BYTES: usize = 64 << 10;
/// Likewise for file regions and streams waiting in the queue (each holds a
/// descriptor or a producer, not memory).
const MAX_QUEUED_BODIES: usize = 16;
/// Bytes read per connection per loop turn before others get their turn.
const READ_BUDGET_BYTES: usize = 256 << 10;
/// Largest read buffer while a body streams through it.
const BODY_READ_BUF_BYTES: usize = 64 << 10;
/// Header slots of the first parse attempt (on the stack, initialised on
/// every parse); a head with more fields is parsed again with
/// `max_headers` slots on the heap.
const FEW_HEADER_SLOTS: usize = 32;

/// What the next bytes from the peer mean.
#[derive(Debug)]
enum State {
    /// Awaiting a request head (idle when nothing is buffered).
    Head,
    /// Reading the body of a parsed request.
    Body(Box<BodyRead>),
    /// The request is in the handler pool; input waits.
    Handling,
    /// The last response is queued; flush it, then linger.
    Closing,
    /// Our FIN is sent; discard input until EOF or the linger deadline
    /// (counted from the last write).
    Lingering,
    /// Done: the worker frees the connection after this turn.
    Closed,
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            State::Head => "Head",
            State::Body(_) => "Body",
            State::Handling => "Handling",
            State::Closing => "Closing",
            State::Lingering => "Lingering",
            State::Closed => "Closed",
        }
    }
}

#[derive(Debug)]
struct BodyRead {
    /// The request, its body growing in place.
    req: Box<Request>,
    framing: BodyFraming,
}

#[derive(Debug)]
enum BodyFraming {
    Length { remaining: u64 },
    Chunked(ChunkedDecoder),
}

/// A response whose completion is reported when its mark is flushed.
struct Pending {
    method: Method,
    target: String,
    version: Version,
    status: u16,
    referer: Option<String>,
    user_agent: Option<String>,
    started: Instant,
    time: SystemTime,
    /// Bytes of the response head, so the hook can tell the body's size.
    head_len: u64,
}

impl Pending {
    fn new(
        method: &Method,
        target: &str,
        version: Version,
        headers: &Headers,
        status: u16,
        started: Instant,
    ) -> Pending {
        Pending {
            method: method.clone(),
            target: target.to_owned(),
            version,
            status,
            referer: headers.get_str("referer").map(str::to_owned),
            user_agent: headers.get_str("user-agent").map(str::to_owned),
            started,
            // The wall-clock moment of `started` (the request complete).
            time: SystemTime::now()
                .checked_sub(started.elapsed())
                .unwrap_or_else(SystemTime::now),
            head_len: 0,
        }
    }
}

/// What the worker passes to every call: shared settings, the clock, the
/// worker's date cache and pool return path.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) now: Instant,
    pub(crate) date: &'a mut DateCache,
    /// The wall clock of this loop turn (one read per turn, not per response).
    pub(crate) wall: SystemTime,
    pub(crate) reply: &'a Reply,
    pub(crate) token: usize,
    pub(crate) draining: bool,
    /// The event being handled reported the peer's half-close or an error.
    pub(crate) hup: bool,
    pub(crate) io_cache: &'a mut IoCache,
}

/// Per-worker spare `Io`s: a connection going idle returns its buffers
/// here and the next busy one takes them, so the request cycle of a
/// keep-alive connection allocates nothing, while idle connections still
/// hold no buffers. Bounded: the cache never holds more than
/// [`IO_CACHE_MAX`] small ones.
// Boxes on purpose: a connection holds its `Io` boxed (so idle ones stay
// small), and handing the box over moves a pointer, not the struct.
#[allow(clippy::vec_box)]
#[derive(Default)]
pub(crate) struct IoCache(Vec<Box<Io>>);

/// Spare `Io`s kept per worker.
const IO_CACHE_MAX: usize = 256;
/// Larger read buffers are freed rather than cached.
const IO_CACHE_MAX_READ_BUF: usize = 4 << 10;

impl IoCache {
    fn take(&mut self, limits: Limits) -> Box<Io> {
        self.0.pop().unwrap_or_else(|| Box::new(Io::new(limits)))
    }

    fn put(&mut self, mut io: Box<Io>) {
        if self.0.len() >= IO_CACHE_MAX
            || io.rbuf.capacity() > IO_CACHE_MAX_READ_BUF
            || !io.is_quiet()
        {
            return;
        }
        io.wq.reset();
        io.parser.reset();
        io.head_started = None;
        io.crowded_head = false;
        io.last_mark = 0;
        self.0.push(io);
    }
}

/// Buffers and per-request progress: allocated when the connection has
/// work, freed when it goes idle, so that an idle keep-alive connection
/// costs only the small `Conn` itself.
struct Io {
    rbuf: ReadBuf,
    wq: WriteQueue,
    parser: RequestParser,
    head_started: Option<Instant>,
    /// The head being parsed has more fields than the first attempt's
    /// slots: parse it with `max_headers` slots.
    crowded_head: bool,
    pending: VecDeque<Pending>,
    last_mark: u64,
    /// The last request's buffers, refilled by the next head parsed.
    spare: Option<Box<Request>>,
}

/// A spare request whose head buffers grew past this is dropped.
const SPARE_HEAD_MAX_BYTES: usize = 4 << 10;

impl Io {
    fn new(limits: Limits) -> Io {
        Io {
            rbuf: ReadBuf::new(),
            wq: WriteQueue::new(),
            parser: RequestParser::new(limits),
            head_started: None,
            crowded_head: false,
            pending: VecDeque::new(),
            last_mark: 0,
            spare: None,
        }
    }

    /// Nothing buffered either way and nothing to report.
    fn is_quiet(&self) -> bool {
        self.rbuf.is_empty() && self.wq.is_empty() && self.pending.is_empty()
    }
}

pub(crate) struct Conn<T> {
    transport: T,
    peer: SocketAddr,
    state: State,
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
            last_read: now,
            last_write: now,
        }
    }

    /// The buffers; [`Conn::ensure_io`] has made them exist.
    fn io(&mut self) -> &mut Io {
        debug_assert!(self.io.is_some(), "buffers used before ensure_io");
        self.io
            .get_or_insert_with(|| Box::new(Io::new(Limits::default())))
    }

    fn ensure_io(&mut self, ctx: &mut Ctx<'_>) {
        if self.io.is_none() {
            self.io = Some(ctx.io_cache.take(ctx.shared.config.limits()));
        }
    }

    fn wq_is_empty(&self) -> bool {
        self.io.as_ref().map_or(true, |io| io.wq.is_empty())
    }

    pub(crate) fn source(&mut self) -> &mut dyn mio::event::Source {
        self.transport.source()
    }

    pub(crate) fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// Whether the connection has work that no readiness event will
    /// announce; the worker drives it again next turn.
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
                Some(t) => t + c.head_timeout,
                None if self.served == 0 => self.last_read + c.head_timeout,
                None => self.last_read.max(self.last_write) + c.keep_alive_timeout,
            }),
            State::Body(_) => Some(self.last_read + c.body_timeout),
            _ => None,
        }
    }

    /// The deadline has passed.
    pub(crate) fn on_timeout(&mut self) {
        match self.state {
            // The drain after our FIN is over.
            State::Lingering => self.close(),
            // An idle keep-alive connection: a plain close.
            State::Head if self.is_idle() && self.served > 0 => self.close(),
            // A trickled head, a stalled body or write, a silent new
            // connection: the peer holds resources it does not use.
            _ => {
                log::debug!("{} timed out in {}", self.peer, self.state.name());
                self.abort_now();
            }
        }
    }

    /// Graceful shutdown began: an idle connection closes now; a busy one
    /// finishes its request with `Connection: close`.
    pub(crate) fn on_drain(&mut self) {
        if self.is_idle() {
            self.close();
        }
    }

    /// Shutdown's drain deadline passed.
    pub(crate) fn abort_now(&mut self) {
        self.transport.set_abortive_close();
        self.close();
    }

    fn close(&mut self) {
        self.set_state(State::Closed);
    }

    /// Reports completions still pending (the peer went away mid-response).
    pub(crate) fn finish(&mut self, ctx: &mut Ctx<'_>) {
        let Some(io) = self.io.as_mut() else { return };
        let mut sent = io.wq.sent_total();
        while let Some(p) = io.pending.pop_front() {
            complete(io, self.peer, p, sent, ctx);
            sent = io.last_mark;
        }
    }

    /// A readiness event, or another turn (`readable`/`writable` false).
    pub(crate) fn drive(&mut self, ctx: &mut Ctx<'_>, readable: bool, writable: bool) {
        self.can_read |= readable;
        self.peer_hup |= readable && ctx.hup;
        self.can_write |= writable;
        self.more = false;
        self.ensure_io(ctx);
        let mut budget = READ_BUDGET_BYTES;
        loop {
            let held_back = self.process_input(ctx);
            self.flush(ctx);
            if self.is_closed() {
                return;
            }
            if held_back && !self.backpressured() {
                // The queue drained: parse what is already buffered.
                continue;
            }
            if !self.wants_input() || !self.can_read {
                break;
            }
            if budget == 0 {
                self.more = true;
                break;
            }
            match self.read(ctx) {
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
                    self.refuse_bytes(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, ctx);
                }
                Err(e) => {
                    log::debug!("{} read failed: {e}", self.peer);
                    self.abort_now();
                    return;
                }
            }
        }
        if self.is_idle() {
            if let Some(io) = self.io.take() {
                ctx.io_cache.put(io);
            }
        }
    }

    /// The pool answered this connection's request.
    pub(crate) fn on_answer(
        &mut self,
        req: Box<Request>,
        resp: Response,
        started: Instant,
        ctx: &mut Ctx<'_>,
    ) {
        if !matches!(self.state, State::Handling) {
            return;
        }
        self.respond(&req, resp, started, ctx);
        self.recycle(req);
        self.drive(ctx, false, false);
    }

    /// Whether the state wants more bytes from the peer now.
    fn wants_input(&self) -> bool {
        match self.state {
            State::Head | State::Body(_) => !self.peer_eof && !self.backpressured(),
            State::Lingering => !self.peer_eof,
            State::Handling | State::Closing | State::Closed => false,
        }
    }

    fn backpressured(&self) -> bool {
        self.io.as_ref().is_some_and(|io| {
            io.wq.mem_bytes() >= WRITE_HIGH_WATER_BYTES
                || io.wq.pending_bodies() >= MAX_QUEUED_BODIES
        })
    }

    fn read(&mut self, ctx: &mut Ctx<'_>) -> io::Result<ReadOutcome> {
        let limit = match self.state {
            State::Body(_) => BODY_READ_BUF_BYTES,
            State::Lingering => 4096,
            // Room past the head limit, so that the parser reports the
            // breach (414 or 431) itself.
            _ => ctx.shared.config.max_head_bytes + 1024,
        };
        self.ensure_io(ctx);
        let Some(io) = self.io.as_mut() else {
            return Ok(ReadOutcome::WouldBlock);
        };
        let transport = &mut self.transport;
        let out = io.rbuf.read_from(|b| transport.read(b), limit)?;
        if let ReadOutcome::Data { .. } = out {
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
            State::Body(_) => self.close(),
            // Head: buffered requests are still answered (process_input
            // closes once they are); Handling and Closing finish writing.
            _ => {}
        }
    }

    /// Parses and handles every complete request the state and the
    /// backpressure allow. Returns true when backpressure held back bytes
    /// already buffered: once the queue drains, no readiness event will
    /// announce them, so the caller must come back.
    fn process_input(&mut self, ctx: &mut Ctx<'_>) -> bool {
        loop {
            match self.state {
                State::Head => {
                    if self.io().rbuf.is_empty() {
                        if self.peer_eof {
                            self.set_state(State::Closing);
                        }
                        return false;
                    }
                    if self.backpressured() {
                        return true;
                    }
                    match self.parse_head(ctx) {
                        Ok(Some(req)) => self.begin_request(req, ctx),
                        Ok(None) => {
                            self.io().head_started.get_or_insert(ctx.now);
                            if self.peer_eof {
                                // A partial head and no more bytes coming.
                                self.set_state(State::Closing);
                            }
                            return false;
                        }
                        Err(e) => {
                            self.refuse_bytes(e.status(), ctx);
                            return false;
                        }
                    }
                }
                State::Body(_) => {
                    if self.io().rbuf.is_empty() || !self.read_body(ctx) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
    }

    /// Parses the buffered head; once complete, copies it into the spare
    /// request (reusing its buffers) and consumes its bytes.
    fn parse_head(&mut self, ctx: &Ctx<'_>) -> Result<Option<Box<Request>>, ParseError> {
        type Parsed<'b, 'h> = http_core::Status<(http_core::RequestView<'b, 'h>, usize)>;
        fn own(
            parsed: Parsed<'_, '_>,
            spare: &mut Option<Box<Request>>,
            peer: SocketAddr,
        ) -> Option<(Box<Request>, usize)> {
            match parsed {
                http_core::Status::Complete((view, used)) => {
                    let mut req = spare
                        .take()
                        .unwrap_or_else(|| Box::new(Request::empty(peer)));
                    view.copy_into(req.head_mut());
                    req.reindex(peer);
                    Some((req, used))
                }
                http_core::Status::Partial => None,
            }
        }
        let max = ctx.shared.config.max_headers;
        let peer = self.peer;
        let io = self.io();
        let mut parsed = None;
        if !io.crowded_head {
            // Most heads have a few fields: a small array is cheap to
            // initialise on every parse.
            let mut few = [EMPTY_HEADER; FEW_HEADER_SLOTS];
            match io
                .parser
                .parse(io.rbuf.filled(), &mut few[..max.min(FEW_HEADER_SLOTS)])
            {
                Err(ParseError::TooManyHeaders) if max > FEW_HEADER_SLOTS => {
                    // Parse this head again, from its start, with room for
                    // `max` fields (and keep doing so as it grows, so that
                    // a trickled crowded head is still scanned once).
                    io.crowded_head = true;
                    io.parser.reset();
                }
                other => parsed = Some(own(other?, &mut io.spare, peer)),
            }
        }
        let parsed = match parsed {
            Some(p) => p,
            None => {
                let mut many = vec![EMPTY_HEADER; max];
                own(
                    io.parser.parse(io.rbuf.filled(), &mut many)?,
                    &mut io.spare,
                    peer,
                )
            }
        };
        Ok(parsed.map(|(req, used)| {
            io.rbuf.consume(used);
            io.head_started = None;
            io.crowded_head = false;
            req
        }))
    }

    /// Keeps a request's buffers for the next head of the connection.
    fn recycle(&mut self, mut req: Box<Request>) {
        let head = req.head();
        if head.target.capacity() + head.headers.heap_bytes() > SPARE_HEAD_MAX_BYTES {
            return;
        }
        req.recycle();
        if let Some(io) = self.io.as_mut() {
            io.spare = Some(req);
        }
    }

    /// A head is complete: check it, then read its body or dispatch it.
    fn begin_request(&mut self, mut req: Box<Request>, ctx: &mut Ctx<'_>) {
        let head = req.head();
        if let Err(e) = http_core::validate_request(head) {
            return self.refuse(e.status(), req, ctx);
        }
        let kind = match http_core::request_body_kind(&head.headers) {
            Ok(kind) => kind,
            Err(e) => return self.refuse(e.status(), req, ctx),
        };
        let expect = head.headers.get("expect").map(<[u8]>::to_ascii_lowercase);
        if expect.as_deref().is_some_and(|e| e != b"100-continue") {
            return self.refuse(StatusCode::EXPECTATION_FAILED, req, ctx);
        }
        let version = head.version;
        let max = ctx.shared.config.max_body_bytes;
        let framing = match kind {
            BodyKind::Empty | BodyKind::CloseDelimited | BodyKind::Length(0) => {
                return self.dispatch(req, ctx);
            }
            // Refused before reading it: the final status instead of 100.
            BodyKind::Length(n) if n > max => {
                return self.refuse(StatusCode::PAYLOAD_TOO_LARGE, req, ctx)
            }
            BodyKind::Length(n) => BodyFraming::Length { remaining: n },
            BodyKind::Chunked => BodyFraming::Chunked(ChunkedDecoder::new()),
        };
        // RFC 9110 10.1.1: send 100 only to a 1.1 client that asked and
        // has not started sending the body anyway.
        let io = self.io();
        if expect.is_some() && version == Version::Http11 && io.rbuf.is_empty() {
            let mut out = io.wq.take_buf();
            out.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
            io.wq.push_vec(out);
        }
        let capacity = match framing {
            BodyFraming::Length { remaining } => remaining.min(max) as usize,
            BodyFraming::Chunked(_) => 0,
        };
        self.last_read = ctx.now;
        req.body_mut().reserve(capacity);
        self.set_state(State::Body(Box::new(BodyRead { req, framing })));
    }

    /// Moves buffered bytes into the body; true once the request has been
    /// dispatched (or failed).
    fn read_body(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let max = ctx.shared.config.max_body_bytes;
        let (State::Body(b), Some(io)) = (&mut self.state, self.io.as_mut()) else {
            return false;
        };
        let rbuf = &mut io.rbuf;
        let progress = match &mut b.framing {
            BodyFraming::Length { remaining } => {
                let take = (*remaining).min(rbuf.len() as u64) as usize;
                b.req.body_mut().extend_from_slice(&rbuf.filled()[..take]);
                rbuf.consume(take);
                *remaining -= take as u64;
                Ok(*remaining == 0)
            }
            BodyFraming::Chunked(decoder) => {
                match decoder.decode(rbuf.filled(), b.req.body_mut()) {
                    Ok((used, done)) => {
                        rbuf.consume(used);
                        if b.req.body().len() as u64 > max {
                            Err(StatusCode::PAYLOAD_TOO_LARGE)
                        } else {
                            Ok(done)
                        }
                    }
                    Err(e) => Err(e.status()),
                }
            }
        };
        match progress {
            Ok(false) => false,
            Ok(true) => {
                if let State::Body(b) = self.set_state(State::Head) {
                    self.dispatch(b.req, ctx);
                }
                true
            }
            Err(status) => {
                if let State::Body(b) = self.set_state(State::Closing) {
                    self.refuse(status, b.req, ctx);
                }
                true
            }
        }
    }

    /// Runs the handler inline, or hands the request to the pool.
    fn dispatch(&mut self, req: Box<Request>, ctx: &mut Ctx<'_>) {
        let shared = ctx.shared;
        if let Some(pool) = &shared.pool {
            match pool.submit(ctx.token, req, ctx.reply.clone(), ctx.now) {
                Ok(()) => {
                    self.set_state(State::Handling);
                }
                Err(req) => {
                    log::error!("handler pool is gone");
                    let resp = Response::text(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "503 Service Unavailable\n",
                    );
                    self.respond(&req, resp, ctx.now, ctx);
                }
            }
        } else {
            let resp = call_handler(&*shared.handler, &req);
            self.respond(&req, resp, ctx.now, ctx);
            self.recycle(req);
        }
    }

    /// Queues the response to `req` with its framing; decides whether the
    /// connection stays open.
    /// `started`: when the request was complete and dispatched.
    fn respond(&mut self, req: &Request, resp: Response, started: Instant, ctx: &mut Ctx<'_>) {
        self.served += 1;
        let config = &ctx.shared.config;
        // After the peer's EOF only requests already buffered remain.
        let last_from_peer =
            self.io.as_ref().map_or(true, |io| io.rbuf.is_empty()) && self.eof_is_next(ctx);
        let keep_alive = !ctx.draining
            && !last_from_peer
            && self.served < config.keep_alive_requests
            && http_core::keep_alive(req.version(), req.headers());
        let status = resp.status().as_u16();
        let date = ctx.date.get(ctx.wall);
        let wq = &mut self.io().wq;
        let (keep_alive, head_len) =
            frame::queue_response(wq, req.method(), req.version(), resp, keep_alive, date);
        if ctx.shared.on_complete.is_some() {
            let (method, target) = (req.method(), req.raw_target());
            let mut p = Pending::new(
                method,
                target,
                req.version(),
                req.headers(),
                status,
                started,
            );
            p.head_len = head_len as u64;
            self.report(p);
        }
        self.set_state(if keep_alive {
            State::Head
        } else {
            State::Closing
        });
    }

    /// Whether the peer's EOF follows the bytes read so far. Once the poller
    /// has reported its half-close, one read tells: EOF, or more requests
    /// (kept for the parser), so the answer to a half-closing client's last
    /// request says `Connection: close`.
    fn eof_is_next(&mut self, ctx: &mut Ctx<'_>) -> bool {
        if !self.peer_eof && self.peer_hup {
            match self.read(ctx) {
                Ok(ReadOutcome::Eof) => self.on_eof(),
                Ok(_) => {}
                // The write that follows meets the same error.
                Err(e) => log::debug!("{} read failed: {e}", self.peer),
            }
        }
        self.peer_eof
    }

    /// Queues a completion report behind the response just queued.
    fn report(&mut self, p: Pending) {
        let io = self.io();
        io.wq.push_mark();
        io.pending.push_back(p);
    }

    /// Refuses a request whose head was read (413, 417, a framing error):
    /// the error answer and a close, reported to the completion hook.
    fn refuse(&mut self, status: StatusCode, req: Box<Request>, ctx: &mut Ctx<'_>) {
        let head_len = self.fail(status, ctx);
        if ctx.shared.on_complete.is_some() {
            let head = req.head();
            let (method, target, version) = (&head.method, &head.target, head.version);
            let code = status.as_u16();
            let mut p = Pending::new(method, target, version, &head.headers, code, ctx.now);
            p.head_len = head_len as u64;
            self.report(p);
        }
    }

    /// Refuses bytes that never formed a head (a parse error, a head over
    /// the limit), reported to the completion hook with what the request
    /// line gives away, as nginx logs its 400s.
    fn refuse_bytes(&mut self, status: StatusCode, ctx: &mut Ctx<'_>) {
        let logged = ctx.shared.on_complete.is_some() && matches!(self.state, State::Head);
        let rough = logged.then(|| rough_request_line(self.io().rbuf.filled()));
        let head_len = self.fail(status, ctx);
        if let Some((method, target, version)) = rough {
            let code = status.as_u16();
            let mut p = Pending::new(&method, &target, version, &Headers::new(), code, ctx.now);
            p.head_len = head_len as u64;
            self.report(p);
        }
    }

    /// Answers bytes that cannot be served with `status` and closes after
    /// it: the next request's boundary is unknown.
    /// Returns the length of the error response's head.
    fn fail(&mut self, status: StatusCode, ctx: &mut Ctx<'_>) -> usize {
        log::debug!("{} answered {} and closes", self.peer, status.as_u16());
        let date = ctx.date.get(ctx.wall);
        let head_len = frame::queue_error(&mut self.io().wq, status, date);
        self.set_state(State::Closing);
        head_len
    }

    /// Writes what the socket takes; begins the lingering close once the
    /// last response is out.
    fn flush(&mut self, ctx: &mut Ctx<'_>) {
        let peer = self.peer;
        let Some(io) = self.io.as_mut() else { return };
        if !io.wq.is_empty() && self.can_write {
            let mut marks = Vec::new();
            let before = io.wq.sent_total();
            let outcome = io.wq.flush(&mut self.transport, &mut marks);
            if io.wq.sent_total() != before {
                self.last_write = ctx.now;
            }
            for total in marks {
                if let Some(p) = io.pending.pop_front() {
                    complete(io, peer, p, total, ctx);
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
        }
        if self.wq_is_empty() && matches!(self.state, State::Closing) {
            self.begin_linger(ctx);
        }
    }

    /// RFC 9112 9.6: half-close, then drain what the peer still sends, so
    /// that our close does not turn into a RST that destroys the response
    /// before the peer has read it.
    fn begin_linger(&mut self, ctx: &Ctx<'_>) {
        if self.peer_eof {
            return self.close();
        }
        if let Err(e) = self.transport.shutdown_write() {
            log::debug!("{} shutdown failed: {e}", self.peer);
            return self.close();
        }
        let io = self.io();
        io.rbuf.consume(io.rbuf.len());
        // The linger deadline counts from now.
        self.last_write = ctx.now;
        self.set_state(State::Lingering);
        // Input already buffered in the kernel will not raise a new edge.
        self.can_read = true;
    }
}

/// Longest request line an access log gets from a refused head.
const ROUGH_LINE_MAX: usize = 1024;

/// What an access log can say of bytes that never formed a head: the
/// method and target as sent when the request line got that far, else
/// `-` (lossy UTF-8; the log escapes what it prints).
fn rough_request_line(buf: &[u8]) -> (Method, String, Version) {
    let end = buf
        .iter()
        .take(ROUGH_LINE_MAX)
        .position(|&b| b == b'\n')
        .unwrap_or(buf.len().min(ROUGH_LINE_MAX));
    let line = &buf[..end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut parts = line.split(|&b| b == b' ').filter(|p| !p.is_empty());
    let method = parts
        .next()
        .and_then(Method::from_bytes)
        .unwrap_or_else(|| Method::Other("-".into()));
    let target = parts
        .next()
        .map_or_else(|| "-".into(), |t| String::from_utf8_lossy(t).into_owned());
    let version = match parts.next() {
        Some(b"HTTP/1.0") => Version::Http10,
        _ => Version::Http11,
    };
    (method, target, version)
}

/// Reports one finished response to the completion hook.
fn complete(io: &mut Io, peer: SocketAddr, p: Pending, total: u64, ctx: &mut Ctx<'_>) {
    let bytes_sent = total.saturating_sub(io.last_mark);
    io.last_mark = total;
    if let Some(hook) = &ctx.shared.on_complete {
        let completion = Completion {
            method: p.method,
            target: p.target,
            version: p.version,
            status: p.status,
            bytes_sent,
            body_bytes: bytes_sent.saturating_sub(p.head_len),
            duration: ctx.now.saturating_duration_since(p.started),
            peer,
            referer: p.referer,
            user_agent: p.user_agent,
            time: p.time,
        };
        // The hook is the application's code: a panic must not end the worker.
        let call = std::panic::AssertUnwindSafe(|| hook(&completion));
        if std::panic::catch_unwind(call).is_err() {
            log::error!("the completion hook panicked");
        }
    }
}
