//! Sockets: name resolution off the calling thread, asynchronous connect
//! with happy eyeballs, and a connection whose every wait has a deadline.
//!
//! Nothing here knows HTTP. Outcomes of each I/O call are handled in one
//! fixed order: `Ok(0)` (peer closed), `Ok(n)`, `WouldBlock` (wait for
//! readiness), `Interrupted` (retry), any other error.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use socket2::{Domain, Protocol, Socket, TcpKeepalive, Type};

use crate::sockio::{self, ReadWait};
use crate::transport::{Probe, Transport};

/// curl waits this long before racing the next address family.
pub const HAPPY_EYEBALLS_STAGGER: Duration = Duration::from_millis(200);
/// TCP keepalive idle time and probe interval on client sockets by
/// default (curl's tool; `ClientBuilder::tcp_keepalive` changes it).
pub const TCP_KEEPALIVE_IDLE: Duration = Duration::from_secs(60);
/// Bytes asked of the kernel per read.
const READ_CHUNK_BYTES: usize = 16 * 1024;
/// The token of a [`Conn::waker`] (the socket is `Token(0)`).
const WAKE_TOKEN: Token = Token(1);

/// Name resolution, run on a helper thread by the client.
///
/// The default is the system resolver (`getaddrinfo`). Tests plug in a slow
/// one to check that the deadline holds even when `getaddrinfo` does not
/// return.
pub trait Resolve: Send + Sync + 'static {
    /// All addresses of `host`, in preference order.
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>>;
}

/// `getaddrinfo` through `ToSocketAddrs`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        Ok((host, port).to_socket_addrs()?.collect())
    }
}

/// How a resolution ended without addresses.
#[derive(Debug)]
pub enum ResolveFailure {
    /// The deadline passed; the helper thread is abandoned, not joined
    /// (`getaddrinfo` cannot be cancelled).
    TimedOut,
    /// The resolver answered with an error or no address.
    Failed(io::Error),
}

/// Resolves `host` on a helper thread and waits for it until `deadline`.
pub fn resolve_with_deadline(
    resolver: &Arc<dyn Resolve>,
    host: &str,
    port: u16,
    deadline: Instant,
) -> Result<Vec<SocketAddr>, ResolveFailure> {
    let (tx, rx) = mpsc::sync_channel(1);
    let r = Arc::clone(resolver);
    let owned_host = host.to_string();
    std::thread::Builder::new()
        .name("fetch-resolve".into())
        .spawn(move || {
            // The receiver may be gone (timed out): nothing to do then.
            let _ = tx.send(r.resolve(&owned_host, port));
        })
        .map_err(ResolveFailure::Failed)?;
    let remaining = deadline.saturating_duration_since(Instant::now());
    match rx.recv_timeout(remaining) {
        Ok(Ok(addrs)) if addrs.is_empty() => Err(ResolveFailure::Failed(io::Error::new(
            io::ErrorKind::NotFound,
            "no addresses",
        ))),
        Ok(Ok(addrs)) => Ok(addrs),
        Ok(Err(e)) => Err(ResolveFailure::Failed(e)),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(ResolveFailure::TimedOut),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(ResolveFailure::Failed(io::Error::other(
            "resolver thread died",
        ))),
    }
}

/// Alternates address families, starting with the family of the first
/// address (RFC 8305 section 4).
pub fn interleave_families(addrs: &[SocketAddr]) -> Vec<SocketAddr> {
    let Some(first) = addrs.first() else {
        return Vec::new();
    };
    let (mut a, mut b): (Vec<SocketAddr>, Vec<SocketAddr>) = addrs
        .iter()
        .copied()
        .partition(|x| x.is_ipv6() == first.is_ipv6());
    a.reverse();
    b.reverse();
    let mut out = Vec::with_capacity(addrs.len());
    while !a.is_empty() || !b.is_empty() {
        out.extend(a.pop());
        out.extend(b.pop());
    }
    out
}

/// How connecting ended without a connection.
#[derive(Debug)]
pub enum ConnectFailure {
    /// The deadline passed with attempts still pending.
    TimedOut,
    /// Every address failed; this is the last error.
    Failed(io::Error),
}

