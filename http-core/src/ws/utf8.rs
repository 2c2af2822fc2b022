//! UTF-8 validation fed in pieces, failing at the first byte that can no
//! longer start or continue a valid sequence (RFC 6455 8.1: a text
//! message is checked as its fragments arrive, not only at its end).

/// An incremental validator: holds the 1-3 bytes of a sequence cut by a
/// piece boundary.
#[derive(Debug, Clone, Default)]
pub struct Utf8Validator {
    pending: [u8; 4],
    len: usize,
}

/// The bytes are not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidUtf8;

impl Utf8Validator {
    /// A validator at the start of a text.
    pub fn new() -> Utf8Validator {
        Utf8Validator::default()
    }

    /// Checks the next piece. An incomplete sequence at its end is kept
    /// for the next piece; an invalid byte anywhere is an error at once.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<(), InvalidUtf8> {
        if self.len > 0 {
            // Complete the cut sequence first, a byte at a time (at most 3).
            while let [b, rest @ ..] = bytes {
                self.pending[self.len] = *b;
                self.len += 1;
                bytes = rest;
                match std::str::from_utf8(&self.pending[..self.len]) {
                    Ok(_) => {
                        self.len = 0;
                        break;
                    }
                    Err(e) if e.error_len().is_some() => return Err(InvalidUtf8),
                    Err(_) if self.len == 4 => return Err(InvalidUtf8), // ok: unreachable in practice
                    Err(_) => {}
                }
            }
            if self.len > 0 {
                return Ok(()); // the piece ended inside the sequence
            }
        }
        match std::str::from_utf8(bytes) {
            Ok(_) => Ok(()),
            Err(e) if e.error_len().is_some() => Err(InvalidUtf8),
            Err(e) => {
                let tail = &bytes[e.valid_up_to()..];
                self.pending[..tail.len()].copy_from_slice(tail);
                self.len = tail.len();
                Ok(())
            }
        }
    }

    /// The text ended: a sequence still open is an error. Resets.
    pub fn finish(&mut self) -> Result<(), InvalidUtf8> {
        let open = self.len > 0;
        self.len = 0;
        if open {
            Err(InvalidUtf8)
        } else {
            Ok(())
        }
    }

    /// Forgets any open sequence.
    pub fn reset(&mut self) {
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_everywhere(text: &[u8]) -> Vec<Result<(), InvalidUtf8>> {
        let mut out = Vec::new();
        for cut in 0..=text.len() {
            for cut2 in cut..=text.len() {
                let mut v = Utf8Validator::new();
                let r = v
                    .feed(&text[..cut])
                    .and_then(|_| v.feed(&text[cut..cut2]))
                    .and_then(|_| v.feed(&text[cut2..]))
                    .and_then(|_| v.finish());
                out.push(r);
            }
        }
        out
    }

    #[test]
    fn valid_text_passes_however_it_is_cut() {
        let text = "κόσμε €𝄞 ascii".as_bytes();
        assert!(split_everywhere(text).iter().all(|r| r.is_ok()));
    }

    #[test]
    fn invalid_text_fails_however_it_is_cut() {
        for bad in [
            &b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"[..],
            b"abc\xff",
            b"\xc0\xaf",
            b"\xf4\x90\x80\x80",
            b"truncated \xe2\x82",
        ] {
            assert!(split_everywhere(bad).iter().all(|r| r.is_err()), "{bad:?}");
        }
    }

    #[test]
    fn fails_fast_before_the_text_ends() {
        let mut v = Utf8Validator::new();
        assert!(v.feed(b"ok \xce").is_ok());
        // 0xce wants a continuation byte; 'x' is not one.
        assert_eq!(v.feed(b"x"), Err(InvalidUtf8));
        let mut v = Utf8Validator::new();
        // A surrogate (ED A0..) is invalid as soon as its second byte comes.
        assert_eq!(v.feed(b"\xed\xa0"), Err(InvalidUtf8));
    }
}
