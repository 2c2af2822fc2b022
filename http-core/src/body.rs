//! Body framing as a sans-IO state machine, for requests (the server) and
//! responses (the client) alike: framed bytes in, body bytes out, and a
//! verdict on the peer closing. No sockets, no clock.
//!
//! ```text
//!  Length(n) --n bytes through--> Done
//!  Chunked   --decode(...) = done--> Done        (http-core's ChunkedDecoder)
//!  Close     --EOF--> Done
//!  Length / Chunked --EOF early--> error (incomplete)
//! ```
//!
//! Length and close-delimited bodies are not copied through the decoder:
//! [`BodyDecoder::passthrough_limit`] says how many bytes the driver may
//! move straight from the socket into the caller's buffer, and
//! [`BodyDecoder::passed_through`] accounts for them. Chunked bodies go
//! through [`BodyDecoder::decode`].

use crate::{BodyKind, ChunkedDecoder, ParseError};

/// Where a message body stands.
#[derive(Debug)]
pub enum BodyDecoder {
    /// `Content-Length`: this many bytes remain.
    Length {
        /// Bytes still to come.
        remaining: u64,
    },
    /// `Transfer-Encoding: chunked`.
    Chunked(ChunkedDecoder),
    /// No framing: the body ends when the server closes.
    Close,
    /// Complete.
    Done,
}

/// The peer closed before the body was complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truncated;

impl BodyDecoder {
    /// The decoder for a request body framed as `kind` (from
    /// [`crate::request_body_kind`]): chunk lines are read strictly
    /// ([`ChunkedDecoder::new`]).
    pub fn new(kind: BodyKind) -> BodyDecoder {
        BodyDecoder::with_chunked(kind, ChunkedDecoder::new)
    }

    /// The decoder for a response body framed as `kind` (from
    /// [`crate::response_body_kind`]): chunk lines are read as curl reads
    /// them ([`ChunkedDecoder::lenient`]).
    pub fn for_response(kind: BodyKind) -> BodyDecoder {
        BodyDecoder::with_chunked(kind, ChunkedDecoder::lenient)
    }

    fn with_chunked(kind: BodyKind, chunked: fn() -> ChunkedDecoder) -> BodyDecoder {
        match kind {
            BodyKind::Empty | BodyKind::Length(0) => BodyDecoder::Done,
            BodyKind::Length(n) => BodyDecoder::Length { remaining: n },
            BodyKind::Chunked => BodyDecoder::Chunked(chunked()),
            BodyKind::CloseDelimited => BodyDecoder::Close,
        }
    }

    /// True once the whole body went through.
    pub fn is_done(&self) -> bool {
        matches!(self, BodyDecoder::Done)
    }

    /// True when the connection can carry another exchange after this
    /// body (a close-delimited body consumes the connection).
    pub fn leaves_connection_reusable(&self) -> bool {
        !matches!(self, BodyDecoder::Close)
    }

    /// How many wire bytes may go straight into the body without
    /// decoding: `Some(remaining)` for Length, unlimited for Close, `None`
    /// for chunked (use [`BodyDecoder::decode`]), `Some(0)` when done.
    pub fn passthrough_limit(&self) -> Option<u64> {
        match self {
            BodyDecoder::Length { remaining } => Some(*remaining),
            BodyDecoder::Close => Some(u64::MAX),
            BodyDecoder::Chunked(_) => None,
            BodyDecoder::Done => Some(0),
        }
    }

    /// Accounts for `n` bytes moved under [`BodyDecoder::passthrough_limit`].
    pub fn passed_through(&mut self, n: u64) {
        if let BodyDecoder::Length { remaining } = self {
            *remaining = remaining.saturating_sub(n);
            if *remaining == 0 {
                *self = BodyDecoder::Done;
            }
        }
    }

