//! The input side of a connection: the drive loop (parse what is
//! buffered, flush, read more, until the socket is drained, the state
//! wants no input or the per-turn budget is used up), reads, the peer's
//! EOF, and the backpressure that stops both parsing and reading.

use super::io_cache::Io;
use super::{Conn, Ctx, State, BODY_READ_BUF_BYTES, MAX_QUEUED_BODIES, WRITE_HIGH_WATER_BYTES};
use crate::buf::ReadOutcome;
use crate::transport::{self, Transport};
use brisk_core::ParseError;
use std::io::{self, ErrorKind};

/// Bytes read per connection per loop turn before others get their turn.
const READ_BUDGET_BYTES: usize = 256 << 10;
/// Read buffer while lingering: input is discarded (bytes).
const LINGER_READ_BUF_BYTES: usize = 4096;
/// Room past the head limit, so that the parser reports the breach (414
/// or 431) itself (bytes).
const HEAD_READ_SLACK_BYTES: usize = 1024;

impl<T: Transport> Conn<T> {
    /// Parses, flushes and reads in turn until the socket is drained, the
    /// state wants no input, or the read budget is used up.
    pub(super) fn drive_io(&mut self, io: &mut Io, ctx: &mut Ctx<'_>) {
        let mut budget = READ_BUDGET_BYTES;
        loop {
            let held_back = self.process_input(io, ctx);
            self.flush(io, ctx);
            if self.is_closed() {
                return;
            }
            if held_back && !backpressured(io) {
                // The queue drained: parse what is already buffered.
                continue;
            }
            if !self.wants_input(io) || !self.can_read {
                break;
            }
            if budget == 0 {
                self.more = true;
                break;
            }
            match self.read(io, ctx) {
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
                    // The read buffer's limit is the head limit plus slack.
                    self.refuse_bytes(ParseError::HeadTooLarge.status(), io, ctx);
                }
                Err(e) if transport::is_plain_http(&e) => {
                    self.refuse_plain_http(io, ctx);
                }
                Err(e) => {
                    log::debug!("{} read failed: {e}", self.peer);
                    self.abort_now();
                    return;
                }
            }
        }
    }

    /// Whether the state wants more bytes from the peer now.
    fn wants_input(&self, io: &Io) -> bool {
        match self.state {
            State::Head | State::Body(_) | State::Discard(_) => {
                !self.peer_eof && !backpressured(io)
            }
            State::Streaming(ref s) => !self.peer_eof && s.wants_bytes(io),
            State::Lingering => !self.peer_eof,
            State::Handling | State::Closing | State::Upgrading(_) | State::Closed => false,
        }
    }

    pub(super) fn read(&mut self, io: &mut Io, ctx: &mut Ctx<'_>) -> io::Result<ReadOutcome> {
        let limit = match self.state {
            State::Body(_) | State::Streaming(_) | State::Discard(_) => BODY_READ_BUF_BYTES,
            State::Lingering => LINGER_READ_BUF_BYTES,
            _ => ctx.shared.config.max_head_bytes + HEAD_READ_SLACK_BYTES,
        };
        let transport = &mut self.transport;
        let out = io.rbuf.read_from(|b| transport.read(b), limit)?;
        if let ReadOutcome::Data { .. } = out {
            if let Some(client) = self.transport.take_proxied_peer() {
                self.peer = client;
            }
            self.last_read = ctx.now;
            if let State::Lingering = self.state {
                io.rbuf.consume(io.rbuf.len());
            }
        }
        Ok(out)
    }

    pub(super) fn on_eof(&mut self) {
        self.peer_eof = true;
        match self.state {
            // The peer is gone: nothing more to drain.
            State::Lingering => self.close(),
            // A truncated body cannot be answered.
            State::Body(_) | State::Discard(_) => self.close(),
            State::Streaming(ref s) => {
                s.fail(ErrorKind::UnexpectedEof);
                self.close();
            }
            // Head: buffered requests are still answered (process_input
            // closes once they are); Handling and Closing finish writing.
            _ => {}
        }
    }

    /// Parses and handles every complete request the state and the
    /// backpressure allow. Returns true when backpressure held back bytes
    /// already buffered: once the queue drains, no readiness event will
    /// announce them, so the caller must come back.
    fn process_input(&mut self, io: &mut Io, ctx: &mut Ctx<'_>) -> bool {
        loop {
            match self.state {
                State::Head => {
                    if io.rbuf.is_empty() {
                        if self.peer_eof {
                            self.set_state(State::Closing);
                        }
                        return false;
                    }
                    if backpressured(io) {
                        return true;
                    }
                    match self.parse_head(io) {
                        Ok(Some((req, notes))) => self.begin_request(req, &notes, io, ctx),
                        Ok(None) => {
                            io.head_started.get_or_insert(ctx.now);
                            if self.peer_eof {
                                // A partial head and no more bytes coming.
                                self.set_state(State::Closing);
                            }
                            return false;
                        }
                        Err(e) => {
                            self.refuse_bytes(e.status(), io, ctx);
                            return false;
                        }
                    }
                }
                State::Body(_) => {
                    if io.rbuf.is_empty() || !self.read_body(io, ctx) {
                        return false;
                    }
                }
                State::Streaming(_) | State::Discard(_) => {
                    if io.rbuf.is_empty() || !self.feed_body(io, ctx) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
    }
}

/// Too much is queued for writing: parse and read no more for now.
fn backpressured(io: &Io) -> bool {
    io.wq.mem_bytes() >= WRITE_HIGH_WATER_BYTES || io.wq.pending_bodies() >= MAX_QUEUED_BODIES
}
