//! Reads and writes on a plain socket (TCP or Unix) that say whether they
//! may wait in the call itself, whatever the socket's own `O_NONBLOCK`.
//!
//! Every nonblocking call passes `MSG_DONTWAIT` (writes `MSG_NOSIGNAL`
//! too: a peer gone is an error, never a signal), so a connection can
//! switch its socket to blocking mode and then wait for data in the read
//! itself, with `SO_RCVTIMEO` bounding the wait ([`ReadWait`]): one
//! system call per receive instead of a read that would block, a poll and
//! a second read (a WebSocket's echo loop spent its time there). Reads
//! append to a buffer's spare capacity: no chunk zeroed and copied per
//! read.

use std::io;
use std::os::fd::BorrowedFd;
use std::time::Duration;

use rustix::net::{RecvFlags, SendFlags};

/// How late the kernel may end a read's `SO_RCVTIMEO` wait: the timer
/// counts in scheduler ticks, rounded up, plus one (measured here at
/// 250 Hz: 6.9 ms for 0.3 ms, 55.9 ms for 50 ms; 100 Hz kernels make it
/// up to 20 ms). A poll's timer is precise, so a wait this close to its
/// end goes through the poll.
const TICK_SLACK: Duration = Duration::from_millis(20);

/// Reads into the spare capacity of `buf` (at least `room` bytes of it)
/// without waiting: `WouldBlock` when nothing is there, `Ok(0)` at the
/// peer's end of stream.
pub(crate) fn recv_now(fd: BorrowedFd<'_>, buf: &mut Vec<u8>, room: usize) -> io::Result<usize> {
    recv_append(fd, buf, room, RecvFlags::DONTWAIT)
}

/// Reads into `buf` without waiting.
pub(crate) fn recv_slice(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    let (n, _) = rustix::net::recv(fd, buf, RecvFlags::DONTWAIT)?;
    Ok(n)
}

/// Writes what the socket takes now (`WouldBlock`: nothing).
pub(crate) fn send_now(fd: BorrowedFd<'_>, data: &[u8]) -> io::Result<usize> {
    Ok(rustix::net::send(
        fd,
        data,
        SendFlags::DONTWAIT | SendFlags::NOSIGNAL,
    )?)
}

fn recv_append(
    fd: BorrowedFd<'_>,
    buf: &mut Vec<u8>,
    room: usize,
    flags: RecvFlags,
) -> io::Result<usize> {
    buf.reserve(room);
    let (n, _) = rustix::net::recv(fd, rustix::buffer::spare_capacity(buf), flags)?;
    Ok(n)
}

/// What a wait in the read needs done to the socket's `SO_RCVTIMEO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// The current setting ends the wait in time, and not much earlier.
    Keep,
    /// Set this (`None`: no limit).
    Set(Option<Duration>),
    /// Too close to the end for the read's coarse timer: use the poll.
    Poll,
}

/// The setting for a wait of at most `wanted` (`None`: no limit), given
/// the `current` one. A timed setting ends [`TICK_SLACK`] to twice that
/// before the wanted end (never late; the loop around the read waits out
/// the rest through the poll), and one that still does so is kept: a
/// receive loop under a heartbeat sets it once, not per message.
fn plan(current: Option<Duration>, wanted: Option<Duration>) -> Plan {
    let Some(w) = wanted else {
        return match current {
            None => Plan::Keep,
            Some(_) => Plan::Set(None),
        };
    };
    if w <= 2 * TICK_SLACK {
        return Plan::Poll;
    }
    match current {
        Some(c) if c + TICK_SLACK <= w && c + 2 * TICK_SLACK >= w => Plan::Keep,
        _ => Plan::Set(Some(w - TICK_SLACK * 3 / 2)),
    }
}

/// A socket's state for waits in the read: switched to blocking mode on
/// the first one, and its `SO_RCVTIMEO` as last set.
#[derive(Debug, Default)]
pub(crate) struct ReadWait {
    blocking: bool,
    timeout: Option<Duration>,
}

