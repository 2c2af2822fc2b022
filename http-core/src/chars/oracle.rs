//! The scans by their definitions, a byte at a time: what the vector
//! (`vector.rs`) and word-at-a-time (`swar.rs`) scans must answer, and
//! [`check_scans`], which holds them to it. Built for the unit tests and,
//! with the feature `fuzzing`, for the fuzz target `scans`
//! (`brisk_core::__fuzzing`).

use super::{is_tchar, is_value_byte, scan, swar};

/// The first offset at or after `i` whose byte meets `stop`, or
/// `buf.len()` (for `i <= buf.len()`).
fn first(buf: &[u8], i: usize, stop: impl Fn(u8) -> bool) -> usize {
    buf[i..]
        .iter()
        .position(|&b| stop(b))
        .map_or(buf.len(), |k| i + k)
}

/// The first byte that is not a `field-value` byte.
pub fn value_stop(buf: &[u8], i: usize) -> usize {
    first(buf, i, |b| !is_value_byte(b))
}

/// The first byte a request-target cannot hold: SP, a control, DEL.
pub fn target_end(buf: &[u8], i: usize) -> usize {
    first(buf, i, |b| b <= b' ' || b == 0x7F)
}

/// The first byte that is not a `tchar`.
pub fn token_end(buf: &[u8], i: usize) -> usize {
    first(buf, i, |b| !is_tchar(b))
}

/// Panics, naming the scan and the input, unless the scan in use (vector
/// on x86_64) and the word-at-a-time scan both answer as the definitions
/// do on `buf` from offset `i` (at most `buf.len()`); also checks
/// `has_line_break_or_nul` on `buf[i..]`.
pub fn check_scans(buf: &[u8], i: usize) {
    type Scan = fn(&[u8], usize) -> usize;
    let scans: [(&str, Scan, Scan, Scan); 3] = [
        ("value_stop", value_stop, scan::value_stop, swar::value_stop),
        ("target_end", target_end, scan::target_end, swar::target_end),
        ("token_end", token_end, scan::token_end, swar::token_end),
    ];
    for (name, want, fast, word) in scans {
        let want = want(buf, i);
        assert_eq!(fast(buf, i), want, "{name} from {i} of {buf:?}");
        assert_eq!(word(buf, i), want, "word {name} from {i} of {buf:?}");
    }
    let rest = &buf[i..];
    let breaks = rest.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0));
    assert_eq!(
        super::has_line_break_or_nul(rest),
        breaks,
        "has_line_break_or_nul of {rest:?}"
    );
}
