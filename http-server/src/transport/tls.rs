//! TLS over a nonblocking TCP stream: rustls' sans-IO server connection,
//! driven by the same readiness as plain connections.
//!
//! - The first byte decides: a TLS record (0x16, a handshake) starts the
//!   handshake; a letter is a plain HTTP request sent to the TLS port,
//!   reported as [`PlainHttp`] so that the connection answers a cleartext
//!   400 and closes (as nginx does); anything else goes to rustls, which
//!   refuses it with an alert.
//! - `read` moves ciphertext from the socket into rustls until plaintext
//!   comes out; handshake messages rustls wants to send go out on the way
//!   (what the socket does not take stays in rustls, and
//!   [`Transport::pending_output`] says so, keeping write interest).
//! - Writes encrypt into rustls' outgoing buffer (at most
//!   [`CIPHERTEXT_LIMIT_BYTES`] waiting) and flush it; small gathered
//!   writes are copied into one record first, so pipelined responses go
//!   out as one record and one send.
//! - `send_file` is not possible (the bytes pass the cipher): the write
//!   queue reads file regions in bounded slices instead.
//! - `shutdown_write` queues `close_notify` and reports `WouldBlock` until
//!   it is flushed; only then does TCP half-close.

use super::Transport;
use crate::net;
use crate::sys;
use mio::net::TcpStream;
use rustls::{ServerConfig, ServerConnection};
use std::fs::File;
use std::io::{self, IoSlice, Read, Write};
use std::net::Shutdown;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;

/// Ciphertext rustls may hold for the socket before writes report
/// `WouldBlock` (rustls' own default).
const CIPHERTEXT_LIMIT_BYTES: usize = 64 << 10;
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
    Tls(Box<ServerConnection>),
    /// A plain HTTP request arrived: bytes pass in the clear, for the 400
    /// and the lingering close.
    Cleartext,
}

pub(crate) struct TlsTcp {
    stream: TcpStream,
    phase: Phase,
    close_notify_sent: bool,
    /// Scratch for coalescing gathered writes, allocated on first use and
    /// dropped when the connection is idle (see `release_buffers`).
    scratch: Vec<u8>,
}

impl TlsTcp {
    pub(crate) fn new(stream: TcpStream, config: Arc<ServerConfig>) -> TlsTcp {
        TlsTcp {
            stream,
            phase: Phase::Sniff(config),
            close_notify_sent: false,
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
        let mut conn = ServerConnection::new(config.clone())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        conn.set_buffer_limit(Some(CIPHERTEXT_LIMIT_BYTES));
        self.phase = Phase::Tls(Box::new(conn));
        Ok(())
    }

    fn write_tls(&mut self, buf: &[u8], more: bool) -> io::Result<usize> {
        let fd = self.stream.as_raw_fd();
        let conn = match &mut self.phase {
            Phase::Tls(conn) => conn,
            Phase::Cleartext => return sys::send(fd, buf, more),
            Phase::Sniff(_) => return Err(io::ErrorKind::WouldBlock.into()),
        };
        flush_pending(conn, fd)?;
        let n = conn.writer().write(buf)?;
        flush_pending(conn, fd)?;
        if n == 0 && !buf.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(n)
    }
}

/// Moves ciphertext from the socket into rustls and plaintext out into
/// `buf`, until `buf` is full or the socket has nothing more, sending
/// what the handshake wants to send on the way.
///
/// Filling `buf` keeps `read(2)`'s meaning of a short read, on which the
/// connection relies under edge-triggered polling: fewer bytes than asked
/// means the socket is drained (a later edge will announce more), never
/// "rustls stopped at a record boundary" with ciphertext still waiting.
fn read_plaintext(
    conn: &mut ServerConnection,
    stream: &TcpStream,
    buf: &mut [u8],
) -> io::Result<usize> {
    let fd = stream.as_raw_fd();
    let mut filled = 0;
    loop {
        match conn.reader().read(&mut buf[filled..]) {
            // close_notify: the end (after what is already here).
            Ok(0) => return Ok(filled),
            Ok(n) => {
                filled += n;
                if filled == buf.len() {
                    return Ok(filled);
                }
                continue;
            }
            // The peer closed without close_notify: for requests, an EOF
            // like any other (a cut body is caught by its framing).
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(filled),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
        let mut source = stream;
        match conn.read_tls(&mut source) {
            // TCP EOF: what is here now, then the end.
            Ok(0) => return Ok(filled),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && filled > 0 => return Ok(filled),
            Err(e) => return Err(e),
        }
        if let Err(e) = conn.process_new_packets() {
            // Best effort: tell the peer why (the alert rustls queued).
            let _ = write_out(conn, fd);
            return Err(io::Error::new(io::ErrorKind::InvalidData, e));
        }
        flush_pending(conn, fd)?;
    }
}

/// Sends what rustls holds for the socket until it is empty or the socket
/// is full (`WouldBlock`).
fn write_out(conn: &mut ServerConnection, fd: RawFd) -> io::Result<()> {
    while conn.wants_write() {
        conn.write_tls(&mut Socket(fd))?;
    }
    Ok(())
}

/// Like [`write_out`], with a full socket not an error (the ciphertext
/// waits in rustls, bounded by its buffer limit).
fn flush_pending(conn: &mut ServerConnection, fd: RawFd) -> io::Result<()> {
    match write_out(conn, fd) {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
        other => other,
    }
}

/// The socket as rustls writes ciphertext to it: `MSG_NOSIGNAL` sends, so
/// that a vanished peer is an error, not a SIGPIPE.
struct Socket(RawFd);

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        sys::send(self.0, buf, false)
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        sys::send_vectored(self.0, bufs, false)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Transport for TlsTcp {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.sniff()?;
        match &mut self.phase {
            Phase::Tls(conn) => read_plaintext(conn, &self.stream, buf),
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
        if let Phase::Tls(conn) = &mut self.phase {
            if !self.close_notify_sent {
                conn.send_close_notify();
                self.close_notify_sent = true;
            }
            write_out(conn, fd)?;
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
        matches!(&self.phase, Phase::Tls(conn) if conn.wants_write())
    }

    fn flush_output(&mut self) -> io::Result<()> {
        let fd = self.stream.as_raw_fd();
        match &mut self.phase {
            Phase::Tls(conn) => write_out(conn, fd),
            _ => Ok(()),
        }
    }

    fn release_buffers(&mut self) {
        self.scratch = Vec::new();
    }
}
