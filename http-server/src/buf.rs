//! Connection buffers, HTTP-agnostic.
//!
//! - [`ReadBuf`] starts empty, is allocated on the first read, grows by
//!   doubling only while a message needs it, and is released when the
//!   connection goes idle: an idle keep-alive connection holds no buffer.
//! - [`WriteQueue`] keeps byte chunks, file regions and streams in order,
//!   gathers consecutive byte chunks into one vectored write, sends file
//!   regions with the transport's `sendfile` in bounded slices (or, when
//!   the transport has none, reads them into one reused buffer of at most
//!   [`FILE_SLICE_BYTES`] and writes that), and reports how much memory it
//!   holds so the owner can apply backpressure above a high-water mark.
//!   All writing goes through a [`Transport`]; the queue never sees a
//!   socket.
//!
//! I/O outcomes are the three of `read(2)`/`write(2)` plus the errors:
//! bytes moved, peer closed (`Ok(0)` on read), would block. `EINTR` is
//! retried here and never surfaces.

use crate::transport::Transport;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, IoSlice};
use std::os::unix::fs::FileExt;
use std::sync::Arc;

/// First allocation of a read buffer (nginx: `client_header_buffer_size 1k`).
pub(crate) const READ_BUF_INITIAL: usize = 1024;
/// Largest slice handed to one `sendfile(2)` call (nginx caps at 2 MiB), so
/// one transfer cannot hog a worker.
pub(crate) const SENDFILE_MAX_BYTES: usize = 2 << 20;
/// Largest slice of a file read into memory at once when the transport
/// cannot send files itself. The slice buffer is not counted in
/// `mem_bytes`: like the region itself (counted in `pending_bodies`), it
/// is bounded per connection, and it is freed with the queue's reset.
pub(crate) const FILE_SLICE_BYTES: usize = 64 << 10;
/// Byte chunks up to this size are appended to the previous chunk, so that
/// pipelined responses leave in one buffer.
const COALESCE_MAX_BYTES: usize = 16 << 10;
/// A spare write buffer up to this capacity is kept for the next response.
const SPARE_MAX_BYTES: usize = 64 << 10;
/// Slices per `sendmsg`.
const MAX_IOVECS: usize = 64;
/// Bytes written per `flush` call before yielding to other connections.
pub(crate) const FLUSH_BUDGET_BYTES: usize = 4 << 20;
/// Pulls of body streams per `flush` call, whatever they yield: a pull is
/// the producer's work (compressing a 64 KiB slice, reading a file), which
/// the bytes it yields understate. Without this bound, on a socket that
/// never fills (loopback) one compressed 10 MiB download was produced in a
/// single turn and small requests on other connections waited a second
/// for it (p99 756-1230 ms; 51-73 ms with four pulls per turn, the same
/// download throughput).
pub(crate) const STREAM_PULLS_PER_FLUSH: usize = 4;

/// What one read attempt did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ReadOutcome {
    /// `n > 0` bytes were appended; `short` when they did not fill the room
    /// offered, i.e. the socket was drained at that moment.
    Data { n: usize, short: bool },
    /// The peer closed its sending side.
    Eof,
    /// Nothing to read now.
    WouldBlock,
    /// The buffer reached `limit` unconsumed bytes; nothing was read.
    Full,
}

#[derive(Debug, Default)]
pub(crate) struct ReadBuf {
    /// Initialised storage; `data.len()` is the allocated size.
    data: Vec<u8>,
    start: usize,
    end: usize,
}

impl ReadBuf {
    pub(crate) fn new() -> ReadBuf {
        ReadBuf::default()
    }

