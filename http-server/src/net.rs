//! Socket setup, HTTP-agnostic: listeners and accepted connections.

use socket2::{Domain, Protocol, SockRef, Socket, Type};
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

/// Listen backlog (nginx uses 511 on Linux; the kernel caps it at
/// `net.core.somaxconn`).
pub(crate) const LISTEN_BACKLOG: i32 = 511;

/// Binds a nonblocking listener with SO_REUSEADDR (restart binds at once,
/// even with connections in TIME_WAIT) and SO_REUSEPORT (one listener per
/// worker on the same port; the kernel spreads new connections).
pub(crate) fn bind_listener(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    Ok(socket.into())
}

/// Checks that nobody listens on `addr` and resolves port 0, with a
/// plain socket (no SO_REUSEPORT) that is closed again. Without this, a
/// second server of the same user would join our SO_REUSEPORT group
/// silently and take part of the traffic instead of failing to bind.
pub(crate) fn claim_port(addr: SocketAddr) -> io::Result<SocketAddr> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.bind(&addr.into())?;
    socket
        .local_addr()?
        .as_socket()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not an IP address"))
}

/// Options for an accepted connection: no Nagle (responses are batched in
/// user space, then written at once).
pub(crate) fn setup_accepted(stream: &mio::net::TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)
}

/// Makes the next close abortive (SO_LINGER 0): the kernel sends RST and
/// frees the socket at once, with no TIME_WAIT. Only for peers being
/// dropped (abuse, stalls).
pub(crate) fn set_abortive_close(stream: &mio::net::TcpStream) {
    if let Err(e) = SockRef::from(stream).set_linger(Some(Duration::ZERO)) {
        log::debug!("SO_LINGER 0 failed: {e}");
    }
}

/// Whether an accept error means "out of descriptors": stop accepting for a
/// while instead of spinning on a listener that stays readable.
pub(crate) fn is_fd_exhaustion(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE) | Some(libc::ENFILE) | Some(libc::ENOBUFS) | Some(libc::ENOMEM)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claimed_port_is_refused_to_a_second_server() {
        let first = claim_port("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = bind_listener(first).unwrap();
        let err = claim_port(first).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
        drop(listener);
    }

    #[test]
    fn two_listeners_share_a_port() {
        let a = bind_listener("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = a.local_addr().unwrap();
        let b = bind_listener(addr).unwrap();
        assert_eq!(b.local_addr().unwrap(), addr);
    }
}
