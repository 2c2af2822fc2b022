//! One request/response exchange as a sans-IO state machine, in the
//! manner of ureq-proto: it is fed bytes and the current time and says
//! what it wants next. It never touches a socket or the clock; the driver
//! ([`super::driver`], [`super::BodyReader`]) does the I/O and passes `now`
//! in, so the unit tests below run it on literal bytes with a fake clock.
//!
//! ```text
//!            new()
//!              |
//!          SendHead ----(Expect: 100-continue)----> AwaitContinue
//!              |                                   |     |       \
//!              | (body? head + body go together)   | 100 |  wait   \ final status first
//!              v                                   v     v elapsed  \ (body never sent,
//!          SendBody <------------------------------+-----+           \ connection not reused)
//!              |                                                      |
//!              v                                                      |
//!          ReadHead --1xx (not 101)--> ReadHead                       |
//!              | final                                                |
//!              v                                                      |
//!          HeadReady <------------------------------------------------+
//!              | take_head()
//!              v
//!          Body(Length | Chunked | Close) --complete--> Done { reusable }
//!              \--Empty (HEAD, 1xx, 204, 304, Length 0)-----^
//!
//!  any state --EOF / socket error / deadline / bad bytes--> Failed
//! ```
//!
//! # What the driver does
//!
//! Loop on [`Exchange::poll`] and act on the [`Action`]:
//! - `Write { deadline }`: write all of [`Exchange::output`], then call
//!   [`Exchange::wrote`].
//! - `SendBody`: hand over request body bytes with [`Exchange::send_body`]
//!   (framed here: as they are for `Content-Length`, as chunks otherwise)
//!   and finally [`Exchange::end_body`].
//! - `ContinueTimedOut`: a note for the observer; no `100 Continue` came
//!   within the wait, the body goes anyway.
//! - `Read { deadline }`: feed the bytes already buffered with
//!   [`Exchange::feed`] (it returns how many it consumed; the rest stays in
//!   the driver's buffer, e.g. a pipelined next response); when that
//!   consumed nothing, read more, waiting at most until `deadline`. On end
//!   of stream call [`Exchange::on_eof`], when the wait ends
//!   [`Exchange::timed_out`], on a socket error [`Exchange::io_error`].
//! - `Head`: [`Exchange::take_head`] gives the final head.
//! - In the body, the driver may move Length and close-delimited bytes
//!   straight into the caller's buffer ([`Exchange::body_passthrough`],
//!   then [`Exchange::passed_through`]): the zero-copy path of large
//!   downloads. Chunked bytes go through [`Exchange::feed_body`].
//! - `Done { reusable }`: the exchange is over; the driver decides what
//!   happens to the connection (the pool is the driver's business).
//!
//! # Deadlines
//!
//! Every wait ends at the earliest of: the request's total deadline (`-m`),
//! the idle timeout counted from when the wait began (reset by every byte
//! that moves), and, while the body waits for `100 Continue`, the end of
//! that wait. Phases name the timeouts: `Send`, `ReceiveHead`,
//! `ReceiveBody`.
//!
//! # Replay
//!
//! [`Exchange::may_replay`] is the input of the replay-once rule: true
//! when the exchange failed before any response byte arrived and before a
//! body went out after a `100 Continue` wait. Whether to replay (a reused
//! connection, an idempotent method, a replayable body) is the caller's
//! decision.

use std::io;
use std::time::{Duration, Instant};

use brisk_core::{
    response_body_kind, BodyDecoder, Limits, Method, ResponseParser, Status, EMPTY_HEADER,
};

use crate::error::{Error, Phase};

mod plan;
pub(crate) use plan::{Action, Deadlines, Framing, Plan, ReceivedHead};

/// Most header slots a response head may use, whatever the limits say.
const MAX_RESPONSE_HEADERS: usize = 1024;
/// Queued request bytes past which the body waits until they are written.
pub(crate) const SEND_CHUNK_BYTES: usize = 64 * 1024;

