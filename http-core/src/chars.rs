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
/// control byte other than HTAB. Checked eight bytes at a time; a word that
/// holds a control byte is re-checked byte by byte, so a HTAB costs little.
#[inline]
pub(crate) fn is_field_value(s: &[u8]) -> bool {
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let x = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        if word_has_ctl(x) && !c.iter().all(|&b| is_value_byte(b)) {
            return false;
        }
    }
    chunks.remainder().iter().all(|&b| is_value_byte(b))
}

#[inline]
fn is_value_byte(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7F)
}

/// Request-target bytes: visible ASCII and (UTF-8) non-ASCII; no control
/// byte, no space. Non-ASCII bytes are accepted like nginx does, as long as
/// the whole target is valid UTF-8 (checked by the caller).
#[inline]
pub(crate) fn is_target(s: &[u8]) -> bool {
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let x = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        // A space is 0x20: "below 0x21" catches controls and space at once.
        let below = x.wrapping_sub(LO * 0x21) & !x & HI;
        let y = x ^ (LO * 0x7F);
        let del = y.wrapping_sub(LO) & !y & HI;
        if (below | del) != 0 {
            return false;
        }
    }
    chunks.remainder().iter().all(|&b| b > 0x20 && b != 0x7F)
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
                assert_eq!(is_field_value(&v), ok, "byte {b:#x} at {pos}");
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
                assert_eq!(is_target(&v), ok, "byte {b:#x} at {pos}");
            }
        }
    }
}
