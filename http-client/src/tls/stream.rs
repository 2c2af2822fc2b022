//! A TLS session over a connected nonblocking socket, every wait bounded
//! by a deadline: the TLS counterpart of [`crate::net::Conn`], with the
//! same calls (`fill`, `read_direct`, `write_all`, `probe_alive`, `abort`)
//! so that the exchange can drive either.
//!
//! rustls is sans-IO: it is handed the socket's bytes (`read_tls`), turns
//! them into records (`process_new_packets`), and queues what must be sent
//! (`write_tls`). Each I/O outcome is handled in `net`'s fixed order:
//! `Ok(0)` (peer closed), `Ok(n)`, `WouldBlock` (wait for readiness, edge
//! triggered: only after an operation said so), `Interrupted` (retry), any
//! other error.
//!
//! The session runs over a [`Wire`]: a nonblocking byte stream with a
//! `wait`. [`TcpWire`] is a socket with its own poll; a [`TlsConn`] is a
//! `Wire` too, so a session can run inside another one (an HTTPS proxy's
//! CONNECT tunnel carrying TLS to the origin).
//!
//! The end of a session: a `close_notify` from the server makes reads
//! return `Ok(0)` and [`TlsConn::close_notify_received`] true. A TCP EOF
//! without it also makes reads return `Ok(0)`, with
//! [`TlsConn::close_notify_received`] false: after a complete
//! `Content-Length` or chunked body that is fine (curl accepts it), while a
//! body cut short (or a close-delimited one, whose end cannot be told from
//! a truncation) is the caller's error to report.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use rustls::pki_types::{ServerName, UnixTime};
use rustls::{AlertDescription, ClientConnection, HandshakeKind, PeerIncompatible};

use super::info::SessionInfo;
use super::verify::VerifyFailure;
pub use super::wire::{TcpWire, Wire};
use super::{HandshakeFailure, TlsConfig, TlsError};

/// Plaintext bytes asked of rustls per read into the buffer.
const READ_CHUNK_BYTES: usize = 16 * 1024;
/// Bytes of the server's first answer kept to recognise plain HTTP.
const FIRST_BYTES_KEPT: usize = 8;

/// Reads from the wire, keeping a copy of the first bytes received.
struct Tap<'a, R: Read> {
    inner: &'a mut R,
    first: &'a mut Vec<u8>,
}

impl<R: Read> Read for Tap<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let room = FIRST_BYTES_KEPT.saturating_sub(self.first.len());
        self.first.extend_from_slice(&buf[..n.min(room)]);
        Ok(n)
    }
}

/// A client TLS session over a [`Wire`] (by default a socket).
pub struct TlsConn<W: Wire = TcpWire> {
    wire: W,
    peer: SocketAddr,
    /// The name verified (and sent as SNI when it is a DNS name).
    host: String,
    server_name: ServerName<'static>,
    tls: ClientConnection,
    config: TlsConfig,
    /// Plaintext received but not yet consumed by the layer above.
    pub(crate) rbuf: Vec<u8>,
    /// The first bytes the server sent (plain HTTP shows as `HTTP/`).
    first: Vec<u8>,
    /// The socket reported EOF.
    eof: bool,
    /// The server sent `close_notify`.
    close_notify: bool,
}

impl<W: Wire> std::fmt::Debug for TlsConn<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TlsConn({} {})", self.host, self.peer)
    }
}

impl TlsConn<TcpWire> {
    /// Starts a client session to `host` (a DNS name or an IP literal,
    /// brackets allowed) over `stream`, which is connected (directly, or
    /// through a proxy tunnel whose reply was consumed to its last byte:
    /// a server never speaks before the ClientHello).
    ///
    /// `stream` is registered with a poll of its own; if it was
    /// registered elsewhere, deregister it there first.
    ///
    /// # Errors
    /// [`TlsError::Settings`] for a host that is not a valid server name;
    /// [`TlsError::Handshake`] when the poll cannot be made.
    pub fn new(
        stream: TcpStream,
        peer: SocketAddr,
        host: &str,
        config: &TlsConfig,
    ) -> Result<TlsConn, TlsError> {
        let wire =
            TcpWire::new(stream).map_err(|e| TlsError::Handshake(HandshakeFailure::Io(e)))?;
        TlsConn::over(wire, peer, host, config)
    }

    /// [`TlsConn::new`] then [`TlsConn::handshake`].
    pub fn connect(
        stream: TcpStream,
        peer: SocketAddr,
        host: &str,
        config: &TlsConfig,
        deadline: Instant,
    ) -> Result<TlsConn, TlsError> {
        let mut conn = TlsConn::new(stream, peer, host, config)?;
        conn.handshake(deadline)?;
        Ok(conn)
    }

