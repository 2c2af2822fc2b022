//! The socket side of [`WebSocket`]: reads (the one that waits inside the
//! read itself, and the nonblocking one) and writes (what the socket
//! takes now, or all by a deadline while reading on).

use std::io;
use std::time::Instant;

use super::{WebSocket, WsError, RETAINED_SEND_BYTES};
use crate::ws::error::Lost;

impl WebSocket {
    /// With nothing left to send and no [`WsWaker`] (which cannot end a
    /// wait inside a read), waits for data in the read itself until about
    /// `wake` (`None`: no limit): one system call per receive on a plain
    /// socket. `None` when that cannot be (TLS, a send pending, a waker,
    /// a wait too short for the read's timer): the caller polls.
    pub(super) fn wait_in_read(
        &mut self,
        now: Instant,
        wake: Option<Instant>,
    ) -> Option<Result<Option<usize>, WsError>> {
        if self.waker.is_some() || self.eof || self.written < self.out.len() || self.unflushed {
            return None;
        }
        let timeout = match wake {
            Some(w) if w <= now => return None,
            Some(w) => Some(w - now),
            None => None,
        };
        let got = self.conn.read_within(timeout)?;
        Some(self.took(got))
    }

    /// Reads what is there without waiting (`None`: nothing).
    pub(super) fn read(&mut self) -> Result<Option<usize>, WsError> {
        if self.eof {
            return Ok(Some(0));
        }
        let got = self.conn.read_now();
        self.took(got)
    }

    /// Notes what a read brought: the end of stream, the time data was
    /// last heard (the heartbeat's clock), or the loss.
    pub(super) fn took(
        &mut self,
        got: io::Result<Option<usize>>,
    ) -> Result<Option<usize>, WsError> {
        match got {
            Ok(Some(0)) => {
                self.eof = true;
                Ok(Some(0))
            }
            Ok(Some(n)) => {
                self.last_heard = Instant::now();
                Ok(Some(n))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(self.lost(Lost::Io(e))),
        }
    }

    /// Writes what the transport takes now; counts the messages wholly
    /// taken.
    pub(super) fn flush_now(&mut self) -> Result<(), WsError> {
        if self.written == self.out.len() && !self.unflushed {
            return Ok(());
        }
        let (n, flushed) = match self.conn.write_now(&self.out[self.written..]) {
            Ok(r) => r,
            Err(e) => return Err(self.lost(Lost::Io(e))),
        };
        self.written += n;
        self.unflushed = !flushed;
        while self
            .message_ends
            .front()
            .is_some_and(|end| *end <= self.written)
        {
            self.message_ends.pop_front();
            self.sent += 1;
        }
        if self.written == self.out.len() {
            self.out.clear();
            self.written = 0;
            if self.out.capacity() > RETAINED_SEND_BYTES {
                self.out = Vec::new();
            }
        }
        Ok(())
    }

    /// Writes everything queued by `deadline`, reading meanwhile.
    pub(super) fn flush_until(&mut self, deadline: Instant) -> Result<(), WsError> {
        loop {
            self.flush_now()?;
            if self.out.is_empty() && !self.unflushed {
                return Ok(());
            }
            // Keep reading while the socket is full: the server may be
            // waiting for us to take its frames before it takes ours.
            while let Some(n) = self.read()? {
                if n == 0 {
                    break;
                }
            }
            match self.conn.wait_ready(deadline) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::TimedOut => return Err(WsError::Timeout),
                Err(e) => return Err(self.lost(Lost::Io(e))),
            }
        }
    }
}
