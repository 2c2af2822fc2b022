//! The transport seam: the one way a connection's bytes reach the socket.
//!
//! The HTTP connection reads into its `ReadBuf` and writes its
//! `WriteQueue` (byte chunks, gathered writes, file regions) only through
//! [`Transport`]; it never touches the socket itself. [`PlainTcp`] is
//! today's transport: `read(2)`, `send(2)`/`sendmsg(2)` with
//! `MSG_NOSIGNAL` (and `MSG_MORE` when the caller says more follows at
//! once), `sendfile(2)`. The system calls themselves live in `sys.rs`, the
//! crate's only `unsafe`.
//!
//! # Contract
//!
//! - `read` and the writes follow `read(2)`/`write(2)`: `Ok(0)` from `read`
//!   is the peer's EOF, `WouldBlock` means "wait for readiness", any other
//!   error is fatal for the connection. `EINTR` never surfaces.
//! - A write returns how many of the caller's bytes were *accepted*; the
//!   caller keeps the rest and offers them again.
//! - Zero-copy file sending is a capability: [`Transport::send_file`]
//!   returns `None` when the transport cannot do it, and the write queue
//!   then reads the region in bounded slices and writes them (see
//!   `buf.rs`).
//! - Registration with the poller goes through [`Transport::source`], so
//!   the loop never needs to know what kind of transport it polls.
//!
//! # How TLS plugs in
//!
//! A TLS transport (rustls, sans-IO) wraps the same `TcpStream`:
//! `read` pulls ciphertext with `read_tls`, processes it and hands out
//! plaintext; a write encrypts into the session's outgoing buffer and
//! flushes with `write_tls`, reporting the plaintext accepted even when
//! some ciphertext is still buffered. `send_file` returns `None` (the
//! bytes must pass through the cipher), which the write queue's fallback
//! already handles. What the plain transport does not need and TLS adds,
//! to come with it: a "ciphertext still buffered" query, so the connection
//! keeps write interest (and does not count a flush as drained) while the
//! record layer holds bytes; "wants read for write" during a handshake or
//! key update, so interest follows the transport as well as the state; and
//! `shutdown_write` that queues `close_notify` and flushes it before the
//! TCP half-close of the lingering close.

mod stream;
mod tls;
mod tls_buf;
mod tls_session;

pub(crate) use stream::ServerStream;
pub(crate) use tls::is_plain_http;

use crate::net;
use crate::sys;
use mio::net::TcpStream;
use std::fs::File;
use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::os::fd::AsRawFd;

/// Moves a connection's bytes between its buffers and its socket; see the
/// module doc for the contract every implementation keeps.
pub(crate) trait Transport {
    /// Reads into `buf`: `Ok(0)` is EOF.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    /// Writes one buffer (the common case: one response, one call).
    /// `more`: more bytes follow at once (the transport may hold a partial
    /// segment for them).
    fn write(&mut self, buf: &[u8], more: bool) -> io::Result<usize>;
    /// Writes several buffers in one call, as if concatenated.
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>], more: bool) -> io::Result<usize>;
    /// Sends up to `len` bytes of `file` from `*offset`, advancing it; `None`
    /// when this transport cannot send files itself (then the caller reads
    /// and writes them).
    fn send_file(&mut self, file: &File, offset: &mut u64, len: usize)
        -> Option<io::Result<usize>>;
    /// Ends our sending side (our FIN), keeping the reading side open.
    /// `WouldBlock` when the transport must first flush what it holds
    /// (TLS: `close_notify`): call again once writable.
    fn shutdown_write(&mut self) -> io::Result<()>;
    /// Makes the close abortive (RST, no TIME_WAIT): for peers cut off.
    fn set_abortive_close(&mut self);
    /// What the poller registers.
    fn source(&mut self) -> &mut dyn mio::event::Source;
    /// Bytes the transport itself still holds for the socket (TLS records
    /// the socket did not take): the connection keeps write interest, and
    /// does not count its queue as flushed, until this is false.
    fn pending_output(&self) -> bool {
        false
    }
    /// Writes what [`Transport::pending_output`] reports; `WouldBlock`
    /// when the socket is full.
    fn flush_output(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// The connection went idle: drop buffers that can be made again.
    fn release_buffers(&mut self) {}
    /// The client's address when a header from a trusted balancer (the
    /// PROXY protocol) gave one; asked once after each successful read.
    fn take_proxied_peer(&mut self) -> Option<std::net::SocketAddr> {
        None
    }
}

/// Plain TCP: today's behaviour, one system call per operation.
pub(crate) struct PlainTcp {
    stream: TcpStream,
}

impl PlainTcp {
    pub(crate) fn new(stream: TcpStream) -> PlainTcp {
        PlainTcp { stream }
    }

    pub(crate) fn stream(&self) -> &TcpStream {
        &self.stream
    }
}

impl Transport for PlainTcp {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        sys::recv(self.stream.as_raw_fd(), buf)
    }

    fn write(&mut self, buf: &[u8], more: bool) -> io::Result<usize> {
        sys::send(self.stream.as_raw_fd(), buf, more)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>], more: bool) -> io::Result<usize> {
        sys::send_vectored(self.stream.as_raw_fd(), bufs, more)
    }

    fn send_file(
        &mut self,
        file: &File,
        offset: &mut u64,
        len: usize,
    ) -> Option<io::Result<usize>> {
        Some(sys::sendfile(
            self.stream.as_raw_fd(),
            file.as_raw_fd(),
            offset,
            len,
        ))
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.stream.shutdown(Shutdown::Write)
    }

    fn set_abortive_close(&mut self) {
        net::set_abortive_close(&self.stream);
    }

    fn source(&mut self) -> &mut dyn mio::event::Source {
        &mut self.stream
    }
}

