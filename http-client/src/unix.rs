//! Connecting over a Unix domain socket (curl's `--unix-socket` and
//! `--abstract-unix-socket`): the HTTP exchange is the same, only the
//! stream under it differs (`Transport::Unix`). The connect is
//! nonblocking and bounded by the connect deadline like a TCP one.

use std::io;
use std::os::unix::net::SocketAddr as UnixAddr;
use std::path::PathBuf;
use std::time::Instant;

use mio::net::UnixStream;
use mio::{Events, Interest, Poll, Token};

use crate::net::ConnectFailure;

/// Where a Unix socket is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnixSocket {
    /// A path in the file system (`--unix-socket`).
    Path(PathBuf),
    /// A name in Linux's abstract namespace (`--abstract-unix-socket`).
    Abstract(Vec<u8>),
}

impl std::fmt::Display for UnixSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnixSocket::Path(p) => write!(f, "{}", p.display()),
            UnixSocket::Abstract(n) => write!(f, "@{}", String::from_utf8_lossy(n)),
        }
    }
}

impl UnixSocket {
    fn address(&self) -> io::Result<UnixAddr> {
        match self {
            UnixSocket::Path(p) => UnixAddr::from_pathname(p),
            UnixSocket::Abstract(name) => abstract_address(name),
        }
    }
}

#[cfg(target_os = "linux")]
fn abstract_address(name: &[u8]) -> io::Result<UnixAddr> {
    use std::os::linux::net::SocketAddrExt;
    UnixAddr::from_abstract_name(name)
}

#[cfg(not(target_os = "linux"))]
fn abstract_address(_: &[u8]) -> io::Result<UnixAddr> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "abstract Unix sockets exist on Linux only",
    ))
}

/// Connects to `socket` before `deadline`.
pub(crate) fn connect_unix(
    socket: &UnixSocket,
    deadline: Instant,
) -> Result<UnixStream, ConnectFailure> {
    let addr = socket.address().map_err(ConnectFailure::Failed)?;
    let mut stream = UnixStream::connect_addr(&addr).map_err(ConnectFailure::Failed)?;
    let mut poll = Poll::new().map_err(ConnectFailure::Failed)?;
    poll.registry()
        .register(&mut stream, Token(0), Interest::WRITABLE)
        .map_err(ConnectFailure::Failed)?;
    let mut events = Events::with_capacity(1);
    loop {
        // Connected (or refused) once writable: the error, if any, is
        // pending on the socket; a peer address means it is connected.
        if let Some(e) = stream.take_error().map_err(ConnectFailure::Failed)? {
            return Err(ConnectFailure::Failed(e));
        }
        if stream.peer_addr().is_ok() {
            let _ = poll.registry().deregister(&mut stream);
            return Ok(stream);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(ConnectFailure::TimedOut);
        }
        match poll.poll(&mut events, Some(deadline - now)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ConnectFailure::Failed(e)),
        }
    }
}
