//! TLS over a nonblocking TCP stream: a rustls session (its unbuffered
//! API, see `tls_session.rs`), driven by the same readiness as plain
//! connections.
//!
//! - The first byte decides: a TLS record (0x16, a handshake) starts the
//!   handshake; a letter is a plain HTTP request sent to the TLS port,
//!   reported as [`PlainHttp`] so that the connection answers a cleartext
//!   400 and closes (as nginx does); anything else goes to rustls, which
//!   refuses it with an alert.
//! - `read` moves ciphertext from the socket through rustls until
//!   plaintext comes out; handshake messages rustls wants to send go out
//!   on the way (what the socket does not take stays in the session, and
//!   [`Transport::pending_output`] says so, keeping write interest).
//! - Writes encrypt into the session's outgoing buffer (at most 64 KiB
//!   waiting) and flush it; small gathered writes are copied into one
//!   record first, so pipelined responses go out as one record and one
//!   send.
//! - `send_file` is not possible (the bytes pass the cipher): the write
//!   queue reads file regions in bounded slices instead.
//! - `shutdown_write` queues `close_notify` and reports `WouldBlock` until
//!   it is flushed; only then does TCP half-close.
//! - An idle connection holds no buffer: `release_buffers` gives the
//!   session's (empty) buffers back to the worker's pool.

use super::tls_session::Session;
use super::Transport;
use crate::net;
use crate::sys;
use mio::net::TcpStream;
use rustls::ServerConfig;
use std::fs::File;
use std::io::{self, IoSlice, Read};
use std::net::Shutdown;
use std::os::fd::AsRawFd;
use std::sync::Arc;

/// Gathered writes up to this size are copied into one TLS record.
const COALESCE_BYTES: usize = 16 << 10;

/// The error `read` returns for a plain HTTP request on the TLS port.
#[derive(Debug)]
pub(crate) struct PlainHttp;

impl std::fmt::Display for PlainHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a plain HTTP request was sent to the TLS port")
    }
}

impl std::error::Error for PlainHttp {}

/// Whether `e` is the [`PlainHttp`] report.
pub(crate) fn is_plain_http(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<PlainHttp>())
}

enum Phase {
    /// Nothing received yet: TLS or plain HTTP?
    Sniff(Arc<ServerConfig>),
    Tls(Box<Session>),
    /// A plain HTTP request arrived: bytes pass in the clear, for the 400
    /// and the lingering close.
    Cleartext,
}

pub(crate) struct TlsTcp {
    stream: TcpStream,
    phase: Phase,
    /// Scratch for coalescing gathered writes, allocated on first use and
    /// dropped when the connection is idle (see `release_buffers`).
    scratch: Vec<u8>,
}

impl TlsTcp {
    pub(crate) fn new(stream: TcpStream, config: Arc<ServerConfig>) -> TlsTcp {
        TlsTcp {
            stream,
            phase: Phase::Sniff(config),
            scratch: Vec::new(),
        }
    }

    pub(crate) fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Decides what the peer speaks from its first byte.
    fn sniff(&mut self) -> io::Result<()> {
        let Phase::Sniff(config) = &self.phase else {
            return Ok(());
        };
        let mut first = [0u8; 1];
        let n = self.stream.peek(&mut first)?;
        if n == 0 {
            return Ok(()); // EOF: the read that follows reports it
        }
        if first[0].is_ascii_alphabetic() {
            self.phase = Phase::Cleartext;
            return Err(io::Error::new(io::ErrorKind::InvalidData, PlainHttp));
        }
        let session = Session::new(config.clone())?;
        self.phase = Phase::Tls(Box::new(session));
        Ok(())
    }

    fn write_tls(&mut self, buf: &[u8], more: bool) -> io::Result<usize> {
        let fd = self.stream.as_raw_fd();
        match &mut self.phase {
            Phase::Tls(session) => session.write(fd, buf),
            Phase::Cleartext => sys::send(fd, buf, more),
            Phase::Sniff(_) => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

impl Transport for TlsTcp {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.sniff()?;
        match &mut self.phase {
            Phase::Tls(session) => session.read(&self.stream, buf),
            // Sniff: nothing yet (WouldBlock) or EOF.
            Phase::Sniff(_) | Phase::Cleartext => self.stream.read(buf),
        }
    }

    fn write(&mut self, buf: &[u8], more: bool) -> io::Result<usize> {
        self.write_tls(buf, more)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>], more: bool) -> io::Result<usize> {
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        if bufs.len() == 1 || total > COALESCE_BYTES {
            // Large: one record per slice costs nothing extra.
            let first = bufs.iter().find(|b| !b.is_empty());
            return first.map_or(Ok(0), |b| self.write_tls(b, more || bufs.len() > 1));
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        for b in bufs {
            scratch.extend_from_slice(b);
        }
        let out = self.write_tls(&scratch, more);
        self.scratch = scratch;
        out
    }

    fn send_file(&mut self, _: &File, _: &mut u64, _: usize) -> Option<io::Result<usize>> {
        None
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        let fd = self.stream.as_raw_fd();
        if let Phase::Tls(session) = &mut self.phase {
            session.queue_close_notify();
            session.flush(fd)?;
        }
        self.stream.shutdown(Shutdown::Write)
    }

    fn set_abortive_close(&mut self) {
        net::set_abortive_close(&self.stream);
    }

    fn source(&mut self) -> &mut dyn mio::event::Source {
        &mut self.stream
    }

    fn pending_output(&self) -> bool {
        matches!(&self.phase, Phase::Tls(session) if session.pending_output())
    }

    fn flush_output(&mut self) -> io::Result<()> {
        let fd = self.stream.as_raw_fd();
        match &mut self.phase {
            Phase::Tls(session) => session.flush(fd),
            _ => Ok(()),
        }
    }

    fn release_buffers(&mut self) {
        self.scratch = Vec::new();
        if let Phase::Tls(session) = &mut self.phase {
            session.release_buffers();
        }
    }
}
