//! The scans of the head parser sixteen bytes at a time, with the SSE2
//! classifiers of `ascii/sse2.rs` (x86_64, where SSE2 is always there):
//! one block is usually a whole field name or a whole short value.
//!
//! A scan never reads past the buffer: it takes 16-byte blocks while 16
//! bytes remain, then the buffer's last 16 bytes once more with the bytes
//! it has seen masked off; a buffer shorter than 16 bytes goes to the
//! word-at-a-time scan (`swar.rs`). Each scan answers what its definition
//! in `oracle.rs` answers.

use super::{is_tchar, swar};
use crate::ascii::sse2;

/// The 16 bytes at `i`, if there are 16.
#[inline(always)]
fn block_at(buf: &[u8], i: usize) -> Option<&[u8; 16]> {
    buf.get(i..i + 16)?.try_into().ok()
}

/// The offset of the first byte at or after `i` (at most `buf.len()`)
/// that ends the scan, or `buf.len()`. `flag` marks the bytes of a block
/// that may end it (bit `n` for byte `n`); `stops` decides on each marked
/// byte, lowest first; `short` scans a buffer shorter than one block.
#[inline(always)]
fn scan(
    buf: &[u8],
    mut i: usize,
    flag: impl Fn(&[u8; 16]) -> u32,
    stops: impl Fn(u8) -> bool,
    short: impl FnOnce(&[u8], usize) -> usize,
) -> usize {
    let Some(last) = buf.len().checked_sub(16) else {
        return short(buf, i);
    };
    // `i <= last` is the one bound test per block (no overflow test).
    while i <= last {
        let Some(block) = block_at(buf, i) else {
            return buf.len(); // ok: unreachable, `i + 16 <= buf.len()`
        };
        if let Some(k) = first_stop(block, flag(block), &stops) {
            return i + k;
        }
        i += 16;
    }
    if i >= buf.len() {
        return i;
    }
    // Fewer than 16 bytes left: the last block again, without the bytes
    // before `i` (which the loop saw; `i > last`).
    let Some(block) = block_at(buf, last) else {
        return buf.len(); // ok: unreachable, `last + 16 == buf.len()`
    };
    let seen = i - last;
    match first_stop(block, flag(block) >> seen << seen, &stops) {
        Some(k) => last + k,
        None => buf.len(),
    }
}

/// The index of the lowest byte of `block` marked in `mask` that `stops`.
#[inline(always)]
fn first_stop(block: &[u8; 16], mut mask: u32, stops: impl Fn(u8) -> bool) -> Option<usize> {
    while mask != 0 {
        let k = mask.trailing_zeros() as usize;
        // `& 15` keeps the index visibly in bounds (masks have 16 bits).
        if stops(block[k & 15]) {
            return Some(k);
        }
        mask &= mask - 1;
    }
    None
}

/// The offset of the first byte at or after `i` that is not a
/// `field-value` byte (a control byte other than HTAB, or DEL), or
/// `buf.len()`.
#[inline(always)]
pub(super) fn value_stop(buf: &[u8], i: usize) -> usize {
    // The marks are exact controls and DEL: only HTAB goes on.
    scan(buf, i, sse2::controls, |b| b != b'\t', swar::value_stop)
}

/// The offset of the first byte at or after `i` that cannot be part of a
/// request-target (a space ends it; controls and DEL are invalid), or
/// `buf.len()`.
#[inline(always)]
pub(super) fn target_end(buf: &[u8], i: usize) -> usize {
    scan(buf, i, sse2::controls_or_space, |_| true, swar::target_end)
}

/// The offset of the first non-token byte at or after `i`, or `buf.len()`.
#[inline(always)]
pub(super) fn token_end(buf: &[u8], i: usize) -> usize {
    // Mostly the colon after a field name, tested before the table.
    scan(
        buf,
        i,
        sse2::not_letter_or_dash,
        |b| b == b':' || !is_tchar(b),
        swar::token_end,
    )
}
