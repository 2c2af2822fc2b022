//! The previous response's encoded head, kept per worker: a handler that
//! answers alike (same status, same fields, in the same second) gets its
//! status line, fields and `Date` copied in one piece instead of each
//! field checked and encoded again, and the framing fields too when they
//! are the same (same length, same keep-alive decision, same version).

use super::{Head, Tail};
use crate::response::spare;
use brisk_core::{Headers, StatusCode};

/// Heads longer than this are not kept (they are rare, and copying them
/// on every miss would cost more than it saves).
const KEPT_BYTES: usize = 1024;
/// After this many misses in a row, the cache rests for [`REST`]
/// responses: neither looked up nor filled, so that responses that never
/// repeat (a counter, a per-request id in a field) pay for the comparison
/// and the copy of their head only now and then.
pub(super) const MISSES_BEFORE_REST: u32 = 4;
pub(super) const REST: u32 = 60;

/// The head of the last response framed on this worker, with what it was
/// made from. Its start (status line, the handler's fields as encoded,
/// minus the framing ones, and `Date`) is reused for the same status, the
/// same fields (names and values byte for byte, split alike, in order) and
/// the same `Date` text: the encoding is a function of these, so the copy
/// is the bytes the encoder would write. `Date` changes every second,
/// which ends the reuse. The rest (framing fields, `Connection`, the blank
/// line) is reused too when its [`Tail`] is the same.
///
/// Responses unlike the previous ones make it rest for a while (see
/// [`MISSES_BEFORE_REST`]).
#[derive(Debug, Default, Clone)]
pub(crate) struct HeadCache {
    /// `None` until a head is kept.
    status: Option<StatusCode>,
    headers: Headers,
    date: String,
    /// The fields hold `Connection: close`.
    closes: bool,
    /// The head: `bytes[..start_len]` from the key above, the rest from
    /// `tail`.
    bytes: Vec<u8>,
    start_len: usize,
    tail: Option<Tail>,
    /// Misses in a row.
    misses: u32,
    /// Responses left to let pass before the next lookup.
    resting: u32,
}

/// Kept bytes that fit a head.
pub(super) struct Hit<'a> {
    /// The whole head when `whole`, else its start only.
    pub(super) bytes: &'a [u8],
    pub(super) whole: bool,
    /// The handler's fields hold `Connection: close`.
    pub(super) closes: bool,
}

impl HeadCache {
    /// What is kept of `head` (made from `headers`), if anything. A miss
    /// is usually decided by the status or the number or length of the
    /// fields.
    #[inline]
    pub(super) fn get(&mut self, head: &Head<'_>, headers: &Headers) -> Option<Hit<'_>> {
        if self.resting > 0 {
            self.resting -= 1;
            return None;
        }
        let same_start = self.status == Some(head.status)
            && self.headers.same_bytes(headers)
            && same_date(self.date.as_bytes(), head.date.as_bytes());
        if !same_start {
            self.miss();
            return None;
        }
        self.misses = 0;
        let whole = self.tail == Some(head.tail);
        let bytes = if whole {
            &self.bytes[..]
        } else {
            self.bytes.get(..self.start_len).unwrap_or_default()
        };
        Some(Hit {
            bytes,
            whole,
            closes: self.closes,
        })
    }

    /// Counts a miss; the last of a row starts a rest.
    #[cold]
    fn miss(&mut self) {
        self.misses += 1;
        if self.misses >= MISSES_BEFORE_REST {
            self.misses = 0;
            self.resting = REST;
        }
    }

    /// Keeps `bytes`, the whole `head` encoded from `headers`, of which
    /// the first `start_len` bytes come before the tail. The cache takes
    /// `headers` as its key and leaves its previous key there, for the
    /// caller to give back (no copy of the fields).
    pub(super) fn put(
        &mut self,
        head: &Head<'_>,
        headers: &mut Headers,
        closes: bool,
        bytes: &[u8],
        start_len: usize,
    ) {
        if self.resting > 0
            || bytes.len() > KEPT_BYTES
            || headers.heap_bytes() > spare::KEPT_HEAP_BYTES
        {
            // The previous head stays: its key still describes it.
            return;
        }
        self.status = Some(head.status);
        std::mem::swap(&mut self.headers, headers);
        self.date.clear();
        self.date.push_str(head.date);
        self.closes = closes;
        self.bytes.clear();
        self.bytes.extend_from_slice(bytes);
        self.start_len = start_len;
        self.tail = Some(head.tail);
    }

    /// Replaces the kept tail with `bytes`, encoded for `tail` behind the
    /// kept start.
    pub(super) fn put_tail(&mut self, tail: Tail, bytes: &[u8]) {
        self.bytes.truncate(self.start_len);
        self.bytes.extend_from_slice(bytes);
        self.tail = Some(tail);
    }
}

/// `a == b`, without a call to `memcmp` for the 29 bytes of an
/// IMF-fixdate: two overlapping 16-byte words.
#[inline]
fn same_date(a: &[u8], b: &[u8]) -> bool {
    const LEN: usize = 29;
    if a.len() != LEN || b.len() != LEN {
        return a == b;
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 16];
        w.copy_from_slice(&s[at..at + 16]);
        u128::from_ne_bytes(w)
    };
    word(a, 0) == word(b, 0) && word(a, LEN - 16) == word(b, LEN - 16)
}
