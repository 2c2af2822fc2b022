//! One TLS session driven through rustls' unbuffered API: rustls keeps
//! the protocol state and the keys, the session keeps the bytes.
//!
//! rustls' buffered `ServerConnection` holds a 4 KiB record buffer from
//! its first `read_tls` to its end (it resizes it to 4 KiB at every read
//! and has no way to free it), so every idle keep-alive connection paid
//! for it. Here the three buffers are [`TlsBuf`]s: ciphertext read and
//! not yet processed, ciphertext for the socket, plaintext the caller had
//! no room for. Each is empty when the connection idles and then goes
//! back to the worker's pool (`release_buffers`).
//!
//! rustls' state machine (`process_tls_records`) is run until it needs
//! more input ([`Step::NeedInput`]), handling every state on the way:
//!
//! ```text
//!   ReadTraffic      -> plaintext into the caller's buffer, the rest kept
//!   EncodeTlsData    -> handshake, ticket, alert or key-update records into `outgoing`
//!   TransmitTlsData  -> nothing to do: `outgoing` is sent by the flushes
//!   BlockedHandshake -> need input
//!   WriteTraffic     -> encrypt the caller's bytes or close_notify; else need input
//!   PeerClosed       -> close_notify received: reads report EOF
//!   Closed           -> both sides sent close_notify
//! ```

use super::tls_buf::{TlsBuf, RECORD_BYTES};
use crate::sys;
use mio::net::TcpStream;
use rustls::server::{ServerConnectionData, UnbufferedServerConnection};
use rustls::unbuffered::{
    ConnectionState, EncodeError, EncodeTlsData, EncryptError, InsufficientSizeError,
    UnbufferedStatus,
};
use rustls::ServerConfig;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;

/// Ciphertext waiting for the socket before writes report `WouldBlock`
/// (the limit rustls' buffered connection had).
const CIPHERTEXT_LIMIT_BYTES: usize = 64 << 10;
/// Unprocessed ciphertext the session holds at most: a handshake message
/// is reassembled in place, and rustls accepts them up to 64 KiB.
const INCOMING_LIMIT_BYTES: usize = (64 << 10) + RECORD_BYTES;
/// Records queued with an alert after an error, at most: the rest of the
/// handshake flight it interrupted (ServerHello, ChangeCipherSpec...).
const ALERT_FLIGHT_RECORDS: usize = 16;

/// What the caller wants from a run of the state machine once the
/// handshake is done.
#[derive(Clone, Copy)]
enum Want<'a> {
    /// Only to process what was received.
    Read,
    /// To encrypt these bytes.
    Encrypt(&'a [u8]),
    /// To queue `close_notify`.
    CloseNotify,
}

/// Where a run of the state machine stopped.
#[derive(Debug, PartialEq)]
enum Step {
    /// Everything received is processed (or the handshake waits for the
    /// peer): more ciphertext is needed.
    NeedInput,
    /// `Want::Encrypt`: this many of the bytes were encrypted (all).
    Encrypted(usize),
    /// Both sides sent `close_notify`: nothing more can be written.
    Closed,
}

/// The caller's read buffer, filled from the front.
struct Sink<'b> {
    buf: &'b mut [u8],
    filled: usize,
}

pub(super) struct Session {
    conn: UnbufferedServerConnection,
    /// Ciphertext read from the socket, not yet processed.
    incoming: TlsBuf,
    /// Ciphertext for the socket.
    outgoing: TlsBuf,
    /// Plaintext received that the caller's buffer had no room for.
    plain: TlsBuf,
    /// The peer sent `close_notify`: after `plain`, reads are EOF.
    peer_closed: bool,
    close_notify_queued: bool,
}

impl Session {
    pub(super) fn new(config: Arc<ServerConfig>) -> io::Result<Session> {
        let conn = UnbufferedServerConnection::new(config).map_err(tls_error)?;
        Ok(Session {
            conn,
            incoming: TlsBuf::default(),
            outgoing: TlsBuf::default(),
            plain: TlsBuf::default(),
            peer_closed: false,
            close_notify_queued: false,
        })
    }

