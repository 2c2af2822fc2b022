//! The byte stream under a connection: plain TCP today, TLS next.
//!
//! [`crate::net::Conn`] reads, writes, probes and aborts only through a
//! [`Transport`]; it owns the poll and the deadlines, the transport owns
//! the socket and whatever session sits on it. Every method is
//! nonblocking and reports `WouldBlock` like a socket does, so the
//! connection's one wait loop serves every variant.
//!
//! How TLS slots in (issue 10): a `Tls(Box<TlsStream>)` variant, where
//! `TlsStream` holds the `TcpStream` and a rustls `ClientConnection`.
//! - `read`: if the session has plaintext, return it; else `read_tls` from
//!   the socket (`WouldBlock` passes up), `process_new_packets`, and loop;
//!   a socket EOF after `close_notify` is `Ok(0)`, one without it is
//!   `Ok(0)` too (the body framing decides whether that truncated
//!   anything, as curl does).
//! - `write`: `writer().write` the plaintext, then `write_tls` until the
//!   socket would block; report the plaintext bytes taken.
//! - the handshake runs in `connect::open` after the proxy handshakes,
//!   under the connect deadline, by calling `read`/`write` with empty
//!   plaintext until `is_handshaking()` is false.
//! - `probe_idle`: read TLS records without blocking; a record that
//!   decrypts to no plaintext (a session ticket) keeps the connection,
//!   plaintext or `close_notify` discards it.
//! - `abort`: linger 0 without `close_notify`; dropping sends
//!   `close_notify` first.
//! - `source` returns the inner `TcpStream` for the poll registration.

use std::io::{self, Read, Write};
use std::time::Duration;

use mio::net::TcpStream;
use socket2::SockRef;

/// The stream a connection speaks through.
#[derive(Debug)]
pub enum Transport {
    /// Plain TCP.
    Plain(TcpStream),
}

/// What a nonblocking look at an idle connection found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Nothing to read: still open.
    Idle,
    /// Closed, reset, or bytes nobody asked for: not reusable.
    Unusable,
}

impl Transport {
    /// Nonblocking read; `Ok(0)` is the peer's end of stream.
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => s.read(buf),
        }
    }

    /// Nonblocking write; returns the bytes taken.
    pub fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => s.write(buf),
        }
    }

    /// The socket to register with a poll.
    pub fn source(&mut self) -> &mut TcpStream {
        match self {
            Transport::Plain(s) => s,
        }
    }

    /// Checks an idle connection without blocking: a read that would block
    /// means alive; EOF, an error or any byte means not reusable.
    pub fn probe_idle(&mut self) -> Probe {
        let mut byte = [0u8; 1];
        loop {
            match self.read(&mut byte) {
                Ok(_) => return Probe::Unusable,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Probe::Idle,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Probe::Unusable,
            }
        }
    }

    /// Arranges for the close to be abortive (RST, linger 0): for
    /// connections abandoned in the middle of a response.
    pub fn abort(&mut self) {
        match self {
            Transport::Plain(s) => {
                let _ = SockRef::from(&*s).set_linger(Some(Duration::ZERO));
            }
        }
    }
}
