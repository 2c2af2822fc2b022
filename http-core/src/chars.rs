//! Byte classes of the HTTP grammar, as lookup tables and word-at-a-time
//! checks, and the head parser's scans over them: sixteen bytes at a time
//! with SSE2 on x86_64 (`chars/vector.rs`), a word at a time elsewhere and
//! for short buffers (`chars/swar.rs`), both held to the byte-at-a-time
//! definitions of `chars/oracle.rs` by the tests and the fuzz target
//! `scans`.

mod swar;
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod vector;

#[cfg(any(test, feature = "fuzzing"))]
pub(crate) mod oracle;

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
use swar as scan;
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use vector as scan;

/// The offset of the first byte at or after `i` that cannot be part of a
/// request-target (a space ends it; controls and DEL are invalid), or
/// `buf.len()`.
#[inline(always)]
pub(crate) fn target_end(buf: &[u8], i: usize) -> usize {
    scan::target_end(buf, i)
}

/// The offset of the first non-token byte at or after `i`, or `buf.len()`.
#[inline(always)]
pub(crate) fn token_end(buf: &[u8], i: usize) -> usize {
    scan::token_end(buf, i)
}

/// `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
///          "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA` (RFC 9110 5.6.2)
static TOKEN: [bool; 256] = alphanumeric_and(b"!#$%&'*+-.^_`|~");

/// A byte class of ASCII letters, digits and the bytes of `extra`, as
/// the grammar tables are built (`tchar` here, `reg-name` in host.rs).
pub(crate) const fn alphanumeric_and(extra: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        t[extra[i] as usize] = true;
        i += 1;
    }
    t
}

/// True for a `tchar`.
#[inline]
pub(crate) fn is_tchar(b: u8) -> bool {
    TOKEN[b as usize]
}

