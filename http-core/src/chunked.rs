//! The chunked transfer coding (RFC 9112 7.1) as an explicit state machine.
//!
//! ```text
//!  chunked-body = *chunk last-chunk trailer-section CRLF
//!  chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//!  chunk-ext    = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//!  chunk-ext-val = token / quoted-string
//!
//!  Size --hex--> Size --CR--> SizeLf --LF--> Data(n) --n bytes--> DataCr --CR--> DataLf --LF--> Size
//!    |  \--SP/HT--> SizeWs --';'--v                \--(n = 0)--> TrailerStart --CR--> EndLf --LF--> Done
//!    \--';'--> ExtNameStart --tchar--> ExtName --'='--> ExtValueStart --tchar--> ExtToken
//!                                        |  \--SP/HT--> ExtNameWs --'='--^      \--'"'--> ExtQuoted (--'\'--> ExtQuotedPair)
//!                                        \--';' (another extension) / CR (the line ends)
//!  TrailerStart --tchar--> TrailerName --':'--> TrailerValue --CR--> TrailerLf --LF--> TrailerStart
//! ```
//!
//! Chunk lines are read strictly by [`ChunkedDecoder::new`] (what a server
//! uses for requests): whitespace only where BWS stands (before and after
//! `;` and `=`), never between the size, a name or a value and the CRLF; an
//! extension needs a name (a token), and a value after `=` (a token or a
//! quoted-string); no control byte, no bare CR or LF. Anything else is
//! [`ParseError::Chunk`] (400, and the connection closes): two parsers in a
//! chain that disagreed on such a line would disagree on where the body
//! ends. [`ChunkedDecoder::lenient`] (what the client uses for responses)
//! skips whatever follows the size up to the CR, as curl does, refusing
//! only control bytes and a bare LF there: a client reads what one server
//! sends, and refusing a body that curl reads would only break downloads.
//!
//! The trailer section (RFC 9112 7.1.2) is `*( field-line CRLF )` and then
//! the final CRLF, with `field-line = field-name ":" OWS field-value OWS`
//! and `field-name = token`, exactly as in a head: anything else there (a
//! line without a colon such as the request line of a next request, a space
//! before the colon, obs-fold, a bare CR or LF) is [`ParseError::Trailer`],
//! because the message boundary is lost. The decoder checks the syntax and
//! keeps the fields for [`ChunkedDecoder::trailers`].
//!
//! The decoder eats input split at any point; it never reads past the end
//! of the chunked body, so pipelined bytes after it stay with the caller.

use crate::chars::is_tchar;
use crate::Headers;
use crate::ParseError;

/// Bytes of chunk extensions tolerated on one size line.
pub const MAX_CHUNK_EXT_BYTES: usize = 4096;
/// Bytes of trailer fields tolerated after the last chunk (all lines).
pub const MAX_TRAILER_BYTES: usize = 8192;

/// The terminating chunk with an empty trailer section.
pub const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading hex digits of the chunk size.
    Size,
    /// Whitespace after the size (BWS before `;`).
    SizeWs,
    /// After a `;` (and BWS): a name must start.
    ExtNameStart,
    /// Inside an extension's name.
    ExtName,
    /// Whitespace after a name (BWS before `=` or `;`).
    ExtNameWs,
    /// After `=` (and BWS): a value must start.
    ExtValueStart,
    /// Inside a token value.
    ExtToken,
    /// Inside a quoted-string value.
    ExtQuoted,
    /// After a backslash in a quoted-string.
    ExtQuotedPair,
    /// Right after a value's closing quote.
    ExtQuotedEnd,
    /// Whitespace after a value (BWS before the next `;`).
    ExtValueWs,
    /// The lenient reading: anything up to the CR.
    ExtSkip,
    /// Expecting the LF that ends the size line.
    SizeLf,
    /// This many chunk-data bytes remain.
    Data(u64),
    /// Expecting the CR after chunk data.
    DataCr,
    /// Expecting the LF after chunk data.
    DataLf,
    /// At the start of a trailer field line (or the final CRLF).
    TrailerStart,
    /// Inside a trailer field name, up to its colon.
    TrailerName,
    /// Inside a trailer field value, up to CR.
    TrailerValue,
    /// Expecting the LF that ends a trailer line.
    TrailerLf,
    /// Expecting the LF of the final CRLF.
    EndLf,
    /// The body is complete.
    Done,
}

