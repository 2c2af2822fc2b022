//! Request bodies: from a complete head to a dispatched request.
//!
//! A head is checked (`Host`, framing, `Expect`), then its body is read
//! into the request with [`brisk_core::BodyDecoder`], the same decoder the
//! client uses for responses. Every refusal takes its status from the one
//! table, [`ParseError::status`]: a declared length over the limit is
//! refused before any byte of it is read (the final status instead of
//! `100 Continue`), a chunked body as soon as it grows past the limit
//! ([`ParseError::BodyTooLarge`], 413); an `Expect` other than
//! `100-continue` is [`ParseError::Expectation`] (417). A client waiting
//! for `100 Continue` gets the handler's early refusal instead when it
//! has one ([`Handler::refuse_early`](crate::Handler::refuse_early)). A
//! body the handler streams goes to `stream.rs` instead, right after the
//! framing checks.

use super::io_cache::Io;
use super::{Conn, Ctx, State};
use crate::handler::{refused_early, wants_stream};
use crate::request::Request;
use crate::transport::Transport;
use brisk_core::{BodyDecoder, BodyKind, FieldNotes, ParseError, Version};

/// The bytes of the interim answer to `Expect: 100-continue`.
pub(super) const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// A request whose body is being read.
#[derive(Debug)]
pub(super) struct BodyRead {
    /// The request, its body growing in place.
    req: Box<Request>,
    decoder: BodyDecoder,
}

impl<T: Transport> Conn<T> {
    /// A head is complete: check it (from the parser's `notes` of its
    /// fields), then read its body or dispatch it.
    pub(super) fn begin_request(
        &mut self,
        mut req: Box<Request>,
        notes: &FieldNotes,
        io: &mut Io,
        ctx: &mut Ctx<'_>,
    ) {
        let head = req.head();
        let facts = match brisk_core::check_noted(head, notes) {
            Ok(facts) => facts,
            Err(e) => return self.refuse(e.status(), req, io, ctx),
        };
        let (kind, expects_continue) = (facts.body, facts.expects_continue);
        let version = head.version;
        req.set_client_keep_alive(facts.keep_alive);
        // RFC 9110 10.1.1: send 100 only to a 1.1 client that asked and
        // has not started sending the body anyway.
        let continue_owed = expects_continue && version == Version::Http11 && io.rbuf.is_empty();
        let has_body =
            matches!(kind, BodyKind::Chunked) || matches!(kind, BodyKind::Length(n) if n > 0);
        if has_body && ctx.shared.pool.is_some() && wants_stream(&*ctx.shared.handler, &req) {
            return self.begin_streaming(req, kind, continue_owed, io, ctx);
        }
        // The handler's reason (a method, credentials) before the size:
        // it says more, and it is as final.
        if continue_owed && has_body {
            if let Some(resp) = refused_early(&*ctx.shared.handler, &req) {
                return self.answer_early(req, resp, io, ctx);
            }
        }
        let max = ctx.shared.config.max_body_bytes;
        let capacity = match kind {
            BodyKind::Empty | BodyKind::CloseDelimited | BodyKind::Length(0) => {
                return self.dispatch(req, io, ctx);
            }
            // Refused before reading it: the final status instead of 100.
            BodyKind::Length(n) if n > max => {
                return self.refuse(ParseError::BodyTooLarge.status(), req, io, ctx);
            }
            BodyKind::Length(n) => n as usize,
            BodyKind::Chunked => 0,
        };
        if continue_owed {
            let mut out = io.wq.take_buf();
            out.extend_from_slice(CONTINUE);
            io.wq.push_vec(out);
        }
        self.last_read = ctx.now;
        req.body_mut().reserve(capacity);
        let decoder = BodyDecoder::new(kind);
        self.set_state(State::Body(Box::new(BodyRead { req, decoder })));
    }

    /// Sends the handler's refusal of a request whose body is not read:
    /// the connection closes after it (the body's bytes, should the client
    /// send them anyway, are no request), through the lingering close.
    fn answer_early(
        &mut self,
        mut req: Box<Request>,
        resp: crate::Response,
        io: &mut Io,
        ctx: &mut Ctx<'_>,
    ) {
        req.set_client_keep_alive(false);
        self.respond(&req, resp, ctx.now, io, ctx);
        Self::recycle(io, req);
    }

    /// Moves buffered bytes into the body; true once the request has been
    /// dispatched (or refused).
    pub(super) fn read_body(&mut self, io: &mut Io, ctx: &mut Ctx<'_>) -> bool {
        let max = ctx.shared.config.max_body_bytes;
        let State::Body(b) = &mut self.state else {
            return false;
        };
        let progress = match b.decoder.decode(io.rbuf.filled(), b.req.body_mut()) {
            Ok(used) => {
                io.rbuf.consume(used);
                if b.req.body().len() as u64 > max {
                    Err(ParseError::BodyTooLarge)
                } else {
                    Ok(b.decoder.is_done())
                }
            }
            Err(e) => Err(e),
        };
        match progress {
            Ok(false) => false,
            Ok(true) => {
                if let State::Body(b) = self.set_state(State::Head) {
                    self.dispatch(b.req, io, ctx);
                }
                true
            }
            Err(e) => {
                if let State::Body(b) = self.set_state(State::Closing) {
                    self.refuse(e.status(), b.req, io, ctx);
                }
                true
            }
        }
    }
}
