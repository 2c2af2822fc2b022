//! A connection's buffers ([`Io`]) and the per-worker cache of idle ones.
//!
//! A connection holds an `Io` only while it has work: a connection going
//! idle returns its buffers to the worker's [`IoCache`] and the next busy
//! one takes them, so the request cycle of a keep-alive connection
//! allocates nothing, while idle connections hold no buffers. The cache is
//! bounded: at most [`IO_CACHE_MAX`] entries, each with a small read
//! buffer.

use super::report::Pending;
use crate::buf::{ReadBuf, WriteQueue};
use crate::request::Request;
use brisk_core::{Limits, RequestParser};
use std::collections::VecDeque;
use std::time::Instant;

/// Spare `Io`s kept per worker.
const IO_CACHE_MAX: usize = 256;
/// Larger read buffers are freed rather than cached (bytes).
const IO_CACHE_MAX_READ_BUF: usize = 4 << 10;
/// The first this many cached `Io`s keep a write buffer big enough for a
/// batch of pipelined responses; the others keep small ones (at most
/// 8 x 32 KiB per worker).
const IO_CACHE_ROOMY: usize = 8;
/// A spare request whose head buffers grew past this is dropped (bytes).
pub(super) const SPARE_HEAD_MAX_BYTES: usize = 4 << 10;

/// Per-worker spare `Io`s.
// Boxes on purpose: a connection holds its `Io` boxed (so idle ones stay
// small), and handing the box over moves a pointer, not the struct.
#[allow(clippy::vec_box)]
#[derive(Default)]
pub(crate) struct IoCache(Vec<Box<Io>>);

impl IoCache {
    /// A cached `Io`, or a new one with `limits`.
    pub(super) fn take(&mut self, limits: Limits) -> Box<Io> {
        self.0.pop().unwrap_or_else(|| Box::new(Io::new(limits)))
    }

    /// Keeps a quiet, small `Io` for the next busy connection (others are
    /// dropped).
    pub(super) fn put(&mut self, mut io: Box<Io>) {
        if self.0.len() >= IO_CACHE_MAX
            || io.rbuf.capacity() > IO_CACHE_MAX_READ_BUF
            || !io.is_quiet()
        {
            return;
        }
        io.wq.reset(self.0.len() < IO_CACHE_ROOMY);
        io.parser.reset();
        io.head_started = None;
        io.last_mark = 0;
        self.0.push(io);
    }
}

/// Buffers and per-request progress: present while the connection has
/// work (functions that need them take `&mut Io`), freed when it goes
/// idle, so that an idle keep-alive connection costs only the small
/// `Conn` itself.
pub(crate) struct Io {
    pub(super) rbuf: ReadBuf,
    pub(super) wq: WriteQueue,
    pub(super) parser: RequestParser,
    pub(super) head_started: Option<Instant>,
    /// Completions to report, in response order.
    pub(super) pending: VecDeque<Pending>,
    /// `sent_total` at the last reported completion.
    pub(super) last_mark: u64,
    /// The last request's buffers, refilled by the next head parsed.
    pub(super) spare: Option<Box<Request>>,
}

impl Io {
    fn new(limits: Limits) -> Io {
        Io {
            rbuf: ReadBuf::new(),
            wq: WriteQueue::new(),
            parser: RequestParser::new(limits),
            head_started: None,
            pending: VecDeque::new(),
            last_mark: 0,
            spare: None,
        }
    }

    /// Nothing buffered either way and nothing to report.
    pub(super) fn is_quiet(&self) -> bool {
        self.rbuf.is_empty() && self.wq.is_empty() && self.pending.is_empty()
    }
}