    /// Fills `buf` with plaintext, reading the socket until `buf` is full
    /// or the socket has nothing more, and sending what the handshake
    /// wants to send on the way.
    ///
    /// Filling `buf` keeps `read(2)`'s meaning of a short read, on which
    /// the connection relies under edge-triggered polling: fewer bytes
    /// than asked means the socket is drained (a later edge will announce
    /// more), never "a record boundary" with ciphertext still waiting.
    pub(super) fn read(&mut self, stream: &TcpStream, buf: &mut [u8]) -> io::Result<usize> {
        let fd = stream.as_raw_fd();
        let mut sink = Sink { buf, filled: 0 };
        sink.filled = self.plain.take_into(sink.buf);
        loop {
            if sink.filled == sink.buf.len() || self.peer_closed {
                return Ok(sink.filled);
            }
            if let Err(e) = self.run(Want::Read, &mut sink) {
                self.send_alert(fd);
                return Err(e);
            }
            self.flush_some(fd)?;
            if sink.filled == sink.buf.len() || self.peer_closed {
                return Ok(sink.filled);
            }
            // Room for the rest of a record at least (a handshake message
            // reassembled past one record grows the buffer).
            let want = RECORD_BYTES.saturating_sub(self.incoming.len()).max(1);
            let room = self.incoming.spare(want, INCOMING_LIMIT_BYTES)?;
            match (&*stream).read(room) {
                // TCP EOF: what is here now, then the end (a peer gone
                // without close_notify: a cut body is caught by its framing).
                Ok(0) => return Ok(sink.filled),
                Ok(n) => self.incoming.commit(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && sink.filled > 0 => {
                    return Ok(sink.filled)
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Encrypts a prefix of `buf` (as much as the ciphertext limit
    /// leaves room for) and sends what the socket takes; the bytes
    /// encrypted. `WouldBlock` while the handshake is not done or the
    /// ciphertext waiting is at its limit.
    pub(super) fn write(&mut self, fd: RawFd, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.flush_some(fd)?;
        let room = CIPHERTEXT_LIMIT_BYTES.saturating_sub(self.outgoing.len());
        if room == 0 {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let take = &buf[..buf.len().min(room)];
        // Plaintext processed on the way waits in `plain` for the next read.
        let mut none = Sink {
            buf: &mut [],
            filled: 0,
        };
        let n = match self.run(Want::Encrypt(take), &mut none)? {
            Step::Encrypted(n) => n,
            Step::NeedInput => return Err(io::ErrorKind::WouldBlock.into()),
            Step::Closed => return Err(io::ErrorKind::BrokenPipe.into()),
        };
        self.flush_some(fd)?;
        Ok(n)
    }

    /// Queues `close_notify` once (only after the handshake: before it
    /// there is no session to close).
    pub(super) fn queue_close_notify(&mut self) {
        if self.close_notify_queued {
            return;
        }
        self.close_notify_queued = true;
        let mut none = Sink {
            buf: &mut [],
            filled: 0,
        };
        // An error here is the one a read or write already reported.
        let _ = self.run(Want::CloseNotify, &mut none);
    }

    pub(super) fn pending_output(&self) -> bool {
        !self.outgoing.is_empty()
    }

    /// Sends the ciphertext waiting, until none is left or the socket is
    /// full (`WouldBlock`).
    pub(super) fn flush(&mut self, fd: RawFd) -> io::Result<()> {
        while !self.outgoing.is_empty() {
            let n = sys::send(fd, self.outgoing.filled_mut(), false)?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            self.outgoing.consume(n);
        }
        self.outgoing.release();
        Ok(())
    }

    /// Gives the empty buffers back to the worker's pool.
    pub(super) fn release_buffers(&mut self) {
        self.incoming.release();
        self.outgoing.release();
        self.plain.release();
    }

    /// Like [`Session::flush`], with a full socket not an error (the
    /// ciphertext waits, bounded by `CIPHERTEXT_LIMIT_BYTES`).
    fn flush_some(&mut self, fd: RawFd) -> io::Result<()> {
        match self.flush(fd) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            other => other,
        }
    }

    /// Best effort after a protocol error: rustls queued an alert telling
    /// the peer why, maybe behind handshake records of the same flight;
    /// encode them all and try to send them.
    fn send_alert(&mut self, fd: RawFd) {
        for _ in 0..ALERT_FLIGHT_RECORDS {
            let UnbufferedStatus { state, .. } = self.conn.process_tls_records(&mut []);
            let Ok(ConnectionState::EncodeTlsData(mut data)) = state else {
                break;
            };
            if encode(&mut data, &mut self.outgoing).is_err() {
                break;
            }
        }
        let _ = self.flush(fd);
    }

    /// Runs rustls' state machine over `incoming` until it needs input or
    /// has done what `want` asks.
    fn run(&mut self, want: Want<'_>, sink: &mut Sink<'_>) -> io::Result<Step> {
        let Session {
            conn,
            incoming,
            outgoing,
            plain,
            peer_closed,
            ..
        } = self;
        loop {
            let UnbufferedStatus { mut discard, state } =
                conn.process_tls_records(incoming.filled_mut());
            let step = match state.map_err(tls_error)? {
                ConnectionState::ReadTraffic(mut traffic) => {
                    while let Some(record) = traffic.next_record() {
                        let record = record.map_err(tls_error)?;
                        discard += record.discard;
                        deliver(record.payload, sink, plain);
                    }
                    None
                }
                // Early data is off unless an application's configuration
                // turns it on, and this server has no way to mark a
                // request as replayable: dropped, as before (the buffered
                // connection kept it apart from the plaintext too).
                ConnectionState::ReadEarlyData(mut early) => {
                    while let Some(record) = early.next_record() {
                        discard += record.map_err(tls_error)?.discard;
                    }
                    None
                }
                ConnectionState::EncodeTlsData(mut data) => {
                    encode(&mut data, outgoing)?;
                    None
                }
                // `outgoing` is sent by the flushes that follow every run.
                ConnectionState::TransmitTlsData(transmit) => {
                    transmit.done();
                    None
                }
                ConnectionState::BlockedHandshake => Some(Step::NeedInput),
                ConnectionState::WriteTraffic(mut traffic) => Some(match want {
                    Want::Read => Step::NeedInput,
                    Want::Encrypt(bytes) => {
                        grow_until_fits(outgoing, |out| {
                            traffic.encrypt(bytes, out).map_err(encrypt_retry)
                        })?;
                        Step::Encrypted(bytes.len())
                    }
                    Want::CloseNotify => {
                        grow_until_fits(outgoing, |out| {
                            traffic.queue_close_notify(out).map_err(encrypt_retry)
                        })?;
                        Step::Encrypted(0)
                    }
                }),
                ConnectionState::PeerClosed => {
                    *peer_closed = true;
                    None
                }
                ConnectionState::Closed => Some(Step::Closed),
                _ => return Err(tls_error("a TLS state this server does not handle")),
            };
            incoming.consume(discard);
            if let Some(step) = step {
                return Ok(step);
            }
        }
    }
}

/// Copies `payload` into the caller's buffer, and what does not fit into
/// `plain`.
fn deliver(payload: &[u8], sink: &mut Sink<'_>, plain: &mut TlsBuf) {
    let room = &mut sink.buf[sink.filled..];
    let n = payload.len().min(room.len());
    room[..n].copy_from_slice(&payload[..n]);
    sink.filled += n;
    plain.extend(&payload[n..]);
}

/// Appends a record rustls made (handshake, alert, ticket) to `out`.
fn encode(data: &mut EncodeTlsData<'_, ServerConnectionData>, out: &mut TlsBuf) -> io::Result<()> {
    grow_until_fits(out, |room| {
        data.encode(room).map_err(|e| match e {
            EncodeError::InsufficientSize(s) => Retry::Grow(s),
            EncodeError::AlreadyEncoded => Retry::Stop,
        })
    })
    .map(drop)
}

/// How an encode or encrypt into a too-small buffer went.
enum Retry {
    Grow(InsufficientSizeError),
    Stop,
    Fail(io::Error),
}

fn encrypt_retry(e: EncryptError) -> Retry {
    match e {
        EncryptError::InsufficientSize(s) => Retry::Grow(s),
        // The sequence numbers ran out: the session cannot go on.
        EncryptError::EncryptExhausted => Retry::Fail(tls_error(e)),
    }
}

/// Calls `write` with the room after `out`'s filled bytes, growing it as
/// rustls asks (rustls checks the size before it changes any state, so a
/// retry is safe); the ciphertext bytes written.
fn grow_until_fits(
    out: &mut TlsBuf,
    mut write: impl FnMut(&mut [u8]) -> Result<usize, Retry>,
) -> io::Result<usize> {
    let mut want = 0;
    loop {
        let room = out.spare(want, usize::MAX)?;
        match write(room) {
            Ok(n) => {
                out.commit(n);
                return Ok(n);
            }
            Err(Retry::Grow(s)) if s.required_size > room.len() => want = s.required_size,
            // Asked for no more than it had: rustls is not keeping its word.
            Err(Retry::Grow(_)) => return Err(tls_error("TLS output buffer size disagreement")),
            Err(Retry::Stop) => return Ok(0),
            Err(Retry::Fail(e)) => return Err(e),
        }
    }
}

fn tls_error(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
    use std::io::Write;
    use std::net::TcpListener;
    use std::time::{Duration, Instant};
    use test_support::tls::{TestCa, TestCert, Validity};

    const WAIT: Duration = Duration::from_secs(10);

    type Client = rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream>;

    fn der(cert: &TestCert) -> CertificateDer<'static> {
        CertificateDer::from(cert.cert_der.clone())
    }

    fn key(cert: &TestCert) -> PrivateKeyDer<'static> {
        PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes()).expect("test key")
    }

    /// A session on a loopback socket, and a rustls client on the other
    /// end (blocking, with timeouts), both trusting one test certificate.
    fn pair() -> (Session, TcpStream, Client) {
        let ca = TestCa::new("session test CA");
        let cert = ca.issue(&["localhost"], Validity::Current);
        let config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![der(&cert)], key(&cert))
            .expect("server config");
        let client = rustls::ClientConfig::builder()
            .with_root_certificates(roots(&ca))
            .with_no_client_auth();
        connect(config, client)
    }

    fn roots(ca: &TestCa) -> Arc<rustls::RootCertStore> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from(ca.cert_der.clone()))
            .expect("test root");
        Arc::new(roots)
    }

