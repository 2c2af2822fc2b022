//! The byte buffers a TLS session owns (ciphertext in, ciphertext out,
//! plaintext the caller had no room for), lent by a per-worker pool so
//! that an idle session holds none.
//!
//! A [`TlsBuf`] is a window `start..end` of filled bytes in a storage
//! `Vec`. Storage comes from the pool of the thread that needs it (each
//! worker is one thread, and the transport is given no worker context, so
//! the pool is thread-local) and goes back when the window is empty and
//! the connection idles ([`TlsBuf::release`]): a keep-alive connection
//! waiting for its next request holds no buffer, and the next readiness
//! takes one again without a `malloc`.

use std::cell::RefCell;
use std::io;

/// The storage every buffer starts with: one TLS record of any kind
/// (2^14 bytes of plaintext, up to 2,048 of expansion in TLS 1.2, the
/// 5-byte header), so that a whole record always fits.
pub(super) const RECORD_BYTES: usize = (1 << 14) + 2048 + 5;
/// Storage a worker keeps for later sessions; more is freed. Sessions
/// busy at once take two each (ciphertext in and out).
const POOL_BUFFERS: usize = 64;

thread_local! {
    /// Released storage of this worker, every one `RECORD_BYTES` long.
    static POOL: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// Filled bytes `start..end` of `bytes`; no storage until first used.
#[derive(Default)]
pub(super) struct TlsBuf {
    bytes: Vec<u8>,
    start: usize,
    end: usize,
}

impl TlsBuf {
    pub(super) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub(super) fn len(&self) -> usize {
        self.end - self.start
    }

    /// The filled bytes.
    pub(super) fn filled_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[self.start..self.end]
    }

    /// Drops `n` filled bytes from the front.
    pub(super) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Room after the filled bytes, at least `want` (less when that would
    /// pass `max_filled`): storage taken from the pool, the filled bytes
    /// moved to the front, the storage doubled. An error when the filled
    /// bytes alone reach `max_filled`.
    pub(super) fn spare(&mut self, want: usize, max_filled: usize) -> io::Result<&mut [u8]> {
        if self.len() >= max_filled {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a TLS message larger than this server accepts",
            ));
        }
        if self.bytes.is_empty() {
            self.bytes = take_storage();
        }
        if self.bytes.len() - self.end < want && self.start > 0 {
            self.bytes.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let need = (self.end + want).min(max_filled);
        if self.bytes.len() < need {
            let doubled = (self.bytes.len() * 2).min(max_filled);
            self.bytes.resize(need.max(doubled), 0);
        }
        Ok(&mut self.bytes[self.end..])
    }

    /// Marks `n` bytes of the last [`TlsBuf::spare`] as filled.
    pub(super) fn commit(&mut self, n: usize) {
        self.end = (self.end + n).min(self.bytes.len());
    }

    /// Appends `data`.
    pub(super) fn extend(&mut self, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        if let Ok(room) = self.spare(data.len(), usize::MAX) {
            room[..data.len()].copy_from_slice(data);
            self.commit(data.len());
        }
    }

    /// Moves filled bytes into `out`; how many.
    pub(super) fn take_into(&mut self, out: &mut [u8]) -> usize {
        let n = self.len().min(out.len());
        out[..n].copy_from_slice(&self.bytes[self.start..self.start + n]);
        self.consume(n);
        n
    }

    /// Whether the buffer holds storage (tests of what an idle session
    /// keeps).
    #[cfg(test)]
    pub(super) fn has_storage(&self) -> bool {
        self.bytes.capacity() > 0
    }

    /// Gives the storage back to the pool when nothing is filled (storage
    /// grown past one record is freed instead, so the pool stays small).
    pub(super) fn release(&mut self) {
        if self.is_empty() && !self.bytes.is_empty() {
            put_storage(std::mem::take(&mut self.bytes));
        }
    }
}

impl Drop for TlsBuf {
    fn drop(&mut self) {
        self.release();
    }
}

fn take_storage() -> Vec<u8> {
    POOL.with(|pool| pool.borrow_mut().pop())
        .unwrap_or_else(|| vec![0; RECORD_BYTES])
}

fn put_storage(bytes: Vec<u8>) {
    if bytes.len() != RECORD_BYTES {
        return;
    }
    // `try_with`: a session dropped while the thread's locals are being
    // destroyed just frees its storage.
    let _ = POOL.try_with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.len() < POOL_BUFFERS {
            pool.push(bytes);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_fills_drains_and_moves_to_the_front() {
        let mut b = TlsBuf::default();
        assert!(b.is_empty());
        let room = b.spare(10, usize::MAX).unwrap();
        room[..5].copy_from_slice(b"hello");
        b.commit(5);
        assert_eq!(b.filled_mut(), b"hello");
        b.consume(2);
        assert_eq!(b.filled_mut(), b"llo");
        // Asking for the whole storage moves the filled bytes to the front.
        let room = b.spare(RECORD_BYTES - 3, usize::MAX).unwrap();
        assert_eq!(room.len(), RECORD_BYTES - 3);
        assert_eq!(b.filled_mut(), b"llo");
        let mut out = [0u8; 2];
        assert_eq!(b.take_into(&mut out), 2);
        assert_eq!(&out, b"ll");
        assert_eq!(b.len(), 1);
    }

    #[test]
    fn storage_grows_to_the_bound_and_no_further() {
        let mut b = TlsBuf::default();
        b.extend(&vec![7u8; RECORD_BYTES]);
        let room = b.spare(10, RECORD_BYTES + 50).unwrap();
        assert_eq!(room.len(), 50, "doubled, up to the bound");
        b.commit(50);
        assert!(b.spare(1, RECORD_BYTES + 50).is_err());
    }

    #[test]
    fn an_empty_buffer_gives_its_storage_back_and_a_filled_one_keeps_it() {
        let mut b = TlsBuf::default();
        b.extend(b"x");
        b.release();
        assert_eq!(b.len(), 1, "filled bytes are never dropped");
        let mut one = [0u8; 1];
        b.take_into(&mut one);
        let before = POOL.with(|p| p.borrow().len());
        b.release();
        assert_eq!(b.bytes.capacity(), 0);
        assert_eq!(POOL.with(|p| p.borrow().len()), before + 1);
    }
}