/// Where the exchange stands (see the diagram in the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// The head is queued in `out`.
    SendHead,
    /// Head sent with `Expect: 100-continue`; the body is held back.
    AwaitContinue { until: Instant },
    /// Body bytes are welcome; `ended` once the last one was given.
    SendBody { ended: bool },
    /// The request is out; reading the final head (1xx loop).
    ReadHead,
    /// A final head is parsed, waiting for `take_head`.
    HeadReady,
    /// The head went to the caller; the body is being read.
    Body,
    /// Complete.
    Done { reusable: bool },
    /// Failed; nothing more will happen.
    Failed,
}

/// One request/response exchange. See the module doc.
#[derive(Debug)]
pub(crate) struct Exchange {
    state: State,
    method: Method,
    framing: Framing,
    expect_continue: bool,
    expect_wait: Duration,
    limits: Limits,
    deadlines: Deadlines,
    parser: ResponseParser,
    /// Request bytes to write: `out[..]`, cleared by `wrote`.
    out: Vec<u8>,
    /// Body bytes given so far (checked against `Content-Length`).
    body_given: u64,
    /// Start of the current wait, `None` while not waiting.
    waiting_since: Option<Instant>,
    /// Any response byte at all (the replay rule's input).
    any_response_byte: bool,
    /// Any byte since the current head wait began (`EmptyReply` otherwise).
    bytes_this_wait: bool,
    /// The failure hit a body sent after a `100 Continue` wait.
    failed_after_wait: bool,
    first_byte_at: Option<Instant>,
    interim: Vec<Vec<u8>>,
    body_sent: bool,
    head: Option<ReceivedHead>,
    decoder: BodyDecoder,
    reusable: bool,
    /// Body bytes produced (for `Incomplete`).
    body_received: u64,
}

impl Exchange {
    /// An exchange that will send `plan.head` first.
    pub fn new(plan: Plan) -> Exchange {
        let Plan {
            method,
            head,
            framing,
            expect_continue,
            expect_wait,
            limits,
            deadlines,
        } = plan;
        let expect_continue = expect_continue && framing != Framing::None;
        let state = match (framing, expect_continue) {
            // Head and body go in the same writes.
            (Framing::Length(_) | Framing::Chunked, false) => State::SendBody { ended: false },
            _ => State::SendHead,
        };
        Exchange {
            state,
            method,
            framing,
            expect_continue,
            expect_wait,
            limits,
            deadlines,
            parser: response_parser(limits),
            out: head,
            body_given: 0,
            waiting_since: None,
            any_response_byte: false,
            bytes_this_wait: false,
            failed_after_wait: false,
            first_byte_at: None,
            interim: Vec::new(),
            body_sent: true,
            head: None,
            decoder: BodyDecoder::Done,
            reusable: false,
            body_received: 0,
        }
    }

    /// The one place the state changes; traced as `old => new`.
    fn set_state(&mut self, next: State) {
        log::trace!("exchange: {:?} => {:?}", self.state, next);
        if matches!(next, State::AwaitContinue { .. } | State::ReadHead) {
            self.bytes_this_wait = false;
        }
        self.waiting_since = None;
        self.state = next;
    }