    /// Decodes framed `input` into `out`; returns the input bytes used.
    /// For passthrough framings it copies up to the limit, so a driver may
    /// use this path for every framing.
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<usize, ParseError> {
        match self {
            BodyDecoder::Chunked(d) => {
                let (used, done) = d.decode(input, out)?;
                if done {
                    *self = BodyDecoder::Done;
                }
                Ok(used)
            }
            BodyDecoder::Length { remaining } => {
                let n = usize::try_from(*remaining)
                    .unwrap_or(usize::MAX)
                    .min(input.len());
                out.extend_from_slice(&input[..n]);
                self.passed_through(n as u64);
                Ok(n)
            }
            BodyDecoder::Close => {
                out.extend_from_slice(input);
                Ok(input.len())
            }
            BodyDecoder::Done => Ok(0),
        }
    }

    /// The peer closed: complete for a close-delimited body (or one already
    /// done), [`Truncated`] otherwise.
    pub fn on_eof(&mut self) -> Result<(), Truncated> {
        match self {
            BodyDecoder::Close | BodyDecoder::Done => {
                *self = BodyDecoder::Done;
                Ok(())
            }
            BodyDecoder::Length { .. } | BodyDecoder::Chunked(_) => Err(Truncated),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `wire` in pieces of `step` bytes; returns the body, the bytes
    /// left over after the end, and whether the decoder finished.
    fn run(kind: BodyKind, wire: &[u8], step: usize) -> (Vec<u8>, usize, bool) {
        let mut d = BodyDecoder::new(kind);
        let mut body = Vec::new();
        let mut pending: Vec<u8> = Vec::new();
        let mut fed = 0;
        while fed < wire.len() && !d.is_done() {
            let end = (fed + step).min(wire.len());
            pending.extend_from_slice(&wire[fed..end]);
            fed = end;
            let used = d.decode(&pending, &mut body).expect("valid framing");
            pending.drain(..used);
        }
        (body, pending.len() + (wire.len() - fed), d.is_done())
    }

    #[test]
    fn chunked_gives_the_same_body_whatever_the_split() {
        let wire = b"4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT";
        for step in 1..=wire.len() {
            let (body, left, done) = run(BodyKind::Chunked, wire, step);
            assert_eq!(body, b"Wikipedia in\r\n\r\nchunks.", "step {step}");
            assert!(done, "step {step}");
            assert_eq!(
                left, 4,
                "the next message's bytes are not eaten (step {step})"
            );
        }
    }

    #[test]
    fn length_stops_at_its_end() {
        for step in 1..=12 {
            let (body, left, done) = run(BodyKind::Length(8), b"12345678HTTP", step);
            assert_eq!(
                (body.as_slice(), left, done),
                (&b"12345678"[..], 4, true),
                "step {step}"
            );
        }
        let mut d = BodyDecoder::new(BodyKind::Length(10));
        assert_eq!(d.passthrough_limit(), Some(10));
        d.passed_through(4);
        assert_eq!(d.passthrough_limit(), Some(6));
        assert_eq!(d.on_eof(), Err(Truncated));
        d.passed_through(6);
        assert!(d.is_done());
        assert!(d.leaves_connection_reusable());
    }

    #[test]
    fn close_delimited_ends_at_eof_and_consumes_the_connection() {
        let mut d = BodyDecoder::new(BodyKind::CloseDelimited);
        assert_eq!(d.passthrough_limit(), Some(u64::MAX));
        assert!(!d.leaves_connection_reusable());
        let mut out = Vec::new();
        assert_eq!(d.decode(b"abc", &mut out), Ok(3));
        assert_eq!(d.on_eof(), Ok(()));
        assert!(d.is_done());
    }

    #[test]
    fn empty_bodies_start_done_and_bad_chunks_are_errors() {
        assert!(BodyDecoder::new(BodyKind::Empty).is_done());
        assert!(BodyDecoder::new(BodyKind::Length(0)).is_done());
        let mut d = BodyDecoder::new(BodyKind::Chunked);
        assert_eq!(d.passthrough_limit(), None);
        assert!(d.decode(b"zz\r\n", &mut Vec::new()).is_err());
        let mut d = BodyDecoder::new(BodyKind::Chunked);
        assert_eq!(d.decode(b"3\r\nab", &mut Vec::new()).map(|_| ()), Ok(()));
        assert_eq!(d.on_eof(), Err(Truncated));
    }
}