/// Starts a nonblocking connect; `EINPROGRESS` is the normal outcome.
/// `keepalive`: TCP keepalive's idle time and probe interval (both, as
/// curl sets them), or none (`SO_KEEPALIVE` left off).
fn start_connect(addr: SocketAddr, keepalive: Option<Duration>) -> io::Result<TcpStream> {
    let socket = Socket::new(
        Domain::for_address(addr),
        Type::STREAM.nonblocking().cloexec(),
        Some(Protocol::TCP),
    )?;
    socket.set_nodelay(true)?;
    if let Some(idle) = keepalive {
        let keepalive = TcpKeepalive::new().with_time(idle).with_interval(idle);
        socket.set_tcp_keepalive(&keepalive)?;
    }
    match socket.connect(&addr.into()) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
        Err(e) => return Err(e),
    }
    Ok(TcpStream::from_std(socket.into()))
}

/// Outcome of checking an attempt that polled writable.
enum Check {
    Connected,
    Pending,
    Failed(io::Error),
}

/// After writable: `SO_ERROR` says whether the connect worked.
fn check_connected(stream: &TcpStream) -> Check {
    match stream.take_error() {
        Ok(Some(e)) | Err(e) => return Check::Failed(e),
        Ok(None) => {}
    }
    match stream.peer_addr() {
        Ok(_) => Check::Connected,
        Err(e) if e.kind() == io::ErrorKind::NotConnected => Check::Pending,
        Err(e) => Check::Failed(e),
    }
}

/// Connects to the first address that answers, racing the next one every
/// `stagger` (happy eyeballs, RFC 8305), until `deadline`.
/// `on_attempt` is told of each address tried (for `-v`); `keepalive` as
/// in [`start_connect`].
///
/// One function of about 85 lines on purpose: the race is one loop over
/// one poll (start the next attempt, wait, check which connected), and its
/// state (attempts in flight, the next start time, the last error) reads
/// best in one place.
pub fn connect_any(
    addrs: &[SocketAddr],
    deadline: Instant,
    stagger: Duration,
    keepalive: Option<Duration>,
    on_attempt: &mut dyn FnMut(SocketAddr),
) -> Result<(TcpStream, SocketAddr), ConnectFailure> {
    let order = interleave_families(addrs);
    let mut poll = Poll::new().map_err(ConnectFailure::Failed)?;
    let mut events = Events::with_capacity(8);
    // Index = token; None once the attempt failed.
    let mut attempts: Vec<Option<TcpStream>> = Vec::with_capacity(order.len());
    let mut last_err: Option<io::Error> = None;
    let mut next_start = Instant::now();
    loop {
        let now = Instant::now();
        let pending = attempts.iter().filter(|a| a.is_some()).count();
        let more = attempts.len() < order.len();
        if more && (pending == 0 || now >= next_start) {
            let i = attempts.len();
            let addr = order[i];
            on_attempt(addr);
            let started = start_connect(addr, keepalive).and_then(|mut s| {
                poll.registry()
                    .register(&mut s, Token(i), Interest::WRITABLE)
                    .map(|()| s)
            });
            match started {
                Ok(s) => attempts.push(Some(s)),
                Err(e) => {
                    log::debug!("connect {addr}: {e}");
                    last_err = Some(e);
                    attempts.push(None);
                }
            }
            next_start = now + stagger;
            continue;
        }
        if pending == 0 {
            return Err(ConnectFailure::Failed(last_err.unwrap_or_else(|| {
                io::Error::new(io::ErrorKind::AddrNotAvailable, "no address to connect to")
            })));
        }
        if now >= deadline {
            return Err(ConnectFailure::TimedOut);
        }
        let wake = if more {
            next_start.min(deadline)
        } else {
            deadline
        };
        match poll.poll(&mut events, Some(wake.saturating_duration_since(now))) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ConnectFailure::Failed(e)),
        }
        for ev in events.iter() {
            let i = ev.token().0;
            let Some(slot) = attempts.get_mut(i) else {
                continue;
            };
            let Some(stream) = slot.as_ref() else {
                continue;
            };
            match check_connected(stream) {
                Check::Connected => {
                    let Some(mut s) = slot.take() else {
                        continue;
                    };
                    // The winner leaves this poll; losers close when dropped.
                    if let Err(e) = poll.registry().deregister(&mut s) {
                        return Err(ConnectFailure::Failed(e));
                    }
                    return Ok((s, order[i]));
                }
                Check::Pending => {}
                Check::Failed(e) => {
                    log::debug!("connect {}: {e}", order[i]);
                    last_err = Some(e);
                    *slot = None;
                    // A failure starts the next address at once.
                    next_start = Instant::now();
                }
            }
        }
    }
}