/// Incremental decoder of a chunked body.
#[derive(Debug, Clone)]
pub struct ChunkedDecoder {
    state: State,
    size: u64,
    digits: usize,
    ext_bytes: usize,
    trailer_bytes: usize,
    /// The trailer section as read: field lines joined by `\n` (no CR).
    trailer: Vec<u8>,
    /// Chunk lines read as curl reads them (see the module doc).
    lenient: bool,
}

impl Default for ChunkedDecoder {
    fn default() -> Self {
        ChunkedDecoder::new()
    }
}

impl ChunkedDecoder {
    /// A decoder at the start of a chunked body, reading chunk lines
    /// strictly (a request's body; see the module doc).
    pub fn new() -> ChunkedDecoder {
        ChunkedDecoder {
            state: State::Size,
            size: 0,
            digits: 0,
            ext_bytes: 0,
            trailer_bytes: 0,
            trailer: Vec::new(),
            lenient: false,
        }
    }

    /// A decoder that skips whatever follows a chunk size up to its CRLF,
    /// as curl does (a response's body; see the module doc).
    pub fn lenient() -> ChunkedDecoder {
        ChunkedDecoder {
            lenient: true,
            ..ChunkedDecoder::new()
        }
    }

    /// True once the last chunk and the trailer section have been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Decodes from `input`, appending chunk data to `out`. Returns how many
    /// bytes of `input` were consumed and whether the body is complete.
    /// Bytes after the end of the body are not consumed.
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(usize, bool), ParseError> {
        let mut i = 0;
        while i < input.len() {
            if let State::Data(remaining) = self.state {
                let avail = (input.len() - i) as u64;
                let take = remaining.min(avail) as usize;
                out.extend_from_slice(&input[i..i + take]);
                i += take;
                let left = remaining - take as u64;
                self.state = if left == 0 {
                    State::DataCr
                } else {
                    State::Data(left)
                };
                continue;
            }
            if self.state == State::Done {
                break;
            }
            let b = input[i];
            i += 1;
            self.state = self.step(b)?;
        }
        Ok((i, self.is_done()))
    }

    /// One byte outside chunk data: the transition table.
    fn step(&mut self, b: u8) -> Result<State, ParseError> {
        use State::*;
        Ok(match (self.state, b) {
            // chunk-size = 1*HEXDIG, with an overflow check.
            (Size, _) if b.is_ascii_hexdigit() => {
                if self.digits >= 16 {
                    return Err(ParseError::Chunk);
                }
                let d = (b as char).to_digit(16).unwrap_or(0); // ok: is_ascii_hexdigit
                self.size = (self.size << 4) | u64::from(d);
                self.digits += 1;
                Size
            }
            // The size must have at least one digit before anything else.
            (Size, _) if self.digits == 0 => return Err(ParseError::Chunk),
            (Size, b'\r') => SizeLf,
            (Size, _) if self.lenient => {
                self.ext_bytes = 0;
                return self.ext_skip(b);
            }
            (Size | SizeWs, b' ' | b'\t') => SizeWs,
            (Size | SizeWs, b';') => {
                self.ext_bytes = 0;
                self.ext_byte(ExtNameStart)?
            }
            // No whitespace before the CRLF: BWS only comes before a `;`.
            (Size | SizeWs, _) => return Err(ParseError::Chunk),
            (ExtSkip, b'\r') => SizeLf,
            (ExtSkip, _) => return self.ext_skip(b),
            (ExtName | ExtToken | ExtQuotedEnd, b'\r') => SizeLf,
            (
                ExtNameStart | ExtName | ExtNameWs | ExtValueStart | ExtToken | ExtQuoted
                | ExtQuotedPair | ExtQuotedEnd | ExtValueWs,
                _,
            ) => self.ext_step(b)?,
            // CRLF after the size line; a zero size is the last chunk.
            (SizeLf, b'\n') => {
                let size = self.size;
                self.size = 0;
                self.digits = 0;
                if size == 0 {
                    self.trailer_bytes = 0;
                    TrailerStart
                } else {
                    Data(size)
                }
            }
            (SizeLf, _) => return Err(ParseError::Chunk),
            // CRLF after chunk data.
            (DataCr, b'\r') => DataLf,
            (DataLf, b'\n') => Size,
            (DataCr | DataLf, _) => return Err(ParseError::Chunk),
            // trailer-section = *( field-line CRLF ), then the final CRLF.
            (TrailerStart, b'\r') => EndLf,
            // field-name = token: a line that starts otherwise (obs-fold,
            // an empty name, a bare LF) is no field line.
            (TrailerStart | TrailerName, _) if is_tchar(b) => {
                self.trailer_byte(b)?;
                TrailerName
            }
            (TrailerName, b':') => {
                self.trailer_byte(b)?;
                TrailerValue
            }
            // No colon before the line ends (a request line), whitespace
            // before the colon, or any other byte in a name.
            (TrailerStart | TrailerName, _) => return Err(ParseError::Trailer),
            (TrailerValue, b'\r') => TrailerLf,
            // field-value: VCHAR / obs-text / SP / HTAB; no bare LF.
            (TrailerValue, _) if b == b'\t' || (b >= 0x20 && b != 0x7F) => {
                self.trailer_byte(b)?;
                TrailerValue
            }
            (TrailerValue, _) => return Err(ParseError::Trailer),
            (TrailerLf, b'\n') => {
                self.trailer.push(b'\n');
                TrailerStart
            }
            (TrailerLf, _) => return Err(ParseError::Trailer),
            (EndLf, b'\n') => Done,
            (EndLf, _) => return Err(ParseError::Trailer),
            // Handled in decode(); kept total for the compiler.
            (Data(_) | Done, _) => self.state,
        })
    }