    /// The bytes read and not yet consumed.
    pub(crate) fn filled(&self) -> &[u8] {
        &self.data[self.start..self.end]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub(crate) fn len(&self) -> usize {
        self.end - self.start
    }

    pub(crate) fn capacity(&self) -> usize {
        self.data.len()
    }

    /// Grows the storage to `n` bytes at once (a buffer that is always
    /// drained would otherwise never grow past its first size).
    pub(crate) fn grow_to(&mut self, n: usize) {
        if self.data.len() < n {
            self.data.resize(n, 0);
        }
    }

    /// Marks `n` bytes as used.
    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Reads once with `read` (a transport's read), keeping at most `limit`
    /// unconsumed bytes.
    pub(crate) fn read_from(
        &mut self,
        mut read: impl FnMut(&mut [u8]) -> io::Result<usize>,
        limit: usize,
    ) -> io::Result<ReadOutcome> {
        if self.end == self.data.len() {
            if self.start > 0 {
                self.data.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else if self.data.len() >= limit {
                return Ok(ReadOutcome::Full);
            } else {
                let grown = (self.data.len() * 2).clamp(READ_BUF_INITIAL, limit.max(1));
                self.data.resize(grown, 0);
            }
        }
        let room = (self.data.len() - self.end).min(limit.saturating_sub(self.len()));
        if room == 0 {
            return Ok(ReadOutcome::Full);
        }
        loop {
            match read(&mut self.data[self.end..self.end + room]) {
                Ok(0) => return Ok(ReadOutcome::Eof),
                Ok(n) => {
                    self.end += n;
                    return Ok(ReadOutcome::Data { n, short: n < room });
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return Ok(ReadOutcome::WouldBlock)
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

/// A streamed body: pulled lazily while the socket takes data, each piece
/// framed by `frame` (e.g. as a chunk); `trailer` follows the last piece.
pub(crate) struct Stream {
    pub(crate) iter: Box<dyn Iterator<Item = io::Result<Vec<u8>>> + Send>,
    pub(crate) frame: fn(&[u8], &mut Vec<u8>),
    pub(crate) trailer: &'static [u8],
}

enum Item {
    Bytes {
        data: Vec<u8>,
        pos: usize,
    },
    File {
        file: Arc<File>,
        offset: u64,
        end: u64,
    },
    Stream(Stream),
    /// A caller's marker (end of a message); reported when passed.
    Mark,
}

/// What a flush achieved.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FlushOutcome {
    /// Everything queued reached the kernel.
    Drained,
    /// The socket is full: wait for writable.
    WouldBlock,
    /// The per-call budget is used up; the socket may take more.
    Budget,
}

#[derive(Default)]
pub(crate) struct WriteQueue {
    items: VecDeque<Item>,
    /// Bytes held in memory (byte chunks not yet written).
    mem_bytes: usize,
    /// File regions and streams in the queue.
    pending_bodies: usize,
    /// Bytes written since the queue was created.
    sent_total: u64,
    spare: Option<Vec<u8>>,
    /// File bytes read but not yet written, for transports without
    /// sendfile: `slice[slice_pos..]` are the bytes at the front file
    /// region's `offset`.
    slice: Vec<u8>,
    slice_pos: usize,
}

impl WriteQueue {
    pub(crate) fn new() -> WriteQueue {
        WriteQueue::default()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub(crate) fn mem_bytes(&self) -> usize {
        self.mem_bytes
    }

    pub(crate) fn pending_bodies(&self) -> usize {
        self.pending_bodies
    }

    pub(crate) fn sent_total(&self) -> u64 {
        self.sent_total
    }

    /// Forgets the totals of an empty queue and drops a spare buffer
    /// larger than 4 KiB, or, when `roomy`, larger than two chunks, for
    /// reuse by another connection (a busy pipelining one would otherwise
    /// grow a new buffer, reallocating it step by step, for every batch).
    pub(crate) fn reset(&mut self, roomy: bool) {
        debug_assert!(self.items.is_empty());
        self.mem_bytes = 0;
        self.pending_bodies = 0;
        self.sent_total = 0;
        let keep = if roomy { 2 * COALESCE_MAX_BYTES } else { 4096 };
        if self.spare.as_ref().is_some_and(|s| s.capacity() > keep) {
            self.spare = None;
        }
        self.slice = Vec::new();
        self.slice_pos = 0;
    }

    /// A buffer to encode the next message into; give it back with
    /// [`WriteQueue::push_vec`].
    pub(crate) fn take_buf(&mut self) -> Vec<u8> {
        if let Some(Item::Bytes { data, pos }) = self.items.back_mut() {
            if *pos == 0 && data.len() < COALESCE_MAX_BYTES {
                // Keep appending to the tail chunk: taken out, pushed back.
                self.mem_bytes -= data.len();
                let taken = std::mem::take(data);
                self.items.pop_back();
                return taken;
            }
        }
        self.spare.take().unwrap_or_default()
    }

    /// Appends the bytes `write` adds to the queue: what [`WriteQueue::take_buf`],
    /// writing into its buffer and [`WriteQueue::push_vec`] do, but the
    /// tail chunk it would take is written in place, not moved out of the
    /// queue and back (the common case when responses are pipelined).
    /// `hint` is about how many bytes `write` adds: the tail chunk is
    /// written to only while that keeps it within [`COALESCE_MAX_BYTES`],
    /// and a new chunk starts with room for that much, so that pipelined
    /// responses do not grow (reallocate and copy) a buffer step by step.
    pub(crate) fn append<R>(&mut self, hint: usize, write: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        // `write` is called in one place, so that it can be inlined.
        let mut fresh = None;
        let out = match self.items.back_mut() {
            Some(Item::Bytes { data, pos: 0 }) if data.len() + hint <= COALESCE_MAX_BYTES => data,
            _ => fresh.insert(self.fresh_buf(hint)),
        };
        let before = out.len();
        let r = write(out);
        let added = out.len() - before;
        match fresh {
            // A fresh chunk follows no byte chunk it could join: queued
            // as it is, without `push_vec`'s look at the tail.
            Some(data) if added > 0 => {
                self.mem_bytes += added;
                self.items.push_back(Item::Bytes { data, pos: 0 });
            }
            Some(data) => self.spare = Some(data),
            None => self.mem_bytes += added,
        }
        r
    }

    /// The spare buffer, or a new one, with room for `hint` bytes; for a
    /// full chunk when others are queued (pipelined responses will follow).
    fn fresh_buf(&mut self, hint: usize) -> Vec<u8> {
        let mut buf = self.spare.take().unwrap_or_default();
        let room = if self.items.is_empty() {
            hint
        } else {
            hint.max(COALESCE_MAX_BYTES)
        };
        buf.reserve(room);
        buf
    }

    /// Queues bytes; small ones join the previous byte chunk.
    pub(crate) fn push_vec(&mut self, data: Vec<u8>) {
        if data.is_empty() {
            return;
        }
        self.mem_bytes += data.len();
        if let Some(Item::Bytes { data: tail, .. }) = self.items.back_mut() {
            if data.len() <= COALESCE_MAX_BYTES / 4 && tail.len() + data.len() <= COALESCE_MAX_BYTES
            {
                tail.extend_from_slice(&data);
                return;
            }
        }
        self.items.push_back(Item::Bytes { data, pos: 0 });
    }

    pub(crate) fn push_file(&mut self, file: Arc<File>, offset: u64, len: u64) {
        if len == 0 {
            return;
        }
        self.pending_bodies += 1;
        let end = offset.saturating_add(len);
        self.items.push_back(Item::File { file, offset, end });
    }

    pub(crate) fn push_stream(&mut self, stream: Stream) {
        self.pending_bodies += 1;
        self.items.push_back(Item::Stream(stream));
    }

    pub(crate) fn push_mark(&mut self) {
        self.items.push_back(Item::Mark);
    }

    /// Writes as much as the transport takes, up to [`FLUSH_BUDGET_BYTES`]
    /// and [`STREAM_PULLS_PER_FLUSH`].
    /// For each mark passed, pushes `sent_total` at that point to `marks`.
    pub(crate) fn flush(
        &mut self,
        t: &mut impl Transport,
        marks: &mut Vec<u64>,
    ) -> io::Result<FlushOutcome> {
        let mut budget = FLUSH_BUDGET_BYTES;
        let mut pulls_left = STREAM_PULLS_PER_FLUSH;
        loop {
            if budget == 0 {
                return Ok(FlushOutcome::Budget);
            }
            let Some(front) = self.items.front_mut() else {
                return Ok(FlushOutcome::Drained);
            };
            let written = match front {
                Item::Mark => {
                    self.items.pop_front();
                    marks.push(self.sent_total);
                    continue;
                }
                Item::Bytes { .. } => self.write_bytes(t),
                Item::File { file, offset, end } => {
                    let slice = FileSlice {
                        buf: &mut self.slice,
                        pos: &mut self.slice_pos,
                    };
                    let sent = send_region(t, file, offset, *end, budget, slice);
                    if sent.is_ok() && *offset >= *end {
                        self.items.pop_front();
                        self.pending_bodies -= 1;
                    }
                    sent
                }
                Item::Stream(_) => {
                    if pulls_left == 0 {
                        return Ok(FlushOutcome::Budget);
                    }
                    pulls_left -= 1;
                    self.pull_stream()?;
                    continue;
                }
            };
            match written {
                Ok(n) => {
                    self.sent_total += n as u64;
                    budget = budget.saturating_sub(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return Ok(FlushOutcome::WouldBlock)
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Takes the next piece of the stream at the front and queues it
    /// framed before the stream, or ends the stream with its trailer.
    fn pull_stream(&mut self) -> io::Result<()> {
        let Some(Item::Stream(stream)) = self.items.front_mut() else {
            return Ok(());
        };
        // The producer is the application's code: a panic in it ends this
        // response, not the worker.
        let next = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| stream.iter.next()))
            .unwrap_or_else(|_| Some(Err(io::Error::other("body stream panicked"))));
        match next {
            Some(Ok(piece)) => {
                if !piece.is_empty() {
                    let mut framed = self.spare.take().unwrap_or_default();
                    (stream.frame)(&piece, &mut framed);
                    self.mem_bytes += framed.len();
                    self.items.push_front(Item::Bytes {
                        data: framed,
                        pos: 0,
                    });
                }
                Ok(())
            }
            Some(Err(e)) => Err(e),
            None => {
                let trailer = stream.trailer;
                self.items.pop_front();
                self.pending_bodies -= 1;
                if !trailer.is_empty() {
                    self.mem_bytes += trailer.len();
                    self.items.push_front(Item::Bytes {
                        data: trailer.to_vec(),
                        pos: 0,
                    });
                }
                Ok(())
            }
        }
    }

    /// One `sendmsg` over the leading byte chunks; pops what was written.
    /// When a file region comes right after them (a head before its file
    /// body), they go with `MSG_MORE`, so that the head shares its segments
    /// with the file's first bytes instead of leaving as a small one.
    fn write_bytes(&mut self, t: &mut impl Transport) -> io::Result<usize> {
        let mut n = match (self.items.front(), self.items.get(1)) {
            // One chunk (the common case: responses share the tail chunk):
            // a plain write, without building an iovec array.
            (Some(Item::Bytes { data, pos }), next)
                if !matches!(next, Some(Item::Bytes { .. })) =>
            {
                t.write(&data[*pos..], matches!(next, Some(Item::File { .. })))?
            }
            _ => self.write_gathered(t)?,
        };
        let written = n;
        self.mem_bytes -= n;
        while n > 0 {
            let Some(Item::Bytes { data, pos }) = self.items.front_mut() else {
                break;
            };
            let left = data.len() - *pos;
            if n < left {
                *pos += n;
                break;
            }
            n -= left;
            if let Some(Item::Bytes { mut data, .. }) = self.items.pop_front() {
                if data.capacity() <= SPARE_MAX_BYTES && self.spare.is_none() {
                    data.clear();
                    self.spare = Some(data);
                }
            }
        }
        Ok(written)
    }

    /// One vectored write of the leading byte chunks (up to
    /// [`MAX_IOVECS`]), with `MSG_MORE` when a file region follows them.
    fn write_gathered(&self, t: &mut impl Transport) -> io::Result<usize> {
        let mut slices: [IoSlice<'_>; MAX_IOVECS] = [IoSlice::new(&[]); MAX_IOVECS];
        let mut count = 0;
        let mut file_next = false;
        for item in self.items.iter() {
            let Item::Bytes { data, pos } = item else {
                file_next = matches!(item, Item::File { .. });
                break;
            };
            if count == MAX_IOVECS {
                break;
            }
            slices[count] = IoSlice::new(&data[*pos..]);
            count += 1;
        }
        match &slices[..count] {
            [one] => t.write(one, file_next),
            many => t.write_vectored(many, file_next),
        }
    }
}

/// Sends the next slice of a file region (`*offset..end`): with the
/// transport's sendfile when it has one, else through `slice`.
fn send_region(
    t: &mut impl Transport,
    file: &File,
    offset: &mut u64,
    end: u64,
    budget: usize,
    slice: FileSlice<'_>,
) -> io::Result<usize> {
    let left = end - *offset;
    let want = left.min(SENDFILE_MAX_BYTES as u64).min(budget as u64) as usize;
    let sent = match t.send_file(file, offset, want) {
        Some(sent) => sent,
        None => slice.write(t, file, offset, left, budget),
    };
    match sent {
        Ok(0) => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "file shorter than its region",
        )),
        other => other,
    }
}

/// The read-and-write path for a file region, for transports without
/// sendfile: one slice of the file in a reused buffer, written as the
/// transport takes it. Bytes in the buffer are always those at `*offset`,
/// which advances by what was written, never by what was read.
struct FileSlice<'a> {
    buf: &'a mut Vec<u8>,
    pos: &'a mut usize,
}

impl FileSlice<'_> {
    /// Writes from the region at `*offset` (`left` bytes remain in it),
    /// reading its next slice first when the buffer is used up.
    fn write(
        self,
        t: &mut impl Transport,
        file: &File,
        offset: &mut u64,
        left: u64,
        budget: usize,
    ) -> io::Result<usize> {
        if *self.pos >= self.buf.len() {
            let want = left.min(FILE_SLICE_BYTES as u64).min(budget as u64) as usize;
            self.buf.resize(want, 0);
            *self.pos = 0;
            let n = loop {
                match file.read_at(self.buf, *offset) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            self.buf.truncate(n);
            if n == 0 {
                return Ok(0);
            }
        }
        let more = left > (self.buf.len() - *self.pos) as u64;
        let n = t.write(&self.buf[*self.pos..], more)?;
        *self.pos += n;
        *offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests;
