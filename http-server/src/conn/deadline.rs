//! When a connection must next be looked at, and what happens then: the
//! deadline its state calls for, a timeout, the graceful drain, and the
//! two ways to end a connection that has nothing more to say (a quiet
//! close, an abortive one).

use super::{Conn, State};
use crate::config::Config;
use crate::transport::Transport;
use std::io::ErrorKind;
use std::time::Instant;

impl<T: Transport> Conn<T> {
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
                _ if self.served == 0 => self.opened + c.head_timeout,
                Some(t) => t + c.head_timeout,
                None => self.last_read.max(self.last_write) + c.keep_alive_timeout,
            }),
            State::Body(_) | State::Discard(_) => Some(self.last_read + c.body_timeout),
            State::Streaming(s) => s.deadline(self.last_read, c),
            _ => None,
        }
    }

    /// The deadline has passed.
    pub(crate) fn on_timeout(&mut self) {
        match self.state {
            // The drain after our FIN is over.
            State::Lingering => self.close(),
            // An idle keep-alive connection: a plain close.
            State::Head if self.is_idle() && self.served > 0 => self.close_idle(),
            // A trickled head, a stalled body or write, a silent new
            // connection: the peer holds resources it does not use.
            _ => {
                log::debug!("{} timed out in {}", self.peer, self.state.name());
                if let State::Streaming(s) = &self.state {
                    s.fail(ErrorKind::TimedOut);
                }
                self.abort_now();
            }
        }
    }

    /// Graceful shutdown began: an idle connection closes now; a busy one
    /// finishes its request with `Connection: close`.
    pub(crate) fn on_drain(&mut self) {
        if self.is_idle() {
            self.close_idle();
        }
    }

    /// Closes a connection with nothing in flight: our FIN (after
    /// `close_notify` under TLS, best effort: the socket is idle, so it
    /// takes them) and the close.
    pub(super) fn close_idle(&mut self) {
        if let Err(e) = self.transport.shutdown_write() {
            log::debug!("{} shutdown at idle close: {e}", self.peer);
        }
        self.close();
    }

    /// Cut now, abortively (a timeout, the drain deadline, an I/O error).
    pub(crate) fn abort_now(&mut self) {
        self.transport.set_abortive_close();
        self.close();
    }
}
