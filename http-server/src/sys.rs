//! The crate's only `unsafe`: thin wrappers over Linux system calls that
//! std and mio do not expose, or expose only through libc's wrappers.
//!
//! - [`block_sigpipe`]: `pthread_sigmask` so that a write to a closed peer
//!   gives `EPIPE` instead of killing the process, even when the embedding
//!   program left `SIGPIPE` at its default (Rust binaries ignore it, C hosts
//!   and `#[unix_sigpipe]` programs may not). `sendfile(2)` has no
//!   `MSG_NOSIGNAL`, so blocking the signal in the worker threads is the only
//!   defence there.
//! - [`send_vectored`] and [`send`]: `sendmsg(2)` / `send(2)` with
//!   `MSG_NOSIGNAL` (plain `writev` raises `SIGPIPE`), and `MSG_MORE` when
//!   the caller says a file body follows at once (a response head then
//!   leaves in the same segments as the file's first bytes, as nginx's
//!   `tcp_nopush` does, without two `TCP_CORK` calls).
//! - [`recv`]: `recv(2)` of what the socket holds.
//! - [`sendfile`]: `sendfile(2)` from a file at an explicit offset.
//!
//! `send`, `sendmsg` and `recv` go through rustix's raw system calls, not
//! libc's wrappers: those are cancellation points, each call wrapped in
//! `__pthread_enable_asynccancel` and `..._disable_...`, about 45
//! instructions per call, which a keep-alive request paid twice (a
//! `recv` and a `send`). The server never cancels threads.
//!
//! Contract for every caller: `WouldBlock` and the other errors are returned
//! as they are; `EINTR` is retried here and never surfaces.
#![allow(unsafe_code)]

use rustix::net::{RecvFlags, SendAncillaryBuffer, SendFlags};
use std::io::{self, IoSlice};
use std::os::fd::{BorrowedFd, RawFd};

/// Blocks `SIGPIPE` for the calling thread (and threads it spawns later).
pub(crate) fn block_sigpipe() -> io::Result<()> {
    // SAFETY: `set` is a plain C struct initialised by sigemptyset before
    // use; pthread_sigmask only reads it and the old mask pointer is null.
    let rc = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut())
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(rc))
    }
}

/// `MSG_NOSIGNAL | MSG_DONTWAIT`, plus `MSG_MORE` when `more` (more data
/// follows at once: the kernel may hold a partial segment for it).
fn send_flags(more: bool) -> SendFlags {
    let flags = SendFlags::NOSIGNAL | SendFlags::DONTWAIT;
    if more {
        flags | SendFlags::MORE
    } else {
        flags
    }
}

/// `fd` borrowed for one call.
fn borrow(fd: RawFd) -> BorrowedFd<'static> {
    // SAFETY: every caller passes the descriptor of a socket it owns and
    // keeps open for the duration of the call it makes with it here; the
    // borrow is not kept past that call.
    unsafe { BorrowedFd::borrow_raw(fd) }
}

/// Runs `call` again while it is interrupted (`EINTR`).
fn retry(mut call: impl FnMut() -> rustix::io::Result<usize>) -> io::Result<usize> {
    loop {
        match call() {
            Err(rustix::io::Errno::INTR) => continue,
            other => return other.map_err(io::Error::from),
        }
    }
}

