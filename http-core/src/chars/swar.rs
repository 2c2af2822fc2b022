//! The scans of the head parser a word (eight bytes) at a time: the
//! portable path, used where there is no vector path (`vector.rs`, x86_64)
//! and, there, for buffers shorter than one vector block. Each answers
//! what its definition in `oracle.rs` answers.

use super::{is_tchar, is_value_byte, not_letter_or_dash, word_at, HI, LO};

/// Flags (in bit 7 of each byte) the bytes of a word that may be control
/// bytes: every byte below 0x20 and 0x7F, plus false alarms for 0x80..=0x9F
/// and 0xFF, which the byte-by-byte path then accepts. It computes
/// `(b + 1) mod 128 < 0x21` per byte without carries between bytes.
#[inline(always)]
fn ctl_mask(x: u64) -> u64 {
    let y = ((x & (LO * 0x7F)) + LO) & (LO * 0x7F);
    y.wrapping_sub(LO * 0x21) & !y & HI
}

/// The offset of the first byte at or after `i` that [`ctl_mask`] flags,
/// or `buf.len()`. The lowest flagged byte of a word is exact (borrows only
/// flag bytes above a true hit), so `trailing_zeros` finds it.
#[inline(always)]
fn next_ctl(buf: &[u8], mut i: usize) -> (usize, Option<u8>) {
    // The flagged byte is taken from the word in a register rather than
    // loaded again: it is on the critical path of every field line.
    let hit = |i: usize, x: u64, m: u64| {
        let shift = m.trailing_zeros() & !7;
        (i + (shift / 8) as usize, Some((x >> shift) as u8))
    };
    while let Some(w) = buf.get(i..i + 16) {
        let x = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        let a = ctl_mask(x);
        if a != 0 {
            return hit(i, x, a);
        }
        let y = u64::from_le_bytes([w[8], w[9], w[10], w[11], w[12], w[13], w[14], w[15]]);
        let b = ctl_mask(y);
        if b != 0 {
            return hit(i + 8, y, b);
        }
        i += 16;
    }
    if let Some(x) = word_at(buf, i) {
        let m = ctl_mask(x);
        if m != 0 {
            return hit(i, x, m);
        }
        i += 8;
    }
    while let Some(&b) = buf.get(i) {
        if !(0x20..0x7F).contains(&b) {
            return (i, Some(b));
        }
        i += 1;
    }
    (i, None)
}

/// The offset of the first byte at or after `i` that is not a
/// `field-value` byte (a control byte other than HTAB, or DEL), or
/// `buf.len()`: [`next_ctl`]'s candidates, with HTAB and its false alarms
/// (obs-text) passed over.
#[inline(always)]
pub(super) fn value_stop(buf: &[u8], mut i: usize) -> usize {
    loop {
        match next_ctl(buf, i) {
            (at, Some(b)) if is_value_byte(b) => i = at + 1,
            (at, _) => return at,
        }
    }
}

/// The offset of the first byte at or after `i` that cannot be part of a
/// request-target (a space ends it; controls and DEL are invalid), or
/// `buf.len()`.
#[inline]
pub(super) fn target_end(buf: &[u8], mut i: usize) -> usize {
    let mask = |x: u64| {
        // "below 0x21" catches controls and space at once; then DEL.
        let below = x.wrapping_sub(LO * 0x21) & !x & HI;
        let y = x ^ (LO * 0x7F);
        below | (y.wrapping_sub(LO) & !y & HI)
    };
    while let Some(x) = word_at(buf, i) {
        let m = mask(x);
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = buf.get(i) {
        if b <= 0x20 || b == 0x7F {
            return i;
        }
        i += 1;
    }
    i
}

/// The offset of the first non-token byte at or after `i`, or `buf.len()`.
#[inline(always)]
pub(super) fn token_end(buf: &[u8], mut i: usize) -> usize {
    loop {
        while let Some(x) = word_at(buf, i) {
            let m = not_letter_or_dash(x);
            if m != 0 {
                // The first other byte, from the register: usually the
                // colon that ends a field name.
                let shift = m.trailing_zeros() & !7;
                let at = i + (shift / 8) as usize;
                match (x >> shift) as u8 {
                    b':' => return at,
                    b if is_tchar(b) => {
                        i = at + 1;
                        continue;
                    }
                    _ => return at,
                }
            }
            i += 8;
        }
        match buf.get(i) {
            Some(&b) if is_tchar(b) => i += 1,
            Some(_) => return i,
            None => return buf.len(),
        }
    }
}
