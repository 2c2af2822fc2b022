//! The one module of http-core with `unsafe` code, in two parts:
//!
//! - here, a `&str` view of bytes that are all ASCII, without a second
//!   pass over them;
//! - `sse2.rs` (x86_64 only), the SSE2 classifiers of 16-byte blocks that
//!   the head parser's scans use (`chars/vector.rs`); it says why and why
//!   it is sound.
//!
//! Why the `&str` view: the request target is turned into a `&str` once
//! per request, and `std::str::from_utf8` costs about 100 instructions for a 10-byte target
//! (a byte-at-a-time walk, for short input, before its word loop starts),
//! about 4% of all a pipelined request costs the server
//! (benches/load/ir_per_request.sh). `<[u8]>::is_ascii` checks the same
//! bytes a word at a time for a fraction of that. A WebSocket text
//! message is checked the same way (`ws/decoder.rs`): for 64 bytes,
//! `from_utf8` was about 120 instructions of the client's ~900 per echoed
//! message.
//!
//! Why it is sound: every ASCII byte (below 0x80) is a one-byte UTF-8
//! sequence, so a byte string whose bytes are all ASCII is valid UTF-8;
//! `is_ascii` is checked on exactly the bytes that are then viewed, in
//! the same function, with no way for them to change between the two
//! (they are borrowed shared). Anything else goes through `from_utf8`.
// The crate denies `unsafe` everywhere else (lib.rs); this allow covers
// this module and `sse2`, and nothing outside them.
#![allow(unsafe_code)]

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub(crate) mod sse2;

/// `bytes` as a `&str` when they are valid UTF-8, as
/// `std::str::from_utf8(bytes).ok()` answers, with a fast path for ASCII.
#[inline]
pub(crate) fn to_str(bytes: &[u8]) -> Option<&str> {
    if bytes.is_ascii() {
        // SAFETY: all bytes are ASCII, hence valid UTF-8 (see the module
        // comment).
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else {
        std::str::from_utf8(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_from_utf8() {
        // Every byte value at every place of strings up to three words
        // long, and the multi-byte cases: valid, truncated and overlong.
        let mut cases = 0;
        for len in 1..24 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut s = vec![b'a'; len];
                    s[at] = b;
                    assert_eq!(to_str(&s), std::str::from_utf8(&s).ok(), "{s:?}");
                    cases += 1;
                }
            }
        }
        assert!(cases > 60_000);
        for s in [
            &b""[..],
            "/caf\u{e9}".as_bytes(),
            b"/\xc3",
            b"/\xc0\xaf",
            b"/\xed\xa0\x80",
        ] {
            assert_eq!(to_str(s), std::str::from_utf8(s).ok(), "{s:?}");
        }
        assert_eq!(to_str(b"/plaintext"), Some("/plaintext"));
    }
}