/// A connected stream with its own poll; every wait is bounded by a
/// deadline. All I/O goes through its transport (plain TCP today), so a
/// TLS session can sit between the socket and this buffer.
pub struct Conn {
    transport: Transport,
    poll: Poll,
    events: Events,
    peer: SocketAddr,
    /// Bytes received but not yet consumed by the layer above.
    pub(crate) rbuf: Vec<u8>,
    /// A TLS session's reads land here first (empty until the first).
    chunk: Vec<u8>,
    /// The socket's state for waits in the read ([`Conn::read_within`]).
    read_wait: ReadWait,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Conn({})", self.peer)
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "deadline passed")
}

impl Conn {
    /// Wraps a connected TCP stream.
    pub fn new(stream: TcpStream, peer: SocketAddr) -> io::Result<Conn> {
        Conn::with_transport(Transport::Plain(stream), peer)
    }

    /// Wraps a connected transport.
    pub(crate) fn with_transport(mut transport: Transport, peer: SocketAddr) -> io::Result<Conn> {
        let poll = Poll::new()?;
        if let Some(source) = transport.source() {
            poll.registry()
                .register(source, Token(0), Interest::READABLE | Interest::WRITABLE)?;
        }
        Ok(Conn {
            transport,
            poll,
            events: Events::with_capacity(4),
            peer,
            rbuf: Vec::new(),
            chunk: Vec::new(),
            read_wait: ReadWait::default(),
        })
    }