/// An in-memory transport for unit tests: the test holds the other end of
/// the [`fake::Wire`] and scripts what the peer sends and how much the
/// "socket" takes.
#[cfg(test)]
pub(crate) mod fake {
    use super::*;
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::io::Read;
    use std::rc::Rc;

    /// The peer's side of a fake connection.
    #[derive(Debug)]
    pub(crate) struct Wire {
        /// What the peer sent, one entry per segment: one read returns at
        /// most one segment.
        pub(crate) input: VecDeque<Vec<u8>>,
        /// The peer sent EOF after `input`.
        pub(crate) eof: bool,
        /// Everything written to the peer.
        pub(crate) output: Vec<u8>,
        /// Bytes the socket still takes before `WouldBlock`.
        pub(crate) room: usize,
        /// Write calls that moved bytes.
        pub(crate) writes: usize,
        pub(crate) write_shut: bool,
        pub(crate) aborted: bool,
    }

    impl Default for Wire {
        fn default() -> Wire {
            Wire {
                input: VecDeque::new(),
                eof: false,
                output: Vec::new(),
                room: usize::MAX,
                writes: 0,
                write_shut: false,
                aborted: false,
            }
        }
    }

    /// A transport without sendfile over a [`Wire`].
    pub(crate) struct Fake {
        pub(crate) wire: Rc<RefCell<Wire>>,
        /// Only for registration; never read or written.
        sock: mio::net::UnixStream,
    }

    impl Fake {
        pub(crate) fn new() -> (Fake, Rc<RefCell<Wire>>) {
            let wire = Rc::new(RefCell::new(Wire::default()));
            let (sock, _) = mio::net::UnixStream::pair().expect("a socket pair for a test");
            let fake = Fake {
                wire: wire.clone(),
                sock,
            };
            (fake, wire)
        }
    }

    impl Transport for Fake {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let mut wire = self.wire.borrow_mut();
            let Some(segment) = wire.input.front_mut() else {
                return if wire.eof {
                    Ok(0)
                } else {
                    Err(io::ErrorKind::WouldBlock.into())
                };
            };
            let n = segment.len().min(buf.len());
            buf[..n].copy_from_slice(&segment[..n]);
            segment.drain(..n);
            if segment.is_empty() {
                wire.input.pop_front();
            }
            Ok(n)
        }

        fn write(&mut self, buf: &[u8], more: bool) -> io::Result<usize> {
            self.write_vectored(&[IoSlice::new(buf)], more)
        }

        fn write_vectored(&mut self, bufs: &[IoSlice<'_>], _more: bool) -> io::Result<usize> {
            let mut wire = self.wire.borrow_mut();
            if wire.write_shut {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            if wire.room == 0 {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let mut n = 0;
            for b in bufs {
                let take = b.len().min(wire.room);
                wire.output.extend_from_slice(&b[..take]);
                wire.room -= take;
                n += take;
            }
            wire.writes += 1;
            Ok(n)
        }

        fn send_file(&mut self, _: &File, _: &mut u64, _: usize) -> Option<io::Result<usize>> {
            None
        }

        fn shutdown_write(&mut self) -> io::Result<()> {
            self.wire.borrow_mut().write_shut = true;
            Ok(())
        }

        fn set_abortive_close(&mut self) {
            self.wire.borrow_mut().aborted = true;
        }

        fn source(&mut self) -> &mut dyn mio::event::Source {
            &mut self.sock
        }
    }

    /// [`PlainTcp`]'s system calls over a Unix socket pair (sendfile
    /// included), for tests of the real write path without TCP.
    pub(crate) struct Unix(pub(crate) mio::net::UnixStream);

    impl Unix {
        /// A nonblocking transport and the blocking peer end.
        pub(crate) fn pair() -> (Unix, std::os::unix::net::UnixStream) {
            let (a, b) = std::os::unix::net::UnixStream::pair().expect("a socket pair");
            a.set_nonblocking(true).expect("nonblocking");
            (Unix(mio::net::UnixStream::from_std(a)), b)
        }
    }

    impl Transport for Unix {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
        fn write(&mut self, buf: &[u8], more: bool) -> io::Result<usize> {
            sys::send(self.0.as_raw_fd(), buf, more)
        }
        fn write_vectored(&mut self, bufs: &[IoSlice<'_>], more: bool) -> io::Result<usize> {
            sys::send_vectored(self.0.as_raw_fd(), bufs, more)
        }
        fn send_file(
            &mut self,
            file: &File,
            offset: &mut u64,
            len: usize,
        ) -> Option<io::Result<usize>> {
            Some(sys::sendfile(
                self.0.as_raw_fd(),
                file.as_raw_fd(),
                offset,
                len,
            ))
        }
        fn shutdown_write(&mut self) -> io::Result<()> {
            self.0.shutdown(Shutdown::Write)
        }
        fn set_abortive_close(&mut self) {}
        fn source(&mut self) -> &mut dyn mio::event::Source {
            &mut self.0
        }
    }
}