/// `token = 1*tchar` (RFC 9110 5.6.2): true when every byte is a `tchar`
/// and there is at least one. Header names and methods are tokens.
///
/// Names of eight bytes or more are checked a word at a time while the
/// words hold only letters and `-` (the last word overlaps the one before
/// it, so there is no byte-by-byte tail); any other name byte by byte.
#[inline]
pub fn is_token(s: &[u8]) -> bool {
    let Some(last) = s.len().checked_sub(8) else {
        return !s.is_empty() && s.iter().all(|&b| is_tchar(b));
    };
    let mut i = 0;
    loop {
        let at = i.min(last);
        match word_at(s, at) {
            Some(x) if not_letter_or_dash(x) == 0 => {}
            _ => return s.iter().all(|&b| is_tchar(b)),
        }
        if at == last {
            return true;
        }
        i += 8;
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// `field-value` bytes: `VCHAR / obs-text / SP / HTAB` (RFC 9110 5.5): no
/// control byte other than HTAB.
#[inline]
fn is_value_byte(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7F)
}

/// Reads eight bytes at `i` as a little-endian word, if there are eight.
#[inline(always)]
fn word_at(buf: &[u8], i: usize) -> Option<u64> {
    let w: &[u8; 8] = buf.get(i..i + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(*w))
}

/// How a scan over a field value (or a reason phrase) ended.
pub(crate) enum ValueEnd {
    /// The value ends at this offset, where a CRLF begins.
    Crlf(usize),
    /// The buffer ended first.
    Partial,
    /// A bare CR or LF at this offset.
    BareLineEnding,
    /// A control byte other than HTAB.
    Control,
}

/// Scans a field value starting at `i` up to its CRLF in one pass: to the
/// first byte that is not a value byte, which is then looked at alone (CR
/// must start CRLF).
#[inline(always)]
pub(crate) fn value_end(buf: &[u8], i: usize) -> ValueEnd {
    let at = scan::value_stop(buf, i);
    // The common end first, in one two-byte test.
    if is_crlf_at(buf, at) {
        return ValueEnd::Crlf(at);
    }
    match buf.get(at) {
        None => ValueEnd::Partial,
        Some(b'\r') => match buf.get(at + 1) {
            None => ValueEnd::Partial,
            Some(_) => ValueEnd::BareLineEnding,
        },
        Some(b'\n') => ValueEnd::BareLineEnding,
        Some(_) => ValueEnd::Control,
    }
}

/// Whether a CRLF starts at `at`: one length test and one two-byte
/// compare (`buf.get(at..at + 2)` also tests `at + 2` for overflow).
#[inline(always)]
pub(crate) fn is_crlf_at(buf: &[u8], at: usize) -> bool {
    buf.get(at..).is_some_and(|rest| rest.starts_with(b"\r\n"))
}

/// Whether `value` holds a CR, LF or NUL (what could split a head), found
/// with the same scan as the parser's.
#[inline]
pub(crate) fn has_line_break_or_nul(value: &[u8]) -> bool {
    let mut i = 0;
    loop {
        let at = scan::value_stop(value, i);
        match value.get(at) {
            None => return false,
            Some(b'\r' | b'\n' | 0) => return true,
            Some(_) => i = at + 1,
        }
    }
}

/// Flags (bit 7 of each byte) every byte of the word that is neither an
/// ASCII letter nor `-`, exactly: header names are mostly made of those,
/// so eight of their bytes are checked at once.
#[inline(always)]
fn not_letter_or_dash(x: u64) -> u64 {
    let y = x | (LO * 0x20); // lower-cases letters
    let t = y & (LO * 0x7F);
    let ge_a = (t + LO * 0x1F) & HI; // t >= 'a'
    let gt_z = (t + LO * 0x05) & HI; // t >  'z'
    let letter = ge_a & !gt_z & !y; // and the byte is ASCII
    let d = x ^ (LO * b'-' as u64);
    let dash = !(((d & (LO * 0x7F)) + LO * 0x7F) | d) & HI;
    !(letter | dash) & HI
}

/// Whether `name` is `lower` (a field name in lower case: letters, digits
/// and `-`) ignoring ASCII case, a word at a time: each byte of `name`
/// where `lower` has a letter gets bit 5 set (which maps exactly the
/// upper-case letter to its lower case and nothing else to it), the others
/// must match as they are.
#[inline(always)]
pub(crate) fn eq_lower_name(name: &[u8], lower: &[u8]) -> bool {
    let n = lower.len();
    if name.len() != n {
        return false;
    }
    if n < 4 {
        return name.eq_ignore_ascii_case(lower);
    }
    let fold = |x: u64, want: u64| x | letter_bits(want) == want;
    if n < 8 {
        // Two overlapping four-byte words.
        let w = |s: &[u8], at: usize| {
            s.get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map_or(0, |b| u64::from(u32::from_le_bytes(b)))
        };
        return fold(w(name, 0), w(lower, 0)) && fold(w(name, n - 4), w(lower, n - 4));
    }
    let mut i = 0;
    loop {
        let at = i.min(n - 8);
        if !fold(
            word_at(name, at).unwrap_or(0),
            word_at(lower, at).unwrap_or(0),
        ) {
            return false;
        }
        if at == n - 8 {
            return true;
        }
        i += 8;
    }
}

/// 0x20 in each byte of `x` that is a lower-case ASCII letter.
#[inline(always)]
fn letter_bits(x: u64) -> u64 {
    let t = x & (LO * 0x7F);
    let ge_a = (t + LO * (0x80 - 0x61)) & HI;
    let gt_z = (t + LO * (0x80 - 0x7B)) & HI;
    ((ge_a & !gt_z & !x) >> 2) & (LO * 0x20)
}

/// Flags (bit 7) the bytes of `x` equal to `byte`. The lowest flag is
/// exact (a borrow only flags bytes above a true hit), which is all the
/// callers look at.
#[inline(always)]
fn bytes_equal(x: u64, byte: u8) -> u64 {
    let y = x ^ (LO * u64::from(byte));
    y.wrapping_sub(LO) & !y & HI
}

/// Where the first `?` of `s` is, and whether a `%` comes before it (or
/// anywhere, without a `?`): the split of an origin-form target into
/// path and query, a word at a time.
#[inline]
pub(crate) fn query_start(s: &[u8]) -> (Option<usize>, bool) {
    let Some(last) = s.len().checked_sub(8) else {
        return query_start_bytes(s);
    };
    let mut escaped = false;
    let mut i = 0;
    loop {
        // The last word overlaps the one before it: its bytes before the
        // first `?` were seen already, without a `?` among them.
        let at = i.min(last);
        let x = word_at(s, at).unwrap_or(0);
        let (q, p) = (bytes_equal(x, b'?'), bytes_equal(x, b'%'));
        if q != 0 {
            let escaped = escaped || (p != 0 && p.trailing_zeros() < q.trailing_zeros());
            return (Some(at + (q.trailing_zeros() / 8) as usize), escaped);
        }
        escaped |= p != 0;
        if at == last {
            return (None, escaped);
        }
        i += 8;
    }
}

/// [`query_start`] a byte at a time, for strings shorter than a word.
fn query_start_bytes(s: &[u8]) -> (Option<usize>, bool) {
    let mut escaped = false;
    for (i, &b) in s.iter().enumerate() {
        match b {
            b'?' => return (Some(i), escaped),
            b'%' => escaped = true,
            _ => {}
        }
    }
    (None, escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_agree_with_their_definitions() {
        // Every byte value at every place of buffers up to three blocks
        // long (shorter than a block, whole blocks, tails that overlap the
        // block before), over fillers that each scan passes over without a
        // mark (`a`) or with one it then accepts (HTAB and obs-text in
        // values, digits and `_` in names), from starts before, inside and
        // after the first block.
        // (One filler per byte value and place, in turn, keeps this to a
        // few seconds unoptimised.)
        let fillers = [b'a', b'\t', 0x85, b'_'];
        let mut cases = 0;
        for len in 1..=40 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut buf = vec![fillers[(at + usize::from(b)) % 4]; len];
                    buf[at] = b;
                    for i in [0, 1, 17, at, at + 1] {
                        if i <= len {
                            oracle::check_scans(&buf, i);
                            cases += 1;
                        }
                    }
                }
            }
        }
        assert!(cases > 800_000, "{cases}");
        // The scans stop where they should in a real head.
        let head = b"GET /a HTTP/1.1\r\nUser-Agent: curl/8\r\n\r\n";
        assert_eq!(target_end(head, 4), 6);
        assert_eq!(token_end(head, 17), 27);
        assert!(matches!(value_end(head, 29), ValueEnd::Crlf(35)));
    }

    #[test]
    fn eq_lower_name_is_eq_ignore_ascii_case() {
        let names: &[&[u8]] = &[
            b"te",
            b"host",
            b"expect",
            b"upgrade",
            b"connection",
            b"content-length",
            b"transfer-encoding",
            b"x-a",
            b"accept-encoding-and-more",
        ];
        let mut checked = 0;
        for &lower in names {
            // Every byte value at every place, and the name in mixed case.
            for at in 0..lower.len() {
                for b in 0..=255u8 {
                    let mut name = lower.to_vec();
                    name[at] = b;
                    assert_eq!(
                        eq_lower_name(&name, lower),
                        name.eq_ignore_ascii_case(lower),
                        "{name:?} vs {lower:?}"
                    );
                    checked += 1;
                }
            }
            let upper = lower.to_ascii_uppercase();
            assert!(eq_lower_name(&upper, lower));
            assert!(!eq_lower_name(&upper[1..], lower));
        }
        assert!(checked > 20_000);
    }

    #[test]
    fn query_start_matches_the_byte_loop() {
        // Every length up to three words, with `?` and `%` (and bytes that
        // differ from them by one bit) at every pair of places.
        let mut cases = 0;
        for len in 0..24 {
            for q in 0..=len {
                for p in 0..=len {
                    for filler in [b'a', b'>', b'/', b'\x05', 0xBF] {
                        let mut s = vec![filler; len];
                        if p < len {
                            s[p] = b'%';
                        }
                        if q < len {
                            s[q] = b'?';
                        }
                        assert_eq!(query_start(&s), query_start_bytes(&s), "{s:?}");
                        cases += 1;
                    }
                }
            }
        }
        assert!(cases > 10_000);
        assert_eq!(query_start(b"/a%20b?x=%41&y"), (Some(6), true));
        assert_eq!(query_start(b"/plaintext?%"), (Some(10), false));
        assert_eq!(query_start(b"/no/query/here/at/all"), (None, false));
    }

    #[test]
    fn token_end_every_byte_and_position() {
        for b in 0u8..=255 {
            for pos in 0..19 {
                let mut v = b"Content-Type-X-Abc-".to_vec();
                v[pos] = b;
                v.push(b':');
                let want = if is_tchar(b) { 19 } else { pos };
                assert_eq!(token_end(&v, 0), want, "byte {b:#x} at {pos}");
            }
        }
    }

    #[test]
    fn tokens() {
        assert!(is_token(b"Content-Type"));
        assert!(is_token(b"x!#$%&'*+-.^_`|~9"));
        for bad in [&b""[..], b"a b", b"a:b", b"a\"b", b"(x)", b"a\x00", b"\xff"] {
            assert!(!is_token(bad), "{bad:?}");
        }
        // Every length and position, for the word path and its overlap.
        for len in 1..=25 {
            assert!(is_token(&vec![b'a'; len]), "{len}");
            for pos in 0..len {
                for (b, ok) in [
                    (b' ', false),
                    (b':', false),
                    (b'{', false),
                    (0xC1, false),
                    (b'|', true),
                ] {
                    let mut v = vec![b'-'; len];
                    v[pos] = b;
                    assert_eq!(is_token(&v), ok, "byte {b:#x} at {pos} of {len}");
                }
            }
        }
    }

    #[test]
    fn field_values_every_byte_and_position() {
        for b in 0u8..=255 {
            let ok = b == b'\t' || (b >= 0x20 && b != 0x7F);
            for pos in 0..17 {
                let mut v = vec![b'a'; 17];
                v[pos] = b;
                v.extend_from_slice(b"\r\n");
                let got = match value_end(&v, 0) {
                    ValueEnd::Crlf(end) => end == 17,
                    ValueEnd::Partial => panic!("complete line"),
                    ValueEnd::BareLineEnding => {
                        assert!(b == b'\r' || b == b'\n');
                        false
                    }
                    ValueEnd::Control => false,
                };
                assert_eq!(got, ok, "byte {b:#x} at {pos}");
            }
        }
    }

    #[test]
    fn target_every_byte_and_position() {
        for b in 0u8..=255 {
            let ok = b > 0x20 && b != 0x7F;
            for pos in 0..17 {
                let mut v = vec![b'/'; 17];
                v[pos] = b;
                assert_eq!(target_end(&v, 0) == 17, ok, "byte {b:#x} at {pos}");
            }
        }
    }
}
