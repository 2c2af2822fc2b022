//! The byte stream under a TLS session ([`Wire`]): nonblocking reads and
//! writes plus a bounded wait. [`TcpWire`] is a socket with its own poll;
//! a `TlsConn` is a wire too, so a session can run inside another one (an
//! HTTPS proxy's tunnel).

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use socket2::SockRef;

/// The error of a wait that reached its deadline.
pub(super) fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "deadline passed")
}

/// A nonblocking byte stream under a TLS session: `read` and `write`
/// return `WouldBlock` instead of waiting, and `wait` waits.
pub trait Wire: Read + Write {
    /// Waits until the wire may make progress, or `deadline` (an error of
    /// kind `TimedOut`). Readiness is edge-triggered: call it only after
    /// a read or write returned `WouldBlock`. Waking without progress is
    /// allowed (the caller retries).
    fn wait(&mut self, deadline: Instant) -> io::Result<()>;

    /// Ends what the wire itself carries, once the session over it has
    /// sent its `close_notify`: a socket has nothing to end (closing is
    /// dropping it); a session sends its own `close_notify` (an HTTPS
    /// proxy's, under the origin's). Waits at most until `deadline`.
    fn finish(&mut self, deadline: Instant) -> io::Result<()> {
        let _ = deadline;
        Ok(())
    }
}

/// A boxed wire is a wire: one session type, `TlsConn<Box<dyn Wire +
/// Send>>`, can then run over a socket or over a proxy's session alike.
impl<W: Wire + ?Sized> Wire for Box<W> {
    fn wait(&mut self, deadline: Instant) -> io::Result<()> {
        (**self).wait(deadline)
    }
    fn finish(&mut self, deadline: Instant) -> io::Result<()> {
        (**self).finish(deadline)
    }
}

/// A connected nonblocking socket with its own poll.
pub struct TcpWire {
    stream: TcpStream,
    poll: Poll,
    events: Events,
}

impl TcpWire {
    /// Registers `stream` (readable and writable, edge-triggered) with a
    /// poll of its own; if it was registered elsewhere, deregister it
    /// there first.
    pub fn new(mut stream: TcpStream) -> io::Result<TcpWire> {
        let poll = Poll::new()?;
        poll.registry().register(
            &mut stream,
            Token(0),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        Ok(TcpWire {
            stream,
            poll,
            events: Events::with_capacity(4),
        })
    }

    /// The socket.
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// The registry of the poll this wire waits on: a `mio::Waker`
    /// registered there ends a [`Wire::wait`] early (a WebSocket woken by
    /// another thread).
    pub fn registry(&self) -> &mio::Registry {
        self.poll.registry()
    }

    /// Closes at once with a RST (linger 0).
    pub fn abort(self) {
        let _ = SockRef::from(&self.stream).set_linger(Some(Duration::ZERO));
    }
}

impl Read for TcpWire {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.read(buf)
    }
}

impl Write for TcpWire {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Wire for TcpWire {
    fn wait(&mut self, deadline: Instant) -> io::Result<()> {
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(timed_out());
            }
            match self.poll.poll(&mut self.events, Some(deadline - now)) {
                Ok(()) if self.events.is_empty() => {}
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}