    /// What to do next, at `now`.
    pub fn poll(&mut self, now: Instant) -> Result<Action, Error> {
        Ok(match self.state {
            // The head (with any body bytes queued behind it) goes out.
            State::SendHead => Action::Write {
                deadline: self.deadlines.wait_from(now),
            },
            // Body bytes are queued until a write's worth is ready.
            State::SendBody { ended } => {
                if !self.out.is_empty() && (ended || self.out.len() >= SEND_CHUNK_BYTES) {
                    Action::Write {
                        deadline: self.deadlines.wait_from(now),
                    }
                } else if ended {
                    self.set_state(State::ReadHead);
                    return self.poll(now);
                } else {
                    Action::SendBody
                }
            }
            // Waiting for 100 Continue, a final answer, or the end of the wait.
            State::AwaitContinue { until } => {
                let since = *self.waiting_since.get_or_insert(now);
                Action::Read {
                    deadline: self.deadlines.wait_from(since).min(until),
                }
            }
            // Waiting for the response head, or more body.
            State::ReadHead | State::Body => {
                let since = *self.waiting_since.get_or_insert(now);
                Action::Read {
                    deadline: self.deadlines.wait_from(since),
                }
            }
            State::HeadReady => Action::Head,
            State::Done { reusable } => Action::Done { reusable },
            State::Failed => {
                return Err(Error::Io {
                    phase: self.phase(),
                    source: io::Error::other("the exchange already failed"),
                })
            }
        })
    }

    /// Request bytes to write (for `Action::Write`).
    pub fn output(&self) -> &[u8] {
        &self.out
    }

    /// All of [`Exchange::output`] was written at `now`.
    pub fn wrote(&mut self, now: Instant) {
        self.out.clear();
        match self.state {
            State::SendHead if self.expect_continue => {
                let until = now + self.expect_wait;
                self.set_state(State::AwaitContinue { until });
            }
            State::SendHead => self.set_state(State::ReadHead),
            // More body may follow; `poll` moves on once it ended.
            _ => self.waiting_since = None,
        }
    }

    /// Whether the driver may write the next `n` body bytes itself,
    /// straight from where they were read, rather than queue them with
    /// [`Exchange::send_body`] (a copy per chunk, which cost a 1 GiB
    /// upload about a third of its CPU): so when nothing is queued before
    /// them and they need no chunk framing. Then they count as given, and
    /// the write's deadline is returned; [`Exchange::wrote`] follows it.
    pub fn pass_body(&mut self, n: usize, now: Instant) -> Option<Instant> {
        let direct = self.out.is_empty()
            && self.framing != Framing::Chunked
            && matches!(self.state, State::SendBody { ended: false });
        if !direct || n == 0 {
            return None;
        }
        self.body_given += n as u64;
        Some(self.deadlines.wait_from(now))
    }

    /// Queues request body bytes, framed as the head announced.
    pub fn send_body(&mut self, data: &[u8]) {
        if data.is_empty() || !matches!(self.state, State::SendBody { ended: false }) {
            return;
        }
        self.body_given += data.len() as u64;
        match self.framing {
            Framing::Chunked => brisk_core::encode_chunk(data, &mut self.out),
            Framing::Length(_) | Framing::None => self.out.extend_from_slice(data),
        }
    }

