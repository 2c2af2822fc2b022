//! From buffered bytes to a request, and from a request to a queued
//! response: the head parse into the previous request's buffers,
//! dispatch to the handler or
//! the pool, and the response's framing and keep-alive decision.

use super::io_cache::{Io, SPARE_HEAD_MAX_BYTES};
use super::report::Pending;
use super::{Conn, Ctx, State};
use crate::buf::ReadOutcome;
use crate::frame;
use crate::handler::call_handler_then;
use crate::request::Request;
use crate::response::Response;
use crate::transport::Transport;
use crate::upgrade::Upgrade;
use brisk_core::{FieldNotes, ParseError, Status, StatusCode};
use std::time::Instant;

impl<T: Transport> Conn<T> {
    /// Parses the buffered head into the spare request (reusing its
    /// buffers); once complete, consumes its bytes and returns it, with the
    /// notes of its framing fields.
    pub(super) fn parse_head(
        &mut self,
        io: &mut Io,
    ) -> Result<Option<(Box<Request>, FieldNotes)>, ParseError> {
        let peer = self.peer;
        let mut req = io
            .spare
            .take()
            .unwrap_or_else(|| Box::new(Request::empty(peer)));
        match io.parser.parse_into(io.rbuf.filled(), req.head_mut()) {
            Ok(Status::Complete((used, notes))) => {
                req.reindex(peer);
                io.rbuf.consume(used);
                io.head_started = None;
                Ok(Some((req, notes)))
            }
            other => {
                io.spare = Some(req);
                other.map(|_| None)
            }
        }
    }

    /// Keeps a request's buffers for the next head of the connection.
    pub(super) fn recycle(io: &mut Io, mut req: Box<Request>) {
        let head = req.head();
        if head.target.capacity() + head.headers.heap_bytes() > SPARE_HEAD_MAX_BYTES {
            return;
        }
        req.recycle();
        io.spare = Some(req);
    }

    /// Runs the handler inline, or hands the request to the pool.
    pub(super) fn dispatch(&mut self, req: Box<Request>, io: &mut Io, ctx: &mut Ctx<'_>) {
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
                    self.respond(&req, resp, ctx.now, io, ctx);
                }
            }
        } else {
            call_handler_then(&*shared.handler, &req, |resp| {
                self.respond(&req, resp, ctx.now, io, ctx);
            });
            Self::recycle(io, req);
        }
    }

    /// Queues the response to `req` with its framing; decides whether the
    /// connection stays open.
    /// `started`: when the request was complete and dispatched.
    pub(super) fn respond(
        &mut self,
        req: &Request,
        resp: Response,
        started: Instant,
        io: &mut Io,
        ctx: &mut Ctx<'_>,
    ) {
        self.served += 1;
        let mut resp = resp;
        if let Some(upgrade) = resp.take_upgrade() {
            return self.switch_protocols(req, resp, upgrade, started, io, ctx);
        }
        let config = &ctx.shared.config;
        // After the peer's EOF only requests already buffered remain.
        let last_from_peer = io.rbuf.is_empty() && self.eof_is_next(io, ctx);
        let keep_alive = !ctx.draining
            && !last_from_peer
            && self.served < config.keep_alive_requests
            && req.client_keep_alive();
        let status = resp.status().as_u16();
        let date = ctx.date;
        let (keep_alive, head_len) = frame::queue_response(
            &mut io.wq,
            req.method(),
            req.version(),
            resp,
            keep_alive,
            date,
            ctx.heads,
        );
        if ctx.shared.on_complete.is_some() {
            Self::report_answer(req, status, started, head_len, io);
        }
        if !keep_alive {
            self.set_state(State::Closing);
        } else if !matches!(self.state, State::Head) {
            // (Already in Head, the usual case for a request without a
            // body, there is no state to replace and drop.)
            self.set_state(State::Head);
        }
    }

    /// Queues a `101` and stops HTTP here: the bytes after this request
    /// stay in the read buffer for the protocol that takes over
    /// (`upgrade.rs`). Anything but a `101` cannot switch: the upgrade is
    /// dropped and the answer sent as an ordinary one that closes.
    ///
    /// The `101` is reported to the completion hook once it is written,
    /// as any response is (its size is the head's): the access log shows
    /// the upgrade when it happens, not when the session ends, which may
    /// be hours later (the session's end goes to the endpoint's `close`).
    fn switch_protocols(
        &mut self,
        req: &Request,
        resp: Response,
        upgrade: Box<Upgrade>,
        started: Instant,
        io: &mut Io,
        ctx: &mut Ctx<'_>,
    ) {
        if resp.status() != StatusCode::SWITCHING_PROTOCOLS || ctx.draining {
            drop(upgrade);
            let resp = resp.header("Connection", "close");
            return self.respond(req, resp, started, io, ctx);
        }
        let (_, headers, _) = resp.into_parts();
        let head_len = frame::queue_switching_head(&mut io.wq, &headers, ctx.date);
        let status = StatusCode::SWITCHING_PROTOCOLS.as_u16();
        if ctx.shared.on_complete.is_some() {
            Self::report_answer(req, status, started, head_len, io);
        }
        self.set_state(State::Upgrading(upgrade));
    }

    /// Queues the completion report of the answer to `req` just queued,
    /// for the hook (the caller checked that there is one: a call less
    /// per response without).
    fn report_answer(req: &Request, status: u16, started: Instant, head_len: usize, io: &mut Io) {
        let p = Pending::new(
            req.method(),
            req.raw_target(),
            req.version(),
            req.headers(),
            status,
            started,
            head_len,
        );
        Self::report(io, p);
    }

    /// Whether the peer's EOF follows the bytes read so far. Once the poller
    /// has reported its half-close, one read tells: EOF, or more requests
    /// (kept for the parser), so the answer to a half-closing client's last
    /// request says `Connection: close`.
    fn eof_is_next(&mut self, io: &mut Io, ctx: &mut Ctx<'_>) -> bool {
        if !self.peer_eof && self.peer_hup {
            match self.read(io, ctx) {
                Ok(ReadOutcome::Eof) => self.on_eof(),
                Ok(_) => {}
                // The write that follows meets the same error.
                Err(e) => log::debug!("{} read failed: {e}", self.peer),
            }
        }
        self.peer_eof
    }
}