impl ReadWait {
    /// Reads into `buf`, waiting in the read for at most about `wanted`
    /// (`None`: no limit): `Some(Ok(Some(n)))` for `n` bytes (0: end of
    /// stream), `Some(Ok(None))` when the wait ended without data (its
    /// time, early, or a signal: the caller checks its timers and comes
    /// back), `None` when the wait is too short for the read's timer (wait
    /// through the poll instead).
    pub(crate) fn recv_within(
        &mut self,
        fd: BorrowedFd<'_>,
        buf: &mut Vec<u8>,
        room: usize,
        wanted: Option<Duration>,
    ) -> Option<io::Result<Option<usize>>> {
        match plan(self.timeout, wanted) {
            Plan::Poll => return None,
            Plan::Keep => {}
            Plan::Set(t) => {
                if let Err(e) = rustix::net::sockopt::set_socket_timeout(
                    fd,
                    rustix::net::sockopt::Timeout::Recv,
                    t,
                ) {
                    return Some(Err(e.into()));
                }
                self.timeout = t;
            }
        }
        if !self.blocking {
            if let Err(e) = rustix::io::ioctl_fionbio(fd, false) {
                return Some(Err(e.into()));
            }
            self.blocking = true;
        }
        Some(match recv_append(fd, buf, room, RecvFlags::empty()) {
            Ok(n) => Ok(Some(n)),
            Err(e)
                if e.kind() == io::ErrorKind::WouldBlock
                    || e.kind() == io::ErrorKind::Interrupted =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;
    use std::time::Instant;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn plans_never_end_late_and_keep_a_close_setting() {
        assert_eq!(plan(None, None), Plan::Keep);
        assert_eq!(plan(Some(MS * 500), None), Plan::Set(None));
        assert_eq!(plan(None, Some(MS * 40)), Plan::Poll);
        assert_eq!(plan(None, Some(MS * 1000)), Plan::Set(Some(MS * 970)));
        // A heartbeat's next step moves a little per message: kept.
        assert_eq!(plan(Some(MS * 970), Some(MS * 999)), Plan::Keep);
        assert_eq!(plan(Some(MS * 970), Some(MS * 991)), Plan::Keep);
        // Would end late, or far too early: set again.
        assert_eq!(
            plan(Some(MS * 970), Some(MS * 980)),
            Plan::Set(Some(MS * 950))
        );
        assert_eq!(
            plan(Some(MS * 500), Some(MS * 980)),
            Plan::Set(Some(MS * 950))
        );
        assert_eq!(plan(Some(MS * 970), None), Plan::Set(None));
    }

    #[test]
    fn a_wait_in_the_read_gets_data_and_ends_in_time() {
        let (a, mut b) = UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        let mut buf = Vec::new();
        let err = recv_now(a.as_fd(), &mut buf, 64).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        let mut wait = ReadWait::default();
        assert!(wait
            .recv_within(a.as_fd(), &mut buf, 64, Some(MS * 30))
            .is_none());
        let t0 = Instant::now();
        let got = wait.recv_within(a.as_fd(), &mut buf, 64, Some(MS * 100));
        assert_eq!(got.unwrap().unwrap(), None);
        // Ends before the wanted 100 ms (a loaded machine may add its own
        // scheduling delay), and not far before it.
        let took = t0.elapsed();
        assert!(took >= MS * 70 && took <= MS * 140, "{took:?}");
        b.write_all(b"hello").unwrap();
        let got = wait.recv_within(a.as_fd(), &mut buf, 64, None);
        assert_eq!(got.unwrap().unwrap(), Some(5));
        assert_eq!(buf, b"hello");
        // Blocking mode now, yet the nonblocking calls still do not wait.
        let err = recv_now(a.as_fd(), &mut buf, 64).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        assert_eq!(send_now(a.as_fd(), b"x").unwrap(), 1);
        let mut x = [0u8; 1];
        b.read_exact(&mut x).unwrap();
        drop(b);
        assert_eq!(recv_now(a.as_fd(), &mut buf, 64).unwrap(), 0);
    }
}