    /// The address connected to (the proxy's, when there is one).
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Waits for any readiness event or the deadline (`TimedOut`).
    /// Edge-triggered: call only after an operation returned `WouldBlock`.
    fn wait(&mut self, deadline: Instant) -> io::Result<()> {
        if let Some(r) = self.transport.wait(deadline) {
            return r;
        }
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(timed_out());
            }
            match self.poll.poll(&mut self.events, Some(deadline - now)) {
                Ok(()) if self.events.is_empty() => {} // timeout: loop checks it
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads what is available into `rbuf`, waiting until `deadline` if
    /// nothing is. `Ok(0)` means the peer closed.
    pub fn fill(&mut self, deadline: Instant) -> io::Result<usize> {
        loop {
            match self.read_append() {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.wait(deadline)?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads straight into `out` when `rbuf` is empty (large bodies skip the
    /// extra copy). `Ok(0)` means the peer closed.
    pub fn read_direct(&mut self, out: &mut [u8], deadline: Instant) -> io::Result<usize> {
        if !self.rbuf.is_empty() {
            let n = self.rbuf.len().min(out.len());
            out[..n].copy_from_slice(&self.rbuf[..n]);
            self.rbuf.drain(..n);
            return Ok(n);
        }
        loop {
            match self.transport.read(out) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.wait(deadline)?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Writes all of `data`, continuing from the offset after short writes.
    pub fn write_all(&mut self, mut data: &[u8], deadline: Instant) -> io::Result<()> {
        while !data.is_empty() {
            match self.transport.write(data) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => data = &data[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.wait(deadline)?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        // A TLS session may still hold records the socket did not take.
        loop {
            match self.transport.flush() {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.wait(deadline)?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads what is available into `rbuf` without waiting: `Some(0)` at
    /// the peer's end of stream, `Some(n)` for `n` bytes, `None` when
    /// nothing is there (wait with [`Conn::wait_ready`]).
    pub(crate) fn read_now(&mut self) -> io::Result<Option<usize>> {
        loop {
            match self.read_append() {
                Ok(n) => return Ok(Some(n)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Writes what the transport takes of `data` without waiting (0 when
    /// it takes nothing now), then pushes out what a session holds:
    /// `(taken, flushed)`.
    pub(crate) fn write_now(&mut self, data: &[u8]) -> io::Result<(usize, bool)> {
        let mut taken = 0;
        while taken < data.len() {
            match self.transport.write(&data[taken..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => taken += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        loop {
            match self.transport.flush() {
                Ok(()) => return Ok((taken, true)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok((taken, false)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads into `rbuf` waiting in the read itself, at most about
    /// `timeout` (`None`: no limit), on a plain socket (one system call
    /// per receive; the socket stays in blocking mode from then on, every
    /// other call passing `MSG_DONTWAIT`): `Some(Ok(Some(n)))` for `n`
    /// bytes (0: the peer closed), `Some(Ok(None))` when the wait ended
    /// without data (at or a little before `timeout`, or a signal). `None`
    /// for TLS, or a wait too short for the read's coarse timer: wait with
    /// [`Conn::wait_ready`] then. A [`Conn::waker`] cannot end such a
    /// wait: a caller that made one waits through the poll.
    pub(crate) fn read_within(
        &mut self,
        timeout: Option<Duration>,
    ) -> Option<io::Result<Option<usize>>> {
        let fd = self.transport.plain_fd()?;
        self.read_wait
            .recv_within(fd, &mut self.rbuf, READ_CHUNK_BYTES, timeout)
    }

    /// One nonblocking read appended to `rbuf`: a plain socket's straight
    /// into its spare capacity; a TLS session's through a chunk kept for
    /// the connection (zeroed once, not per read).
    fn read_append(&mut self) -> io::Result<usize> {
        if let Some(fd) = self.transport.plain_fd() {
            return sockio::recv_now(fd, &mut self.rbuf, READ_CHUNK_BYTES);
        }
        if self.chunk.is_empty() {
            self.chunk = vec![0; READ_CHUNK_BYTES];
        }
        let n = self.transport.read(&mut self.chunk)?;
        self.rbuf.extend_from_slice(&self.chunk[..n]);
        Ok(n)
    }

    /// Waits for readiness (or a [`Conn::waker`]'s wake) until `deadline`
    /// (`TimedOut`). Edge-triggered: call only after a read or write said
    /// it would block.
    pub(crate) fn wait_ready(&mut self, deadline: Instant) -> io::Result<()> {
        self.wait(deadline)
    }

    /// A waker that ends this connection's current or next wait from
    /// another thread. mio allows one per poll: call it once per `Conn`.
    pub(crate) fn waker(&self) -> io::Result<mio::Waker> {
        let registry = match self.transport.registry() {
            Some(r) => r,
            None => self.poll.registry(),
        };
        mio::Waker::new(registry, WAKE_TOKEN)
    }

    /// Checks an idle connection before reuse with a nonblocking read:
    /// would block = alive; EOF, stray bytes or an error = discard.
    pub fn probe_alive(&mut self) -> bool {
        self.rbuf.is_empty() && self.transport.probe_idle() == Probe::Idle
    }

    /// Takes the plain TCP stream back out (to start TLS on it after the
    /// proxy handshakes), with the bytes already buffered. `None` when
    /// this is not plain TCP.
    pub(crate) fn into_plain(self) -> Option<(TcpStream, SocketAddr, Vec<u8>)> {
        let Conn {
            transport,
            poll,
            peer,
            rbuf,
            ..
        } = self;
        let Transport::Plain(mut s) = transport else {
            return None;
        };
        let _ = poll.registry().deregister(&mut s);
        Some((s, peer, rbuf))
    }

    /// What `-v` and `%{ssl_verify_result}` say about the TLS session to
    /// the origin, for an https connection.
    pub fn tls_info(&self) -> Option<crate::tls::SessionInfo> {
        self.transport.tls_info()
    }

    /// Closes at once with a RST (linger 0): for connections we abandon in
    /// the middle of a response, whose remaining bytes we do not want.
    pub fn abort(mut self) {
        self.transport.abort();
    }
}

#[cfg(test)]
mod tests;