/// Gathers `bufs` into one `sendmsg(MSG_NOSIGNAL | MSG_DONTWAIT)` call
/// (with `MSG_MORE` when `more`). Returns the bytes written, which may be
/// fewer than asked.
pub(crate) fn send_vectored(fd: RawFd, bufs: &[IoSlice<'_>], more: bool) -> io::Result<usize> {
    let bufs = &bufs[..bufs.len().min(libc::UIO_MAXIOV as usize)];
    let fd = borrow(fd);
    retry(|| {
        let mut control = SendAncillaryBuffer::default();
        rustix::net::sendmsg(fd, bufs, &mut control, send_flags(more))
    })
}

/// `send(2)` of one buffer with `MSG_NOSIGNAL | MSG_DONTWAIT` (and
/// `MSG_MORE` when `more`): the common case of one response in one buffer,
/// without `sendmsg`'s header and vector copies.
pub(crate) fn send(fd: RawFd, buf: &[u8], more: bool) -> io::Result<usize> {
    let fd = borrow(fd);
    retry(|| rustix::net::send(fd, buf, send_flags(more)))
}

/// `recv(2)` into `buf`: the bytes read, 0 at the peer's EOF.
pub(crate) fn recv(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    let fd = borrow(fd);
    retry(|| rustix::net::recv(fd, &mut *buf, RecvFlags::empty()).map(|(n, _)| n))
}

/// Sends up to `count` bytes of `file_fd` starting at `*offset` to
/// `sock_fd`, advancing `*offset` by the bytes sent.
pub(crate) fn sendfile(
    sock_fd: RawFd,
    file_fd: RawFd,
    offset: &mut u64,
    count: usize,
) -> io::Result<usize> {
    let mut off = i64::try_from(*offset)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "file offset too large"))?;
    loop {
        // SAFETY: both descriptors are owned by live objects of the caller
        // for the duration of the call; `off` is a valid local.
        let n = unsafe { libc::sendfile(sock_fd, file_fd, &mut off, count) };
        if n >= 0 {
            *offset = off as u64;
            return Ok(n as usize);
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn send_vectored_gathers_and_closed_peer_gives_epipe() {
        let (a, mut b) = UnixStream::pair().unwrap();
        let n = send_vectored(
            a.as_raw_fd(),
            &[IoSlice::new(b"ab"), IoSlice::new(b"cd")],
            false,
        )
        .unwrap();
        assert_eq!(n, 4);
        let mut got = [0u8; 4];
        b.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"abcd");
        drop(b);
        let err = send_vectored(a.as_raw_fd(), &[IoSlice::new(b"x")], false).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn sendfile_sends_a_region_and_advances_the_offset() {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"0123456789").unwrap();
        let (a, mut b) = UnixStream::pair().unwrap();
        let mut off = 3;
        let n = sendfile(a.as_raw_fd(), file.as_raw_fd(), &mut off, 4).unwrap();
        assert_eq!((n, off), (4, 7));
        let mut got = [0u8; 4];
        b.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"3456");
    }

    /// A head sent with `MSG_MORE` over TCP, then a file with sendfile:
    /// the peer gets both, in order (nothing is held back).
    #[test]
    fn msg_more_head_then_sendfile_arrives_whole() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let a = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        a.set_nodelay(true).unwrap();
        let (mut b, _) = listener.accept().unwrap();
        b.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"body").unwrap();
        assert_eq!(send(a.as_raw_fd(), b"head:", true).unwrap(), 5);
        let mut off = 0;
        assert_eq!(
            sendfile(a.as_raw_fd(), file.as_raw_fd(), &mut off, 4).unwrap(),
            4
        );
        let mut got = [0u8; 9];
        b.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"head:body");
    }

    /// Whether SIGPIPE is pending for the calling thread.
    fn sigpipe_pending() -> bool {
        // SAFETY: `set` is initialised by sigpending before it is read.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            assert_eq!(libc::sigpending(&mut set), 0);
            libc::sigismember(&set, libc::SIGPIPE) == 1
        }
    }

    /// sendfile(2) to a closed peer raises SIGPIPE (it has no
    /// MSG_NOSIGNAL). With the signal blocked it stays pending on the
    /// thread instead of killing a process that left SIGPIPE at its
    /// default: a blocked signal is queued even under SIG_IGN (the test
    /// harness's disposition), which is what makes it observable here.
    #[test]
    fn blocked_sigpipe_is_held_not_delivered() {
        std::thread::spawn(|| {
            block_sigpipe().unwrap();
            assert!(!sigpipe_pending());
            let mut file = tempfile::tempfile().unwrap();
            file.write_all(b"data").unwrap();
            let (a, b) = UnixStream::pair().unwrap();
            drop(b);
            let mut off = 0;
            let err = sendfile(a.as_raw_fd(), file.as_raw_fd(), &mut off, 4).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
            assert!(sigpipe_pending(), "sendfile raised no SIGPIPE");
        })
        .join()
        .unwrap();
    }

    #[test]
    fn msg_nosignal_raises_no_sigpipe() {
        std::thread::spawn(|| {
            block_sigpipe().unwrap();
            let (a, b) = UnixStream::pair().unwrap();
            drop(b);
            let err = send_vectored(a.as_raw_fd(), &[IoSlice::new(b"x")], true).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
            let err = send(a.as_raw_fd(), b"x", true).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
            assert!(!sigpipe_pending());
        })
        .join()
        .unwrap();
    }
}