    fn connect(server: ServerConfig, client: rustls::ClientConfig) -> (Session, TcpStream, Client) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let tcp =
            std::net::TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        tcp.set_read_timeout(Some(WAIT)).expect("timeout");
        tcp.set_write_timeout(Some(WAIT)).expect("timeout");
        let (accepted, _) = listener.accept().expect("accept");
        accepted.set_nonblocking(true).expect("nonblocking");
        let name = ServerName::try_from("localhost").expect("name");
        let conn = rustls::ClientConnection::new(Arc::new(client), name).expect("client");
        let session = Session::new(Arc::new(server)).expect("session");
        (
            session,
            TcpStream::from_std(accepted),
            rustls::StreamOwned::new(conn, tcp),
        )
    }

    /// Reads until `want` bytes came, `chunk` bytes at a time.
    fn read_all(s: &mut Session, tcp: &TcpStream, want: usize, chunk: usize) -> Vec<u8> {
        let start = Instant::now();
        let mut got = Vec::new();
        let mut buf = vec![0u8; chunk];
        while got.len() < want {
            assert!(start.elapsed() < WAIT, "only {} of {want} bytes", got.len());
            match s.read(tcp, &mut buf) {
                Ok(0) => panic!("EOF after {} of {want} bytes", got.len()),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(1))
                }
                Err(e) => panic!("read: {e}"),
            }
        }
        got
    }

    /// The client sends `ping`, the session reads it and answers `pong`,
    /// which the client reads.
    fn ping_pong(s: &mut Session, tcp: &TcpStream, mut client: Client) {
        let peer = std::thread::spawn(move || {
            client.write_all(b"ping").expect("client write");
            let mut pong = [0u8; 4];
            client.read_exact(&mut pong).expect("client read");
            pong
        });
        assert_eq!(read_all(s, tcp, 4, 1024), b"ping");
        assert_eq!(s.write(tcp.as_raw_fd(), b"pong").expect("write"), 4);
        s.flush(tcp.as_raw_fd()).expect("flush");
        assert_eq!(&peer.join().expect("client thread"), b"pong");
    }

    #[test]
    fn an_idle_session_holds_no_buffer() {
        let (mut s, tcp, client) = pair();
        ping_pong(&mut s, &tcp, client);
        s.release_buffers();
        for (name, b) in [
            ("in", &s.incoming),
            ("out", &s.outgoing),
            ("plain", &s.plain),
        ] {
            assert!(!b.has_storage(), "the {name} buffer is still held");
        }
    }

    #[test]
    fn records_larger_than_the_readers_buffer_arrive_whole() {
        let (mut s, tcp, mut client) = pair();
        let body: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let sent = body.clone();
        // The client is kept open until the end: closed with the
        // session's tickets unread, its socket would reset the connection.
        let peer = std::thread::spawn(move || {
            client.write_all(&sent).expect("client write");
            client
        });
        // 1,000 bytes a read: most of each 16 KiB record waits in `plain`.
        assert_eq!(read_all(&mut s, &tcp, body.len(), 1000), body);
        drop(peer.join().expect("client thread"));
        assert!(s.plain.is_empty());
    }

    #[test]
    fn handshake_messages_larger_than_a_record_pass_both_ways() {
        // About 40 KB each: a server certificate with 1,500 names (its
        // Certificate message spans three records out), and a client
        // chain padded with it (three records in, reassembled in place).
        let ca = TestCa::new("session test CA");
        let names: Vec<String> = (0..1500).map(|i| format!("host-{i:04}.example")).collect();
        let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
        names.insert(0, "localhost");
        let big = ca.issue(&names, Validity::Current);
        let user = ca.issue_client("test client");
        let verifier = rustls::server::WebPkiClientVerifier::builder(roots(&ca))
            .build()
            .expect("client verifier");
        let config = ServerConfig::builder()
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![der(&big)], key(&big))
            .expect("server config");
        let client = rustls::ClientConfig::builder()
            .with_root_certificates(roots(&ca))
            .with_client_auth_cert(vec![der(&user), der(&big)], key(&user))
            .expect("client config");
        let (mut s, tcp, client) = connect(config, client);
        ping_pong(&mut s, &tcp, client);
        s.release_buffers();
        assert!(!s.incoming.has_storage() && !s.outgoing.has_storage());
    }
}