    /// One byte of a strict chunk-ext, not the CR that ends it:
    /// `*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )`.
    fn ext_step(&mut self, b: u8) -> Result<State, ParseError> {
        use State::*;
        let next = match (self.state, b) {
            (ExtNameStart | ExtValueStart, b' ' | b'\t') => self.state,
            (ExtNameStart | ExtName, _) if is_tchar(b) => ExtName,
            (ExtName | ExtNameWs, b' ' | b'\t') => ExtNameWs,
            (ExtName | ExtNameWs, b'=') => ExtValueStart,
            (ExtValueStart | ExtToken, _) if is_tchar(b) => ExtToken,
            (ExtValueStart, b'"') => ExtQuoted,
            (ExtQuoted, b'"') => ExtQuotedEnd,
            (ExtQuoted, b'\\') => ExtQuotedPair,
            // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
            (ExtQuoted, _) if is_qdtext(b) => ExtQuoted,
            // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
            (ExtQuotedPair, _) if b == b'\t' || (b >= 0x20 && b != 0x7F) => ExtQuoted,
            (ExtToken | ExtQuotedEnd | ExtValueWs, b' ' | b'\t') => ExtValueWs,
            // The next extension.
            (ExtName | ExtNameWs | ExtToken | ExtQuotedEnd | ExtValueWs, b';') => ExtNameStart,
            // An empty name or value, a control byte, a bare CR or LF, a
            // byte no token holds, whitespace before the CRLF.
            _ => return Err(ParseError::Chunk),
        };
        self.ext_byte(next)
    }

    /// The lenient reading of what follows a chunk size: any byte but a
    /// control byte (HTAB aside) up to the CR.
    fn ext_skip(&mut self, b: u8) -> Result<State, ParseError> {
        if b != b'\t' && (b < 0x20 || b == 0x7F) {
            return Err(ParseError::Chunk);
        }
        self.ext_byte(State::ExtSkip)
    }

    /// Counts one byte of a size line's extensions, under
    /// [`MAX_CHUNK_EXT_BYTES`], and moves to `next`.
    fn ext_byte(&mut self, next: State) -> Result<State, ParseError> {
        self.ext_bytes += 1;
        if self.ext_bytes > MAX_CHUNK_EXT_BYTES {
            return Err(ParseError::ChunkLimits);
        }
        Ok(next)
    }

    /// One more byte of trailer fields, under [`MAX_TRAILER_BYTES`].
    fn trailer_byte(&mut self, b: u8) -> Result<(), ParseError> {
        self.trailer_bytes += 1;
        if self.trailer_bytes > MAX_TRAILER_BYTES {
            return Err(ParseError::ChunkLimits);
        }
        self.trailer.push(b);
        Ok(())
    }

    /// The trailer fields read so far (all of them once done), values
    /// without surrounding whitespace. Empty for a body without trailers.
    pub fn trailers(&self) -> Headers {
        let mut out = Headers::new();
        for line in self.trailer.split(|&b| b == b'\n') {
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                continue;
            };
            let name = std::str::from_utf8(&line[..colon]).unwrap_or("");
            let value = line[colon + 1..].trim_ascii();
            if !name.is_empty() {
                out.append(name, value);
            }
        }
        out
    }
}