    /// Closes at once with a RST (linger 0), without `close_notify`: for
    /// connections abandoned in the middle of a response.
    pub fn abort(self) {
        self.wire.abort();
    }
}

impl<W: Wire> TlsConn<W> {
    /// Starts a client session to `host` over any [`Wire`]: a socket, or
    /// another session (TLS inside an HTTPS proxy's tunnel). `peer` is the
    /// address connected to, for messages.
    ///
    /// # Errors
    /// [`TlsError::Settings`] for a host that is not a valid server name.
    pub fn over(
        wire: W,
        peer: SocketAddr,
        host: &str,
        config: &TlsConfig,
    ) -> Result<TlsConn<W>, TlsError> {
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let server_name = ServerName::try_from(bare.to_string())
            .map_err(|e| TlsError::Settings(format!("server name {host:?}: {e}")))?;
        let tls = ClientConnection::new(config.client_config().clone(), server_name.clone())
            .map_err(|e| TlsError::Settings(e.to_string()))?;
        Ok(TlsConn {
            wire,
            peer,
            host: bare.to_string(),
            server_name,
            tls,
            config: config.clone(),
            rbuf: Vec::new(),
            first: Vec::new(),
            eof: false,
            close_notify: false,
        })
    }

    /// The wire under the session (the socket, or the outer session).
    pub fn wire(&self) -> &W {
        &self.wire
    }

    /// Gives the wire back, without `close_notify`.
    pub fn into_wire(self) -> W {
        self.wire
    }

    /// The address connected to (the proxy's, when there is one).
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The server name verified, without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The rustls session (version, cipher suite, ALPN, certificates).
    pub fn connection(&self) -> &ClientConnection {
        &self.tls
    }

    /// True when the session was resumed from an earlier connection's.
    pub fn resumed(&self) -> bool {
        self.tls.handshake_kind() == Some(HandshakeKind::Resumed)
    }

    /// True once the server has sent `close_notify`.
    pub fn close_notify_received(&self) -> bool {
        self.close_notify
    }

    /// True once the socket has reported EOF (with or without
    /// `close_notify`).
    pub fn eof(&self) -> bool {
        self.eof
    }

    /// Plaintext received and not yet consumed.
    pub fn buffered(&self) -> &[u8] {
        &self.rbuf
    }

