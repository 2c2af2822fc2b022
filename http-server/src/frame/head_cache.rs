//! The previous response's encoded head, kept per worker: a handler that
//! answers alike (same status, same fields, in the same second) gets its
//! status line, fields and `Date` copied in one piece instead of each
//! field checked and encoded again, and the framing fields too when they
//! are the same (same length, same keep-alive decision, same version).

use super::{Head, Tail};
use crate::response::spare;
use http_core::{Headers, StatusCode};

/// Heads longer than this are not kept (they are rare, and copying them
/// on every miss would cost more than it saves).
const KEPT_BYTES: usize = 1024;

/// The head of the last response framed on this worker, with what it was
/// made from. Its start (status line, the handler's fields as encoded,
/// minus the framing ones, and `Date`) is reused for the same status, the
/// same fields (names and values byte for byte, split alike, in order) and
/// the same `Date` text: the encoding is a function of these, so the copy
/// is the bytes the encoder would write. `Date` changes every second,
/// which ends the reuse. The rest (framing fields, `Connection`, the blank
/// line) is reused too when its [`Tail`] is the same.
#[derive(Debug, Default)]
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
    /// is usually decided by the status or the number of fields.
    #[inline]
    pub(super) fn get(&self, head: &Head<'_>, headers: &Headers) -> Option<Hit<'_>> {
        let same_start = self.status == Some(head.status)
            && self.headers.same_bytes(headers)
            && same_date(self.date.as_bytes(), head.date.as_bytes());
        if !same_start {
            return None;
        }
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
        if bytes.len() > KEPT_BYTES || headers.heap_bytes() > spare::KEPT_HEAP_BYTES {
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
