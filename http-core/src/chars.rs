//! Byte classes of the HTTP grammar, as lookup tables and word-at-a-time checks.

/// `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
///          "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA` (RFC 9110 5.6.2)
static TOKEN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    t
};

/// True for a `tchar`.
#[inline]
pub(crate) fn is_token(b: u8) -> bool {
    TOKEN[b as usize]
}

/// True when every byte is a `tchar` and there is at least one.
#[inline]
pub(crate) fn is_token_str(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_token(b))
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of the word is below 0x20 or equal to 0x7F (a control
/// byte). Exact for the "any" question, not for which byte.
#[inline]
fn word_has_ctl(x: u64) -> bool {
    let below_space = x.wrapping_sub(LO * 0x20) & !x & HI;
    let y = x ^ (LO * 0x7F);
    let del = y.wrapping_sub(LO) & !y & HI;
    (below_space | del) != 0
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

/// Scans a field value starting at `i` up to its CRLF in one pass: eight
/// bytes at a time while no byte is a control byte, then byte by byte.
#[inline]
pub(crate) fn value_end(buf: &[u8], mut i: usize) -> ValueEnd {
    loop {
        while let Some(x) = word_at(buf, i) {
            if word_has_ctl(x) {
                break;
            }
            i += 8;
        }
        let Some(&b) = buf.get(i) else {
            return ValueEnd::Partial;
        };
        match b {
            b'\r' => {
                return match buf.get(i + 1) {
                    None => ValueEnd::Partial,
                    Some(b'\n') => ValueEnd::Crlf(i),
                    Some(_) => ValueEnd::BareLineEnding,
                }
            }
            b'\n' => return ValueEnd::BareLineEnding,
            b if is_value_byte(b) => i += 1,
            _ => return ValueEnd::Control,
        }
    }
}

/// The offset of the first byte at or after `i` that cannot be part of a
/// request-target (a space ends it; controls and DEL are invalid), or
/// `buf.len()`.
#[inline]
pub(crate) fn target_end(buf: &[u8], mut i: usize) -> usize {
    while let Some(x) = word_at(buf, i) {
        let below = x.wrapping_sub(LO * 0x21) & !x & HI;
        let y = x ^ (LO * 0x7F);
        let del = y.wrapping_sub(LO) & !y & HI;
        if (below | del) != 0 {
            break;
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
#[inline]
pub(crate) fn token_end(buf: &[u8], mut i: usize) -> usize {
    while let Some(&b) = buf.get(i) {
        if !is_token(b) {
            return i;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(is_token_str(b"Content-Type"));
        assert!(is_token_str(b"x!#$%&'*+-.^_`|~9"));
        for bad in [&b""[..], b"a b", b"a:b", b"a\"b", b"(x)", b"a\x00", b"\xff"] {
            assert!(!is_token_str(bad), "{bad:?}");
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