/// `qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text`
fn is_qdtext(b: u8) -> bool {
    matches!(b, b'\t' | b' ' | 0x21 | 0x23..=0x5B | 0x5D..=0x7E | 0x80..=0xFF)
}

/// Appends `data` as one chunk. Empty data appends nothing: an empty chunk
/// would end the body.
pub fn encode_chunk(data: &[u8], out: &mut Vec<u8>) {
    if data.is_empty() {
        return;
    }
    encode_chunk_size(data.len(), out);
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

/// Appends the size line of a chunk of `len` bytes (`len` in hex, CRLF);
/// the caller sends the data and a CRLF after it (useful with `writev`).
pub fn encode_chunk_size(len: usize, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 16];
    let mut n = len;
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = HEX[n & 0xF];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode_all(input: &[u8]) -> Result<(Vec<u8>, usize, bool), ParseError> {
        let mut d = ChunkedDecoder::new();
        let mut out = Vec::new();
        let (n, done) = d.decode(input, &mut out)?;
        Ok((out, n, done))
    }

    #[test]
    fn trailers_are_kept() {
        let mut d = ChunkedDecoder::new();
        let mut out = Vec::new();
        let wire = b"3\r\nabc\r\n0\r\nX-Sum:  abc123 \r\nX-Two:\r\n\r\n";
        // Byte by byte: fields split across calls are joined.
        for b in wire.iter() {
            d.decode(std::slice::from_ref(b), &mut out).expect("valid"); // ok: test
        }
        assert!(d.is_done());
        let t = d.trailers();
        assert_eq!(t.get_str("x-sum"), Some("abc123"));
        assert_eq!(t.get_str("X-Two"), Some(""));
        assert_eq!(t.len(), 2);
        let mut plain = ChunkedDecoder::new();
        plain.decode(b"0\r\n\r\n", &mut out).expect("valid"); // ok: test
        assert!(plain.trailers().is_empty());
    }

    #[test]
    fn valid_bodies() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"0\r\n\r\n", b""),
            (b"5\r\nhello\r\n0\r\n\r\n", b"hello"),
            (b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", b"hello world"),
            (b"A\r\n0123456789\r\n0\r\n\r\n", b"0123456789"),
            (b"5;name=value\r\nhello\r\n0\r\n\r\n", b"hello"),
            (b"5 ;name=\"v\"\r\nhello\r\n0\r\n\r\n", b"hello"),
            (
                b"5\r\nhello\r\n0\r\nExpires: never\r\nX: y\r\n\r\n",
                b"hello",
            ),
            (b"0005\r\nhello\r\n0\r\n\r\n", b"hello"),
        ];
        for (input, want) in cases {
            let (out, n, done) = decode_all(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert!(done, "{input:?}");
            assert_eq!(n, input.len());
            assert_eq!(&out[..], *want);
        }
    }

    #[test]
    fn stops_at_end_of_body() {
        let input = b"3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
        let (out, n, done) = decode_all(input).unwrap();
        assert!(done);
        assert_eq!(out, b"abc");
        assert_eq!(&input[n..], b"GET / HTTP/1.1\r\n");
    }

    #[test]
    fn invalid_bodies() {
        let cases: &[&[u8]] = &[
            b"x\r\n",
            b"\r\n",
            b";ext\r\n",
            b"5\nhello\r\n",
            b"5\r\nhelloX\r\n",
            b"5\r\nhello\n0\r\n\r\n",
            b"-5\r\n",
            b"10000000000000000\r\n",
            b"5\r\nhello\r\n0\r\n\n",
            b"5\r\nhello\r\n0\r\nX: y\n\r\n",
            b"5;a\x00b\r\n",
            b"5 x\r\n",
        ];
        for input in cases {
            assert!(decode_all(input).is_err(), "{input:?} should fail");
        }
    }

    /// Decodes `input` cut in two at `cut`, as a caller does: the second
    /// call gets what the first left unconsumed plus the rest.
    fn decode_split(input: &[u8], cut: usize) -> Result<(Vec<u8>, usize, bool), ParseError> {
        decode_split_with(ChunkedDecoder::new(), input, cut)
    }

    fn decode_split_with(
        mut d: ChunkedDecoder,
        input: &[u8],
        cut: usize,
    ) -> Result<(Vec<u8>, usize, bool), ParseError> {
        let mut out = Vec::new();
        let (first, done) = d.decode(&input[..cut], &mut out)?;
        if done {
            return Ok((out, first, true));
        }
        let (second, done) = d.decode(&input[first..], &mut out)?;
        Ok((out, first + second, done))
    }

    #[test]
    fn trailer_sections_split_at_every_byte() {
        const NEXT: &[u8] = b"GET /next HTTP/1.1\r\n";
        // (body, trailer section with its final CRLF, valid?)
        let cases: &[(&[u8], bool)] = &[
            (b"\r\n", true),
            (b"Expires: never\r\n\r\n", true),
            (b"X:\r\n\r\n", true),
            (b"X-A: 1\r\nx-b:\t two words \r\n\r\n", true),
            (b"X: caf\xc3\xa9\r\n\r\n", true),
            (b"!#$%&'*+-.^_`|~09az: v\r\n\r\n", true),
            // The request line of a next request where the empty line was due.
            (b"GET / HTTP/1.1\r\n\r\n", false),
            (b"no colon\r\n\r\n", false),
            (b"NoColon\r\n\r\n", false),
            (b": empty name\r\n\r\n", false),
            (b"X : space before colon\r\n\r\n", false),
            (b"X\t: tab before colon\r\n\r\n", false),
            (b" obs-fold\r\n\r\n", false),
            (b"X: y\r\n folded\r\n\r\n", false),
            (b"X(y): v\r\n\r\n", false),
            (b"X: a\x01b\r\n\r\n", false),
            (b"X: a\x7fb\r\n\r\n", false),
            (b"X: y\n\r\n", false),
            (b"X: y\r\n\n", false),
            (b"\n", false),
            (b"X: y\rz\r\n\r\n", false),
            (b"\rX", false),
            (b"X\r\n\r\n", false),
        ];
        for (trailer, valid) in cases {
            let mut input = b"5\r\nhello\r\n0\r\n".to_vec();
            input.extend_from_slice(trailer);
            let body_len = input.len();
            input.extend_from_slice(NEXT);
            for cut in 0..=input.len() {
                let got = decode_split(&input, cut);
                if *valid {
                    let (out, n, done) =
                        got.unwrap_or_else(|e| panic!("{trailer:?} cut at {cut}: {e}"));
                    assert!(done, "{trailer:?} cut at {cut}");
                    assert_eq!(out, b"hello");
                    assert_eq!(n, body_len, "{trailer:?}: the next request stays");
                } else {
                    assert_eq!(
                        got.err(),
                        Some(ParseError::Trailer),
                        "{trailer:?} cut at {cut}"
                    );
                }
            }
            // Byte by byte gives the same answer.
            let mut d = ChunkedDecoder::new();
            let mut out = Vec::new();
            let mut result = Ok(());
            for b in &input[..body_len] {
                if let Err(e) = d.decode(std::slice::from_ref(b), &mut out) {
                    result = Err(e);
                    break;
                }
            }
            assert_eq!(
                result.is_ok() && d.is_done(),
                *valid,
                "{trailer:?} byte by byte"
            );
        }
    }

    /// Size lines (RFC 9112 7.1) each followed by `hello` and the last
    /// chunk, then a next request, cut at every byte: the strict decoder
    /// accepts exactly the grammar; the lenient one (responses) also takes
    /// what curl takes, and refuses only control bytes and bare line ends.
    #[test]
    fn size_lines_split_at_every_byte() {
        // (size line without its CRLF, strict verdict, lenient verdict)
        let cases: &[(&[u8], bool, bool)] = &[
            (b"5", true, true),
            (b"5;a", true, true),
            (b"5;a=b", true, true),
            (b"5;a=\"b c\"", true, true),
            (b"5;a=\"\\\"q\\\\\"", true, true),
            (b"5;a=\"\"", true, true),
            (b"5 ;a", true, true),
            (b"5\t; a", true, true),
            (b"5;a ;b", true, true),
            (b"5;a = b", true, true),
            (b"5;a=b;c=\"d\";e", true, true),
            (b"5;!#$%&'*+-.^_`|~09az=x", true, true),
            (b"5;a=\"caf\xc3\xa9\"", true, true),
            // Whitespace where no BWS stands: before the CRLF.
            (b"5 ", false, true),
            (b"5\t", false, true),
            (b"5;a ", false, true),
            (b"5;a=b ", false, true),
            (b"5;a=\"b\" ", false, true),
            // An empty name, a bare `=`, an empty value.
            (b"5;", false, true),
            (b"5;;a", false, true),
            (b"5;=b", false, true),
            (b"5;a=", false, true),
            (b"5;a=;b", false, true),
            // Bytes no token holds, an unterminated or bad quoted-string.
            (b"5;a(b)", false, true),
            (b"5;a=b\"c\"", false, true),
            (b"5;a=\"b", false, true),
            (b"5;a=\"b\"c", false, true),
            (b"5 x", false, true),
            (b"5x", false, true),
            (b"5;a=b,c", false, true),
            // Control bytes, a bare CR or LF: refused either way.
            (b"5;a\x00b", false, false),
            (b"5;a=\"\x01\"", false, false),
            (b"5;a\x7f", false, false),
            (b"5;a\rb", false, false),
            (b"5;a\nb", false, false),
            (b"5\n", false, false),
        ];
        const NEXT: &[u8] = b"GET /next HTTP/1.1\r\n";
        for &(line, strict, lenient) in cases {
            let mut input = line.to_vec();
            input.extend_from_slice(b"\r\nhello\r\n0\r\n\r\n");
            let body_len = input.len();
            input.extend_from_slice(NEXT);
            for (make, valid) in [
                (ChunkedDecoder::new as fn() -> ChunkedDecoder, strict),
                (ChunkedDecoder::lenient, lenient),
            ] {
                for cut in 0..=input.len() {
                    let got = decode_split_with(make(), &input, cut);
                    let line = String::from_utf8_lossy(line);
                    if valid {
                        let (out, n, done) =
                            got.unwrap_or_else(|e| panic!("{line:?} cut at {cut}: {e}"));
                        assert!(done && out == b"hello", "{line:?} cut at {cut}");
                        assert_eq!(n, body_len, "{line:?}: the next request stays");
                    } else {
                        assert_eq!(got.err(), Some(ParseError::Chunk), "{line:?} cut at {cut}");
                    }
                }
            }
        }
    }

    #[test]
    fn limits() {
        let mut long_ext = b"1;".to_vec();
        long_ext.extend(std::iter::repeat_n(b'a', MAX_CHUNK_EXT_BYTES + 1));
        assert_eq!(decode_all(&long_ext).err(), Some(ParseError::ChunkLimits));
        let mut long_trailer = b"0\r\n".to_vec();
        long_trailer.extend(std::iter::repeat_n(b'a', MAX_TRAILER_BYTES + 1));
        assert_eq!(
            decode_all(&long_trailer).err(),
            Some(ParseError::ChunkLimits)
        );
        // Sixteen hex digits is the most a u64 can hold.
        assert!(decode_all(b"ffffffffffffffff\r\n").is_ok());
    }

    #[test]
    fn size_encoding() {
        for (len, want) in [
            (1usize, "1\r\n"),
            (15, "f\r\n"),
            (16, "10\r\n"),
            (4096, "1000\r\n"),
        ] {
            let mut out = Vec::new();
            encode_chunk_size(len, &mut out);
            assert_eq!(out, want.as_bytes());
        }
        let mut out = Vec::new();
        encode_chunk(b"", &mut out);
        assert!(out.is_empty());
    }

    proptest! {
        /// Encode random chunks, split the encoding at random points, and
        /// decode piece by piece: the data comes back whole.
        #[test]
        fn round_trip_any_split(
            chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..8),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
        ) {
            let mut wire = Vec::new();
            for c in &chunks {
                encode_chunk(c, &mut wire);
            }
            wire.extend_from_slice(LAST_CHUNK);
            let mut points: Vec<usize> = cuts.iter().map(|i| i.index(wire.len() + 1)).collect();
            points.push(0);
            points.push(wire.len());
            points.sort_unstable();
            let mut d = ChunkedDecoder::new();
            let mut out = Vec::new();
            let mut pending = Vec::new();
            for w in points.windows(2) {
                pending.extend_from_slice(&wire[w[0]..w[1]]);
                let (n, _) = d.decode(&pending, &mut out).unwrap();
                pending.drain(..n);
            }
            prop_assert!(d.is_done());
            prop_assert!(pending.is_empty());
            prop_assert_eq!(out, chunks.concat());
        }
    }
}
