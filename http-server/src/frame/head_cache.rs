//! The previous response's encoded head start, kept per worker: a handler
//! that answers alike (same status, same fields, in the same second) gets
//! its status line, fields and `Date` copied in one piece instead of each
//! field checked and encoded again.

use crate::response::spare;
use http_core::{Headers, StatusCode};

/// Heads longer than this are not kept (they are rare, and copying them
/// on every miss would cost more than it saves).
const KEPT_BYTES: usize = 1024;

/// The status line, the handler's fields as encoded (minus the framing
/// ones) and `Date` of the last response framed on this worker, with what
/// they were made from. A hit needs the same status, the same fields
/// (names and values byte for byte, in order) and the same `Date` text:
/// the encoding is a function of these, so the copy is the bytes the
/// encoder would write. `Date` changes every second, which ends the hit.
#[derive(Debug, Default)]
pub(crate) struct HeadCache {
    /// `None` until a head is kept.
    status: Option<StatusCode>,
    headers: Headers,
    date: String,
    bytes: Vec<u8>,
    /// The fields hold `Connection: close`.
    closes: bool,
}

impl HeadCache {
    /// The kept bytes and `closes` flag when the key matches. A miss is
    /// usually decided by the status or the number of fields.
    #[inline]
    pub(super) fn get(
        &self,
        status: StatusCode,
        headers: &Headers,
        date: &str,
    ) -> Option<(&[u8], bool)> {
        let hit = self.status == Some(status)
            && self.headers.same_bytes(headers)
            && same_date(self.date.as_bytes(), date.as_bytes());
        hit.then_some((&self.bytes, self.closes))
    }

    /// Keeps `bytes`, encoded from `status`, `headers` and `date`. The
    /// cache takes `headers` as its key and leaves its previous key there,
    /// for the caller to give back (no copy of the fields).
    pub(super) fn put(
        &mut self,
        status: StatusCode,
        headers: &mut Headers,
        date: &str,
        bytes: &[u8],
        closes: bool,
    ) {
        if bytes.len() > KEPT_BYTES || headers.heap_bytes() > spare::KEPT_HEAP_BYTES {
            // The previous head stays: its key still describes it.
            return;
        }
        self.status = Some(status);
        std::mem::swap(&mut self.headers, headers);
        self.date.clear();
        self.date.push_str(date);
        self.bytes.clear();
        self.bytes.extend_from_slice(bytes);
        self.closes = closes;
    }
}

/// `a == b`, without a call to `memcmp` for the 29 bytes of an IMF-fixdate.
#[inline]
fn same_date(a: &[u8], b: &[u8]) -> bool {
    match (<&[u8; 29]>::try_from(a), <&[u8; 29]>::try_from(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
