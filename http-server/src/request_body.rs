//! A streamed request body: the bounded pipe between a connection on its
//! loop thread (the writer) and a handler on the pool (the reader).
//!
//! ```text
//!  socket -> ReadBuf -> BodyDecoder --fill--> Pipe (at most PIPE_CAPACITY unread) --read--> handler
//!                 ^                                |
//!                 +---- Msg::Wake (the handler drained it, or began reading) ----+
//! ```
//!
//! The loop feeds the pipe only while it has room; when it is full the
//! loop stops reading the socket (the client's TCP window closes) and
//! marks itself waiting, under the same lock the reader drains under, so
//! the reader's wake-up cannot be missed. The reader blocks on a condition
//! variable; every way the connection ends (body complete, deadline, EOF,
//! close) ends the pipe, so a read never hangs.

use crate::pool::{Msg, Reply};
use brisk_core::Headers;
use std::io::{self, Read};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Unread body bytes held at most per request (bytes).
pub(crate) const PIPE_CAPACITY: usize = 256 << 10;
/// A waiting loop is woken once the unread bytes fall to this (bytes).
const RESUME_AT: usize = PIPE_CAPACITY / 2;

/// How the body ended, for the reader.
#[derive(Debug, Clone)]
enum End {
    Complete,
    Failed(io::ErrorKind, &'static str),
}

#[derive(Debug, Default)]
struct Inner {
    /// Unread bytes are `buf[start..]`.
    buf: Vec<u8>,
    start: usize,
    end: Option<End>,
    /// The handler has called `read` at least once.
    reading: bool,
    /// The loop stopped feeding on a full pipe and wants a wake-up.
    loop_waits: bool,
    /// The reader sleeps on the condition variable (else no notify).
    reader_waits: bool,
    trailers: Headers,
}

impl Inner {
    fn unread(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Moves the unread bytes to the front when that is cheap (no more
    /// unread bytes than consumed ones), so the buffer stays bounded.
    fn compact(&mut self) {
        if self.start == 0 {
            return;
        }
        if self.unread() <= self.start {
            self.buf.copy_within(self.start.., 0);
            self.buf.truncate(self.unread());
            self.start = 0;
        }
    }
}

/// The shared half of a pipe.
#[derive(Debug)]
pub(crate) struct Pipe {
    inner: Mutex<Inner>,
    ready: Condvar,
    token: usize,
    reply: Reply,
}

impl Pipe {
    /// A pipe for the connection behind `token`, whose worker `reply` wakes.
    pub(crate) fn new(token: usize, reply: Reply) -> (PipeWriter, Arc<Pipe>) {
        let pipe = Arc::new(Pipe {
            inner: Mutex::new(Inner::default()),
            ready: Condvar::new(),
            token,
            reply,
        });
        (PipeWriter(Arc::clone(&pipe)), pipe)
    }

    /// The lock, also after a panic elsewhere (the state stays consistent:
    /// every update is a few plain assignments).
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wake_loop(&self) {
        if self.reply.tx.send(Msg::Wake(self.token)).is_ok() {
            if let Err(e) = self.reply.waker.wake() {
                log::warn!("waking a worker failed: {e}");
            }
        }
    }

    /// The handler's read: blocks until bytes, the end, or a failure.
    fn read(&self, out: &mut [u8]) -> io::Result<usize> {
        let mut inner = self.lock();
        let mut wake = false;
        if !inner.reading {
            // The first read: the loop may owe `100 Continue`.
            inner.reading = true;
            wake = true;
        }
        let result = loop {
            if inner.unread() > 0 || out.is_empty() {
                let n = inner.unread().min(out.len());
                let start = inner.start;
                out[..n].copy_from_slice(&inner.buf[start..start + n]);
                inner.start += n;
                if inner.loop_waits && inner.unread() <= RESUME_AT {
                    inner.loop_waits = false;
                    wake = true;
                }
                break Ok(n);
            }
            match &inner.end {
                Some(End::Complete) => break Ok(0),
                Some(End::Failed(kind, why)) => break Err(io::Error::new(*kind, *why)),
                None => {}
            }
            if wake {
                // Wake the loop before sleeping: it may be waiting for us.
                drop(inner);
                self.wake_loop();
                wake = false;
                inner = self.lock();
                continue;
            }
            inner.reader_waits = true;
            inner = self
                .ready
                .wait(inner)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            inner.reader_waits = false;
        };
        drop(inner);
        if wake {
            self.wake_loop();
        }
        result
    }
}

/// The loop's half: ends the pipe when dropped, so that a connection that
/// goes away for any reason never leaves its handler waiting.
#[derive(Debug)]
pub(crate) struct PipeWriter(Arc<Pipe>);

impl PipeWriter {
    /// Room for more body bytes now; with none, the loop is marked waiting
    /// and the reader wakes it once it has drained the pipe.
    pub(crate) fn room(&self) -> usize {
        let mut inner = self.0.lock();
        let room = PIPE_CAPACITY.saturating_sub(inner.unread());
        if room == 0 {
            inner.loop_waits = true;
        }
        room
    }

    /// Whether the handler has begun reading.
    pub(crate) fn reading(&self) -> bool {
        self.0.lock().reading
    }

    /// Appends body bytes with `f` (which gets the buffer to append to)
    /// and wakes the reader.
    pub(crate) fn fill<R>(&self, f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        let mut inner = self.0.lock();
        inner.compact();
        let out = f(&mut inner.buf);
        let notify = inner.reader_waits && inner.unread() > 0;
        drop(inner);
        if notify {
            self.0.ready.notify_all();
        }
        out
    }

    /// The body is complete (with its trailer fields, if chunked).
    pub(crate) fn finish(&self, trailers: Headers) {
        self.end(End::Complete, Some(trailers));
    }

    /// The body will not complete: the reader's next read fails with `kind`.
    pub(crate) fn fail(&self, kind: io::ErrorKind, why: &'static str) {
        self.end(End::Failed(kind, why), None);
    }

    fn end(&self, end: End, trailers: Option<Headers>) {
        let mut inner = self.0.lock();
        if inner.end.is_none() {
            inner.end = Some(end);
            if let Some(t) = trailers {
                inner.trailers = t;
            }
        }
        drop(inner);
        self.0.ready.notify_all();
    }
}

impl Drop for PipeWriter {
    fn drop(&mut self) {
        self.fail(
            io::ErrorKind::ConnectionAborted,
            "the connection closed before the request body ended",
        );
    }
}

/// A request body as a blocking [`Read`], from [`crate::Request::body_reader`].
///
/// For a streamed body (see [`crate::Handler::streams_body`]) each read
/// waits for bytes from the client; it fails with
/// [`io::ErrorKind::TimedOut`] when the client sends nothing for the
/// server's body timeout, [`io::ErrorKind::UnexpectedEof`] when the client
/// closes mid-body, and another error when the connection ends for any
/// other reason. A buffered body reads from memory.
#[derive(Debug)]
pub struct BodyReader<'a> {
    source: Source<'a>,
}

#[derive(Debug)]
enum Source<'a> {
    Bytes(&'a [u8]),
    Stream(&'a Pipe),
}

impl<'a> BodyReader<'a> {
    pub(crate) fn bytes(bytes: &'a [u8]) -> BodyReader<'a> {
        BodyReader {
            source: Source::Bytes(bytes),
        }
    }

    pub(crate) fn stream(pipe: &'a Pipe) -> BodyReader<'a> {
        BodyReader {
            source: Source::Stream(pipe),
        }
    }
}

impl Read for BodyReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match &mut self.source {
            Source::Bytes(bytes) => bytes.read(out),
            Source::Stream(pipe) => pipe.read(out),
        }
    }
}

/// The trailer fields of a streamed chunked body, once it has ended.
pub(crate) fn trailers(pipe: &Pipe) -> Option<Headers> {
    let inner = pipe.lock();
    matches!(inner.end, Some(End::Complete)).then(|| inner.trailers.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::thread;

    fn pipe() -> (PipeWriter, Arc<Pipe>, mpsc::Receiver<Msg>) {
        let poll = mio::Poll::new().expect("poll"); // ok: test setup
        let waker = mio::Waker::new(poll.registry(), mio::Token(0)).expect("waker"); // ok: test setup
        let (tx, rx) = mpsc::channel();
        let (w, p) = Pipe::new(
            7,
            Reply {
                tx,
                waker: Arc::new(waker),
            },
        );
        (w, p, rx)
    }

    #[test]
    fn bytes_flow_and_a_full_pipe_wakes_the_loop_once_drained() {
        let (w, p, rx) = pipe();
        w.fill(|b| b.extend_from_slice(&vec![1u8; PIPE_CAPACITY]));
        assert_eq!(w.room(), 0, "full");
        let reader = thread::spawn(move || {
            let mut all = Vec::new();
            BodyReader::stream(&p).read_to_end(&mut all).map(|_| all)
        });
        // The first read and the drain each send a wake-up.
        let first = rx.recv().expect("wake");
        assert!(matches!(first, Msg::Wake(7)));
        let _ = rx.recv().expect("wake after draining");
        assert!(w.reading());
        w.fill(|b| b.extend_from_slice(b"tail"));
        w.finish(Headers::new());
        let all = reader.join().expect("reader").expect("read");
        assert_eq!(all.len(), PIPE_CAPACITY + 4);
    }

    #[test]
    fn a_dropped_writer_fails_the_reader() {
        let (w, p, _rx) = pipe();
        w.fill(|b| b.extend_from_slice(b"ab"));
        drop(w);
        let mut r = BodyReader::stream(&p);
        let mut buf = [0u8; 8];
        assert_eq!(r.read(&mut buf).expect("buffered bytes first"), 2);
        let err = r.read(&mut buf).expect_err("then the failure");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionAborted);
        assert!(trailers(&p).is_none());
    }

    #[test]
    fn a_timeout_is_reported_as_such() {
        let (w, p, _rx) = pipe();
        w.fail(
            io::ErrorKind::TimedOut,
            "no body bytes for the body timeout",
        );
        let err = BodyReader::stream(&p)
            .read(&mut [0u8; 4])
            .expect_err("fails");
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }
}
