//! SSE2 classifiers of 16-byte blocks, for the head parser's scans
//! (`chars/vector.rs`): each answers, for sixteen bytes at once, which of
//! them may end a scan, as a 16-bit mask (bit `n` for byte `n`).
//!
//! Why: the scans for the end of a field value, of the request target and
//! of a field name were most of a parse's instructions (about 70% of the
//! browser fixture's, `benches/examples/prof_parse.rs` under callgrind).
//! A word-at-a-time test costs about twelve instructions per eight bytes;
//! SSE2 does sixteen in about six (a load, two or three compares, a
//! `pmovmskb`), and a line end is then one `tzcnt` away.
//!
//! Why it is sound: the one `unsafe` operation is `_mm_loadu_si128`,
//! which reads 16 bytes through a raw pointer with no alignment
//! requirement. Every load here takes the pointer of a `&[u8; 16]`, so the
//! 16 bytes it reads are exactly that array's: in bounds, initialised,
//! and borrowed shared for the duration. The other intrinsics only work
//! on registers; SSE2 is part of the x86_64 baseline, and this module is
//! compiled only when `target_feature = "sse2"` is on, so every CPU the
//! code runs on has the instructions. (They sit in the same `unsafe`
//! block as the load because older Rust, down to the crate's MSRV 1.75,
//! made register intrinsics `unsafe` to call too.)

use std::arch::x86_64::{
    __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
    _mm_set1_epi8, _mm_sub_epi8,
};

/// Bit `n` set when byte `n` is below 0x20 or is DEL (0x7F): the control
/// bytes, HTAB included, that may end a field value or a reason phrase.
#[inline(always)]
pub(crate) fn controls(block: &[u8; 16]) -> u32 {
    below_or_del(block, 0x1F)
}

/// Bit `n` set when byte `n` is below 0x21 or is DEL: what ends a
/// request-target (the space) or is not allowed in it.
#[inline(always)]
pub(crate) fn controls_or_space(block: &[u8; 16]) -> u32 {
    below_or_del(block, 0x20)
}

/// Bit `n` set when byte `n` is at most `max` or is DEL.
#[inline(always)]
fn below_or_del(block: &[u8; 16], max: u8) -> u32 {
    // SAFETY: the load reads the 16 bytes of `block` (see the module
    // comment); the rest are SSE2 register operations.
    let mask = unsafe {
        let v: __m128i = _mm_loadu_si128(block.as_ptr().cast());
        // `min(b, max) == b` is the unsigned `b <= max` SSE2 lacks.
        let low = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(max as i8)), v);
        let del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F));
        _mm_movemask_epi8(_mm_or_si128(low, del))
    };
    mask as u32
}

/// Bit `n` set when byte `n` is neither an ASCII letter nor `-`: field
/// names are mostly made of those, so the few other bytes (the colon,
/// digits, other `tchar`s) are looked at one by one.
#[inline(always)]
pub(crate) fn not_letter_or_dash(block: &[u8; 16]) -> u32 {
    // SAFETY: the load reads the 16 bytes of `block` (see the module
    // comment); the rest are SSE2 register operations.
    let mask = unsafe {
        let v: __m128i = _mm_loadu_si128(block.as_ptr().cast());
        // Setting bit 5 maps exactly the upper-case letters onto the
        // lower-case ones; then a letter is `b - 'a' <= 25`, unsigned.
        let t = _mm_sub_epi8(
            _mm_or_si128(v, _mm_set1_epi8(0x20)),
            _mm_set1_epi8(b'a' as i8),
        );
        let letter = _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(25)), t);
        let dash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'-' as i8));
        _mm_movemask_epi8(_mm_or_si128(letter, dash))
    };
    !(mask as u32) & 0xFFFF
}