    /// The body source is exhausted: ends the chunked body, or checks that
    /// it gave the announced length (the server would wait for bytes that
    /// never come).
    pub fn end_body(&mut self) -> Result<(), Error> {
        if !matches!(self.state, State::SendBody { ended: false }) {
            return Ok(());
        }
        match self.framing {
            Framing::Chunked => self.out.extend_from_slice(brisk_core::LAST_CHUNK),
            Framing::Length(n) if n != self.body_given => {
                let given = self.body_given;
                return Err(self.fail(Error::RequestBody(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("body source gave {given} bytes, announced Some({n})"),
                ))));
            }
            Framing::Length(_) | Framing::None => {}
        }
        self.set_state(State::SendBody { ended: true });
        Ok(())
    }

    /// Feeds response bytes buffered by the driver (all not yet consumed)
    /// while reading a head; returns how many were consumed.
    pub fn feed(&mut self, now: Instant, input: &[u8]) -> Result<usize, Error> {
        if !matches!(self.state, State::AwaitContinue { .. } | State::ReadHead) {
            return Ok(0);
        }
        if !input.is_empty() {
            self.any_response_byte = true;
            self.bytes_this_wait = true;
            self.first_byte_at.get_or_insert(now);
            self.waiting_since = None;
        }
        let mut consumed = 0;
        while matches!(self.state, State::AwaitContinue { .. } | State::ReadHead) {
            let rest = &input[consumed..];
            match self.parse_head(now, rest)? {
                None => break,
                Some(n) => consumed += n,
            }
        }
        Ok(consumed)
    }

    /// Parses one head from `input`; `Some(consumed)` when one completed.
    fn parse_head(&mut self, now: Instant, input: &[u8]) -> Result<Option<usize>, Error> {
        let mut slots = vec![EMPTY_HEADER; self.limits.max_headers.clamp(1, MAX_RESPONSE_HEADERS)];
        let parsed = self.parser.parse(input, &mut slots);
        let (head, n) = match parsed {
            Ok(Status::Partial) => return Ok(None),
            Ok(Status::Complete((view, n))) => (view.to_head(), n),
            Err(e) => return Err(self.fail(Error::BadResponse(e))),
        };
        let raw = input[..n].to_vec();
        self.parser.reset();
        let status = head.status.as_u16();
        // 1xx (100 Continue, 103 Early Hints) precede the final response;
        // 101 is final: it switches protocols (the WebSocket opening
        // takes the connection and the bytes after the head from here).
        if (100..200).contains(&status) && status != 101 {
            self.interim.push(raw);
            if status == 100 && matches!(self.state, State::AwaitContinue { .. }) {
                self.set_state(State::SendBody { ended: false });
            }
            return Ok(Some(n));
        }
        let body_kind = match response_body_kind(&self.method, status, &head.headers) {
            Ok(k) => k,
            Err(e) => return Err(self.fail(Error::BadResponse(e))),
        };
        // A final answer before the body went out: the server may or may
        // not read the unsent body, so the connection's state is unknown.
        self.body_sent = !matches!(self.state, State::AwaitContinue { .. });
        self.reusable = self.body_sent && brisk_core::keep_alive(head.version, &head.headers);
        self.head = Some(ReceivedHead {
            head,
            raw,
            interim: std::mem::take(&mut self.interim),
            body_kind,
            first_byte_at: self.first_byte_at.unwrap_or(now),
        });
        self.set_state(State::HeadReady);
        Ok(Some(n))
    }

    /// The final head (once, after `Action::Head`); the body follows.
    pub fn take_head(&mut self) -> Option<ReceivedHead> {
        let head = self.head.take()?;
        self.decoder = BodyDecoder::for_response(head.body_kind);
        self.reusable = self.reusable && self.decoder.leaves_connection_reusable();
        if self.decoder.is_done() {
            self.set_state(State::Done {
                reusable: self.reusable,
            });
        } else {
            self.set_state(State::Body);
        }
        Some(head)
    }

    /// In the body: how many bytes may go straight from the wire to the
    /// caller (Length, close-delimited); `None` for chunked.
    pub fn body_passthrough(&self) -> Option<u64> {
        match self.state {
            State::Body => self.decoder.passthrough_limit(),
            _ => Some(0),
        }
    }

    /// `n` body bytes went straight to the caller.
    pub fn passed_through(&mut self, n: usize) {
        if self.state != State::Body || n == 0 {
            return;
        }
        self.waiting_since = None;
        self.decoder.passed_through(n as u64);
        self.body_received += n as u64;
        self.finish_if_done();
    }

    /// Decodes buffered body bytes into `out`; returns the input used.
    pub fn feed_body(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<usize, Error> {
        if self.state != State::Body || input.is_empty() {
            return Ok(0);
        }
        self.waiting_since = None;
        let before = out.len();
        let used = match self.decoder.decode(input, out) {
            Ok(used) => used,
            Err(e) => return Err(self.fail(Error::BadResponse(e))),
        };
        self.body_received += (out.len() - before) as u64;
        self.finish_if_done();
        Ok(used)
    }

    fn finish_if_done(&mut self) {
        if self.decoder.is_done() {
            self.set_state(State::Done {
                reusable: self.reusable,
            });
        }
    }

    /// The peer closed the stream. Complete for a close-delimited body;
    /// otherwise the error for where it happened.
    pub fn on_eof(&mut self) -> Result<(), Error> {
        match self.state {
            State::AwaitContinue { .. } | State::ReadHead if !self.bytes_this_wait => {
                Err(self.fail(Error::EmptyReply))
            }
            State::AwaitContinue { .. } | State::ReadHead => Err(self.fail(Error::Io {
                phase: Phase::ReceiveHead,
                source: io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed in the middle of the response head",
                ),
            })),
            State::Body => match self.decoder.on_eof() {
                Ok(()) => {
                    // A close-delimited body ends the connection with it.
                    self.reusable = false;
                    self.finish_if_done();
                    Ok(())
                }
                Err(brisk_core::Truncated) => Err(self.fail(Error::Incomplete {
                    received: self.body_received,
                })),
            },
            State::Done { .. } => Ok(()),
            _ => Err(self.fail(Error::Io {
                phase: self.phase(),
                source: io::ErrorKind::UnexpectedEof.into(),
            })),
        }
    }

    /// The wait of the last `Read` ended at `now` with nothing new. Past
    /// the `100 Continue` wait the body goes anyway; otherwise a timeout.
    pub fn timed_out(&mut self, now: Instant) -> Result<Action, Error> {
        if let State::AwaitContinue { until } = self.state {
            let other = self.deadlines.wait_from(self.waiting_since.unwrap_or(now));
            if now >= until && until < other {
                self.set_state(State::SendBody { ended: false });
                return Ok(Action::ContinueTimedOut);
            }
        }
        let phase = self.phase();
        Err(self.fail(Error::Timeout { phase }))
    }

    /// A socket error (a timeout included) while the driver did the I/O.
    pub fn io_error(&mut self, e: io::Error) -> Error {
        let phase = self.phase();
        self.fail(Error::io(phase, e))
    }

    /// The phase errors are named after, from the state.
    fn phase(&self) -> Phase {
        match self.state {
            State::SendHead | State::SendBody { .. } => Phase::Send,
            State::AwaitContinue { .. } | State::ReadHead | State::HeadReady => Phase::ReceiveHead,
            State::Body | State::Done { .. } | State::Failed => Phase::ReceiveBody,
        }
    }

    /// Every failure goes through here: remembers whether it hit a body
    /// sent after the server had its chance to answer, then stops.
    fn fail(&mut self, e: Error) -> Error {
        if matches!(self.state, State::SendBody { .. }) && self.expect_continue {
            self.failed_after_wait = true;
        }
        self.set_state(State::Failed);
        e
    }

    /// The replay rule's input: no response byte arrived, and the failure
    /// did not hit a body sent after the server had its chance to answer.
    pub fn may_replay(&self) -> bool {
        !self.any_response_byte && !self.failed_after_wait
    }

    /// Changes the idle timeout of later waits (`BodyReader::set_idle_timeout`).
    pub fn set_idle_timeout(&mut self, idle: Duration) {
        self.deadlines.idle = idle;
    }

    /// `Some(reusable)` once the exchange is done; unlike `poll`, this
    /// starts no wait.
    pub fn done(&self) -> Option<bool> {
        match self.state {
            State::Done { reusable } => Some(reusable),
            _ => None,
        }
    }

    /// True once the exchange is over (done or failed).
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Done { .. } | State::Failed)
    }
}

/// The response parser a client wants (RFC 9112 leaves the choice to the
/// recipient, curl and browsers take both): a lone LF ends a line (2.2),
/// as old appliances and CGI scripts send it, and an obs-fold is read as
/// SP (5.2, a user agent MUST). Requests, on the server, stay strict.
pub(crate) fn response_parser(limits: Limits) -> ResponseParser {
    ResponseParser::new(limits).bare_lf(true).obs_fold(true)
}

#[cfg(test)]
mod tests;
