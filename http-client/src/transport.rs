//! The byte stream under a connection: plain TCP, or a TLS session on it.
//!
//! [`crate::net::Conn`] reads, writes, probes and aborts only through a
//! [`Transport`]; it owns the buffer and the deadlines, the transport owns
//! the socket and whatever session sits on it. Every method is
//! nonblocking and reports `WouldBlock` like a socket does, so the
//! connection's one wait loop serves every variant.
//!
//! Plain TCP and Unix sockets are read and written through
//! [`crate::sockio`], every call with `MSG_DONTWAIT`: nonblocking whatever
//! the socket's `O_NONBLOCK` says, so a WebSocket's receive may switch the
//! socket to blocking mode and wait inside one `recv`
//! ([`crate::net::Conn::read_within`]).
//!
//! TLS (issue 10): `Tls(Box<TlsSession>)`, the session built and handshaken
//! in [`crate::connect::open`] after any proxy handshake (to the origin, or
//! to an HTTPS proxy that forwards absolute-form requests);
//! `TlsInTls(Box<TlsSession<TlsConn>>)`, the origin's session inside an
//! HTTPS proxy's CONNECT tunnel, itself inside the session to the proxy.
//! - `read`: plaintext without waiting (`TlsConn`'s `Read`); a socket EOF
//!   with or without `close_notify` is `Ok(0)`: the body framing decides
//!   whether that truncated anything, as curl does.
//! - `write`: plaintext taken by rustls, records pushed as far as the
//!   socket takes them; [`Transport::flush`] reports `WouldBlock` while
//!   records are still queued.
//! - `wait`: the session's socket has its own poll (`TcpWire`), so the
//!   connection waits through it.
//! - `probe_idle`: records that arrived meanwhile are processed; a session
//!   ticket keeps the connection, plaintext or `close_notify` discards it.
//! - `abort`: linger 0 without `close_notify`; any other close (dropping
//!   the connection) sends `close_notify` first (the origin's, then the
//!   proxy's), as far as the socket takes it without waiting.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;

use mio::net::{TcpStream, UnixStream};
use socket2::SockRef;

use crate::sockio;
use crate::tls::{SessionInfo, TcpWire, TlsConn, Wire};

/// The stream a connection speaks through.
#[derive(Debug)]
pub enum Transport {
    /// Plain TCP.
    Plain(TcpStream),
    /// A Unix domain socket (curl's `--unix-socket`), plain HTTP.
    Unix(UnixStream),
    /// A TLS session over TCP (its socket registered with its own poll).
    Tls(Box<TlsSession>),
    /// A TLS session to the origin inside a TLS session to an HTTPS proxy.
    TlsInTls(Box<TlsSession<TlsConn>>),
}

/// A TLS session under a connection: sends `close_notify` when dropped,
/// unless the connection was aborted.
pub struct TlsSession<W: Wire = TcpWire> {
    conn: TlsConn<W>,
    aborted: bool,
}

impl<W: Wire> std::fmt::Debug for TlsSession<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TlsSession({:?})", self.conn)
    }
}

impl<W: Wire> TlsSession<W> {
    /// Wraps a handshaken session.
    pub fn new(conn: TlsConn<W>) -> TlsSession<W> {
        TlsSession {
            conn,
            aborted: false,
        }
    }
}

