//! Byte classes of the HTTP grammar, as lookup tables and word-at-a-time checks.

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

/// Flags (in bit 7 of each byte) the bytes of a word that may be control
/// bytes: every byte below 0x20 and 0x7F, plus false alarms for 0x80..=0x9F
/// and 0xFF, which the byte-by-byte path then accepts. It computes
/// `(b + 1) mod 128 < 0x21` per byte without carries between bytes.
#[inline(always)]
fn ctl_mask(x: u64) -> u64 {
    let y = ((x & (LO * 0x7F)) + LO) & (LO * 0x7F);
    y.wrapping_sub(LO * 0x21) & !y & HI
}

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

/// Whether `value` holds a CR, LF or NUL (what could split a head), found
/// with the same word-at-a-time scan as the parser's.
#[inline]
pub(crate) fn has_line_break_or_nul(value: &[u8]) -> bool {
    let mut i = 0;
    loop {
        let (at, byte) = next_ctl(value, i);
        match byte {
            None => return false,
            Some(b'\r' | b'\n' | 0) => return true,
            Some(_) => i = at + 1,
        }
    }
}

/// Scans a field value starting at `i` up to its CRLF in one pass: sixteen
/// bytes at a time to the next possible control byte, which is then looked
/// at alone (HTAB and obs-text are fine, CR must start CRLF).
#[inline(always)]
pub(crate) fn value_end(buf: &[u8], mut i: usize) -> ValueEnd {
    loop {
        let (at, byte) = next_ctl(buf, i);
        i = at;
        match byte {
            None => return ValueEnd::Partial,
            Some(b'\r') => {
                return match buf.get(i + 1) {
                    None => ValueEnd::Partial,
                    Some(b'\n') => ValueEnd::Crlf(i),
                    Some(_) => ValueEnd::BareLineEnding,
                }
            }
            Some(b'\n') => return ValueEnd::BareLineEnding,
            Some(b) if is_value_byte(b) => i += 1,
            Some(_) => return ValueEnd::Control,
        }
    }
}

/// The offset of the first byte at or after `i` that cannot be part of a
/// request-target (a space ends it; controls and DEL are invalid), or
/// `buf.len()`.
#[inline]
pub(crate) fn target_end(buf: &[u8], mut i: usize) -> usize {
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

/// The offset of the first non-token byte at or after `i`, or `buf.len()`.
#[inline(always)]
pub(crate) fn token_end(buf: &[u8], mut i: usize) -> usize {
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