    /// Drops the first `n` buffered bytes (all of them when `n` is larger).
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.rbuf.len());
        self.rbuf.drain(..n);
    }

    /// Runs the handshake until it completes or `deadline` (the connect
    /// deadline: the handshake counts toward `--connect-timeout`).
    ///
    /// # Errors
    /// [`TlsError::Timeout`] at the deadline; [`TlsError::Verify`] when
    /// the certificate is refused; [`TlsError::Handshake`] for the rest
    /// (no shared version or cipher, an alert, plain HTTP, EOF, reset).
    pub fn handshake(&mut self, deadline: Instant) -> Result<(), TlsError> {
        loop {
            while self.tls.wants_write() {
                match self.tls.write_tls(&mut self.wire) {
                    Ok(0) => return Err(self.handshake_io_error(io::ErrorKind::WriteZero.into())),
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(self.handshake_io_error(e)),
                }
            }
            if !self.tls.is_handshaking() && !self.tls.wants_write() {
                // Over a session, our last flight may still sit in the
                // outer one's queue: push it out too.
                return self.flush_until(deadline).map_err(|e| {
                    if e.kind() == io::ErrorKind::TimedOut {
                        TlsError::Timeout
                    } else {
                        self.handshake_io_error(e)
                    }
                });
            }
            if self.tls.wants_read() {
                let mut tap = Tap {
                    inner: &mut self.wire,
                    first: &mut self.first,
                };
                match self.tls.read_tls(&mut tap) {
                    Ok(0) => {
                        self.eof = true;
                        return Err(TlsError::Handshake(if self.looks_like_http() {
                            HandshakeFailure::PlainHttp
                        } else {
                            HandshakeFailure::Closed
                        }));
                    }
                    Ok(_) => {
                        if let Err(e) = self.tls.process_new_packets() {
                            // Send the alert rustls queued, if the socket takes it.
                            let _ = self.flush_nonblocking();
                            return Err(self.classify(e));
                        }
                        continue;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(self.handshake_io_error(e)),
                }
            }
            self.wire.wait(deadline).map_err(|e| {
                if e.kind() == io::ErrorKind::TimedOut {
                    TlsError::Timeout
                } else {
                    TlsError::Handshake(HandshakeFailure::Io(e))
                }
            })?;
        }
    }

    fn looks_like_http(&self) -> bool {
        self.first.starts_with(b"HTTP/")
    }

    fn handshake_io_error(&self, e: io::Error) -> TlsError {
        if self.looks_like_http() {
            TlsError::Handshake(HandshakeFailure::PlainHttp)
        } else {
            TlsError::Handshake(HandshakeFailure::Io(e))
        }
    }

    /// Classifies what rustls refused during the handshake.
    fn classify(&self, e: rustls::Error) -> TlsError {
        if self.looks_like_http() {
            return TlsError::Handshake(HandshakeFailure::PlainHttp);
        }
        if let Some(v) = VerifyFailure::from_rustls(&e, &self.host) {
            return TlsError::Verify(v);
        }
        let h = match e {
            rustls::Error::AlertReceived(AlertDescription::ProtocolVersion) => {
                HandshakeFailure::NoSharedVersion("alert protocol_version".into())
            }
            rustls::Error::AlertReceived(
                a @ (AlertDescription::HandshakeFailure | AlertDescription::InsufficientSecurity),
            ) => HandshakeFailure::NoSharedCipher(format!("alert {a:?}")),
            rustls::Error::AlertReceived(a) => HandshakeFailure::Alert(format!("{a:?}")),
            rustls::Error::PeerIncompatible(
                p @ (PeerIncompatible::ServerDoesNotSupportTls12Or13
                | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig
                | PeerIncompatible::SupportedVersionsExtensionRequired
                | PeerIncompatible::Tls12NotOffered
                | PeerIncompatible::Tls12NotOfferedOrEnabled),
            ) => HandshakeFailure::NoSharedVersion(format!("{p:?}")),
            rustls::Error::PeerIncompatible(p) => {
                HandshakeFailure::NoSharedCipher(format!("{p:?}"))
            }
            other => HandshakeFailure::Protocol(other.to_string()),
        };
        TlsError::Handshake(h)
    }

    /// Writes what rustls has queued until done or `WouldBlock`.
    fn flush_nonblocking(&mut self) -> io::Result<()> {
        while self.tls.wants_write() {
            match self.tls.write_tls(&mut self.wire) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Writes what rustls has queued, and what the wire itself holds,
    /// waiting until `deadline`.
    fn flush_until(&mut self, deadline: Instant) -> io::Result<()> {
        while self.tls.wants_write() {
            match self.tls.write_tls(&mut self.wire) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.wire.wait(deadline)?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        loop {
            match self.wire.flush() {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.wire.wait(deadline)?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Processes what rustls holds; a TLS error becomes `InvalidData`.
    fn process(&mut self) -> io::Result<()> {
        match self.tls.process_new_packets() {
            Ok(state) => {
                if state.peer_has_closed() {
                    self.close_notify = true;
                }
                Ok(())
            }
            Err(e) => {
                let _ = self.flush_nonblocking();
                Err(io::Error::new(io::ErrorKind::InvalidData, e))
            }
        }
    }

    /// Reads once from the wire without waiting and processes the
    /// records: `Ok(false)` when the wire had nothing (`WouldBlock`).
    fn read_step(&mut self) -> io::Result<bool> {
        loop {
            match self.tls.read_tls(&mut self.wire) {
                Ok(0) => {
                    self.eof = true;
                    self.process()?;
                    return Ok(true);
                }
                Ok(_) => {
                    self.process()?;
                    // A KeyUpdate answer or an alert may be queued.
                    self.flush_nonblocking()?;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads once from the wire, waiting until `deadline` if nothing is
    /// there, and processes the records.
    fn read_more(&mut self, deadline: Instant) -> io::Result<()> {
        while !self.read_step()? {
            self.wire.wait(deadline)?;
        }
        Ok(())
    }

    /// Plaintext from rustls into `out`: `Some(n)` with `n > 0` bytes,
    /// `Some(0)` at the end of the session (close_notify or EOF), `None`
    /// when rustls has nothing yet.
    fn take_plaintext(&mut self, out: &mut [u8]) -> io::Result<Option<usize>> {
        match self.tls.reader().read(out) {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            // EOF without close_notify: the caller decides from the framing.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(Some(0)),
            Err(e) => Err(e),
        }
    }

    /// Reads what is available into the buffer, waiting until `deadline`
    /// if nothing is. `Ok(0)` means the session ended (see
    /// [`TlsConn::close_notify_received`]).
    pub fn fill(&mut self, deadline: Instant) -> io::Result<usize> {
        let mut chunk = [0u8; READ_CHUNK_BYTES];
        loop {
            if let Some(n) = self.take_plaintext(&mut chunk)? {
                self.rbuf.extend_from_slice(&chunk[..n]);
                return Ok(n);
            }
            self.read_more(deadline)?;
        }
    }

    /// Reads straight into `out` when the buffer is empty. `Ok(0)` means
    /// the session ended.
    pub fn read_direct(&mut self, out: &mut [u8], deadline: Instant) -> io::Result<usize> {
        if !self.rbuf.is_empty() {
            let n = self.rbuf.len().min(out.len());
            out[..n].copy_from_slice(&self.rbuf[..n]);
            self.rbuf.drain(..n);
            return Ok(n);
        }
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(n) = self.take_plaintext(out)? {
                return Ok(n);
            }
            self.read_more(deadline)?;
        }
    }

    /// Encrypts and writes all of `data`, waiting until `deadline`.
    pub fn write_all(&mut self, mut data: &[u8], deadline: Instant) -> io::Result<()> {
        while !data.is_empty() {
            let n = self.tls.writer().write(data)?;
            if n == 0 && !self.tls.wants_write() {
                return Err(io::ErrorKind::WriteZero.into());
            }
            data = &data[n..];
            self.flush_until(deadline)?;
        }
        self.flush_until(deadline)
    }

    /// Checks an idle connection before reuse without blocking: records
    /// that arrived meanwhile are processed (a TLS 1.3 NewSessionTicket
    /// keeps the connection alive); `close_notify`, EOF, an error, or
    /// application data that nobody asked for mean discard.
    pub fn probe_alive(&mut self) -> bool {
        if !self.rbuf.is_empty() || self.eof || self.close_notify {
            return false;
        }
        loop {
            match self.read_step() {
                Ok(true) if self.eof => return false,
                Ok(true) => {}
                Ok(false) => break,
                Err(_) => return false,
            }
        }
        match self.tls.process_new_packets() {
            Ok(state) => !state.peer_has_closed() && state.plaintext_bytes_to_read() == 0,
            Err(_) => false,
        }
    }

    /// Sends `close_notify` and writes it out, waiting until `deadline`;
    /// then ends the wire ([`Wire::finish`]: over an HTTPS proxy's
    /// session, the proxy's `close_notify` follows).
    pub fn close_notify(&mut self, deadline: Instant) -> io::Result<()> {
        self.tls.send_close_notify();
        self.flush_until(deadline)?;
        self.wire.finish(deadline)
    }

    /// Sends `close_notify` (waiting at most `linger` for the socket to
    /// take it) and closes.
    pub fn close(mut self, linger: Duration) {
        let _ = self.close_notify(Instant::now() + linger);
    }

    /// The outcome of the strict certificate check, also under `-k`
    /// (which skipped it): `%{ssl_verify_result}` and `-v` report it.
    pub fn verify_result(&self) -> Result<(), VerifyFailure> {
        let Some((ee, rest)) = self.tls.peer_certificates().and_then(|c| c.split_first()) else {
            return Err(VerifyFailure::Other("no server certificate".into()));
        };
        if !self.config.insecure() {
            // The handshake passed the same check.
            return Ok(());
        }
        self.config
            .strict_verifier()
            .check(ee, rest, &self.server_name, UnixTime::now())
    }

    /// What `fetch -v` prints about the session, and
    /// `%{ssl_verify_result}`.
    pub fn info(&self) -> SessionInfo {
        SessionInfo::of(
            &self.tls,
            &self.host,
            self.config.insecure(),
            self.verify_result(),
        )
    }
}

/// Plaintext reads without waiting: `WouldBlock` when nothing is there.
/// `Ok(0)` at the end of the session.
impl<W: Wire> Read for TlsConn<W> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if !self.rbuf.is_empty() {
            let n = self.rbuf.len().min(out.len());
            out[..n].copy_from_slice(&self.rbuf[..n]);
            self.rbuf.drain(..n);
            return Ok(n);
        }
        loop {
            if let Some(n) = self.take_plaintext(out)? {
                return Ok(n);
            }
            if !self.read_step()? {
                return Err(io::ErrorKind::WouldBlock.into());
            }
        }
    }
}

/// Plaintext writes without waiting: what rustls accepts is encrypted and
/// pushed to the wire as far as it takes it; `flush` says `WouldBlock`
/// while records are still queued.
impl<W: Wire> Write for TlsConn<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.flush_nonblocking()?;
        let n = self.tls.writer().write(data)?;
        self.flush_nonblocking()?;
        if n == 0 && !data.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_nonblocking()?;
        if self.tls.wants_write() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        self.wire.flush()
    }
}

/// A session is a wire for another session (TLS inside a tunnel).
impl<W: Wire> Wire for TlsConn<W> {
    fn wait(&mut self, deadline: Instant) -> io::Result<()> {
        if self.tls.wants_write() {
            // Push our queued records first; a wait inside that may have
            // taken a readiness edge, so report progress and let the
            // caller retry rather than wait again.
            return self.flush_until(deadline);
        }
        self.wire.wait(deadline)
    }

    fn finish(&mut self, deadline: Instant) -> io::Result<()> {
        self.close_notify(deadline)
    }
}