impl<W: Wire> Drop for TlsSession<W> {
    fn drop(&mut self) {
        if !self.aborted {
            // Best effort, never a wait: the deadline is now.
            let _ = self.conn.close_notify(std::time::Instant::now());
        }
    }
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
            Transport::Plain(s) => sockio::recv_slice(s.as_fd(), buf),
            Transport::Unix(s) => sockio::recv_slice(s.as_fd(), buf),
            Transport::Tls(t) => t.conn.read(buf),
            Transport::TlsInTls(t) => t.conn.read(buf),
        }
    }

    /// Nonblocking write; returns the bytes taken.
    pub fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => sockio::send_now(s.as_fd(), buf),
            Transport::Unix(s) => sockio::send_now(s.as_fd(), buf),
            Transport::Tls(t) => t.conn.write(buf),
            Transport::TlsInTls(t) => t.conn.write(buf),
        }
    }

    /// The socket of a plain transport (TCP or Unix), which the
    /// connection reads and writes with flags ([`crate::sockio`]): every
    /// nonblocking call says so, and a receive may wait in the read. `None`
    /// for TLS, whose session reads its socket itself.
    pub fn plain_fd(&self) -> Option<BorrowedFd<'_>> {
        match self {
            Transport::Plain(s) => Some(s.as_fd()),
            Transport::Unix(s) => Some(s.as_fd()),
            Transport::Tls(_) | Transport::TlsInTls(_) => None,
        }
    }

    /// Pushes out what a session still holds: `WouldBlock` while records
    /// are queued (plain TCP holds nothing).
    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            Transport::Plain(_) | Transport::Unix(_) => Ok(()),
            Transport::Tls(t) => t.conn.flush(),
            Transport::TlsInTls(t) => t.conn.flush(),
        }
    }

    /// For a transport with its own poll (TLS), waits through it until it
    /// may progress or `deadline` (`TimedOut`); `None` for plain TCP,
    /// which the connection's poll serves.
    pub fn wait(&mut self, deadline: std::time::Instant) -> Option<io::Result<()>> {
        match self {
            Transport::Plain(_) | Transport::Unix(_) => None,
            Transport::Tls(t) => Some(Wire::wait(&mut t.conn, deadline)),
            Transport::TlsInTls(t) => Some(Wire::wait(&mut t.conn, deadline)),
        }
    }

    /// What `-v` and `%{ssl_verify_result}` say about the TLS session to
    /// the origin (through an HTTPS proxy: the inner one), if there is one.
    pub fn tls_info(&self) -> Option<SessionInfo> {
        match self {
            Transport::Plain(_) | Transport::Unix(_) => None,
            Transport::Tls(t) => Some(t.conn.info()),
            Transport::TlsInTls(t) => Some(t.conn.info()),
        }
    }

    /// The registry of the poll a wait on this transport uses, for a
    /// transport with its own poll (TLS); `None` for plain TCP, whose
    /// socket the connection's poll serves.
    pub fn registry(&self) -> Option<&mio::Registry> {
        match self {
            Transport::Plain(_) | Transport::Unix(_) => None,
            Transport::Tls(t) => Some(t.conn.wire().registry()),
            Transport::TlsInTls(t) => Some(t.conn.wire().wire().registry()),
        }
    }

    /// The socket to register with the connection's poll (`None` for TLS,
    /// whose socket is registered with the session's own poll).
    pub fn source(&mut self) -> Option<&mut dyn mio::event::Source> {
        match self {
            Transport::Plain(s) => Some(s),
            Transport::Unix(s) => Some(s),
            Transport::Tls(_) | Transport::TlsInTls(_) => None,
        }
    }

    /// Checks an idle connection without blocking: a read that would block
    /// means alive; EOF, an error or any byte means not reusable. For TLS,
    /// pending records are processed first (a session ticket is no stray
    /// byte).
    pub fn probe_idle(&mut self) -> Probe {
        let alive = match self {
            Transport::Plain(_) | Transport::Unix(_) => None,
            Transport::Tls(t) => Some(t.conn.probe_alive()),
            Transport::TlsInTls(t) => Some(t.conn.probe_alive()),
        };
        if let Some(alive) = alive {
            return if alive { Probe::Idle } else { Probe::Unusable };
        }
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
            // A local peer sees the close at once; there is no RST to send.
            Transport::Unix(_) => {}
            Transport::Tls(t) => {
                t.aborted = true;
                let _ = SockRef::from(t.conn.wire().stream()).set_linger(Some(Duration::ZERO));
            }
            Transport::TlsInTls(t) => {
                t.aborted = true;
                let socket = t.conn.wire().wire().stream();
                let _ = SockRef::from(socket).set_linger(Some(Duration::ZERO));
            }
        }
    }
}
