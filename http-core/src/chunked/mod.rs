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
mod tests;
