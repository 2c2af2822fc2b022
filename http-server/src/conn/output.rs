//! The output side of a connection: flushing the write queue (and what
//! the transport holds, TLS records) as far as the socket takes it,
//! reporting each response whose last byte went out, and the lingering
//! close that follows the last response (RFC 9112 9.6).

use super::io_cache::Io;
use super::{report, Conn, Ctx, State};
use crate::buf::FlushOutcome;
use crate::transport::Transport;
use std::io;

impl<T: Transport> Conn<T> {
    /// last response is out.
    pub(super) fn flush(&mut self, io: &mut Io, ctx: &mut Ctx<'_>) {
        if self.transport.pending_output() && self.can_write {
            self.flush_transport(ctx);
        }
        if !io.wq.is_empty() && self.can_write {
            let mut marks = Vec::new();
            let before = io.wq.sent_total();
            let outcome = io.wq.flush(&mut self.transport, &mut marks);
            if io.wq.sent_total() != before {
                self.last_write = ctx.now;
            }
            for total in marks {
                if let Some(p) = io.pending.pop_front() {
                    report::complete(io, self.peer, p, total, ctx);
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
            if self.can_write && self.transport.pending_output() {
                self.flush_transport(ctx);
            }
        }
        // Not `wq_is_empty()`: inside `with_io` the queue is `io`, and
        // `self.io` is empty.
        if io.wq.is_empty()
            && !self.transport.pending_output()
            && matches!(self.state, State::Closing)
        {
            self.begin_linger(io, ctx);
        }
    }

    /// Writes what the transport holds (TLS records); a full socket
    /// waits for the next writable edge.
    fn flush_transport(&mut self, ctx: &Ctx<'_>) {
        match self.transport.flush_output() {
            Ok(()) => self.last_write = ctx.now,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.can_write = false,
            Err(e) => {
                log::debug!("{} write failed: {e}", self.peer);
                self.abort_now();
            }
        }
    }

    /// RFC 9112 9.6: half-close, then drain what the peer still sends, so
    /// that our close does not turn into a RST that destroys the response
    /// before the peer has read it.
    fn begin_linger(&mut self, io: &mut Io, ctx: &Ctx<'_>) {
        if self.peer_eof {
            return self.close();
        }
        match self.transport.shutdown_write() {
            Ok(()) => {}
            // TLS: close_notify waits in the transport; come back when
            // the socket takes it.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.can_write = false;
                return;
            }
            Err(e) => {
                log::debug!("{} shutdown failed: {e}", self.peer);
                return self.close();
            }
        }
        io.rbuf.consume(io.rbuf.len());
        // The linger deadline counts from now.
        self.last_write = ctx.now;
        self.set_state(State::Lingering);
        // Input already buffered in the kernel will not raise a new edge.
        self.can_read = true;
    }
}
