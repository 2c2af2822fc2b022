//! permessage-deflate's compression (RFC 7692 7.2): raw DEFLATE per
//! message, the 4-byte `00 00 ff ff` tail of a sync flush removed on send
//! and put back on receive; the sliding window kept across messages unless
//! "no context takeover" was negotiated for that direction.

use crate::ws::ProtocolError;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// What a sync flush ends with; RFC 7692 7.2.1 strips it, 7.2.2 appends it.
const SYNC_TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// Inflate output goes through a buffer this large, so that a message can
/// never grow past its limit by more than this (a decompression bomb is
/// caught after at most 16 KiB of excess, not after it has filled memory).
const INFLATE_SCRATCH_BYTES: usize = 16 * 1024;

/// The compressing side of one connection.
pub struct Deflater {
    compress: Compress,
    no_context_takeover: bool,
}

impl Deflater {
    /// A compressor with a window of `2^window_bits` bytes (9..=15; zlib
    /// cannot make raw streams with 8, so negotiation never agrees to 8
    /// for the side that compresses).
    pub fn new(window_bits: u8, level: u32, no_context_takeover: bool) -> Deflater {
        Deflater {
            compress: Compress::new_with_window_bits(
                Compression::new(level.min(9)),
                false,
                window_bits.clamp(9, 15),
            ),
            no_context_takeover,
        }
    }

    /// Appends one message's compressed payload to `out`. `false` (with
    /// `out` as it was) if the compressor failed; the caller then sends
    /// the message uncompressed.
    pub fn compress(&mut self, input: &[u8], out: &mut Vec<u8>) -> bool {
        let start = out.len();
        let start_in = self.compress.total_in();
        loop {
            let consumed = (self.compress.total_in() - start_in) as usize;
            out.reserve(input.len().saturating_sub(consumed) / 2 + 64);
            let result = self
                .compress
                .compress_vec(&input[consumed..], out, FlushCompress::Sync);
            if result.is_err() {
                out.truncate(start);
                self.compress.reset();
                return false;
            }
            let consumed = (self.compress.total_in() - start_in) as usize;
            // The flush is complete once all input is in and zlib left
            // output room unused (zlib's rule for a flush).
            if consumed == input.len() && out.len() < out.capacity() {
                break;
            }
        }
        if out[start..].ends_with(&SYNC_TAIL) {
            out.truncate(out.len() - SYNC_TAIL.len());
        }
        if out.len() == start {
            // zlib flushed nothing (an empty message right after another
            // flush). The receiver appends the tail to whatever it gets, so
            // the payload must open the stored block it closes: RFC 7692
            // 7.2.3.6's empty block, one 0x00 byte.
            out.push(0x00);
        }
        if self.no_context_takeover {
            self.compress.reset();
        }
        true
    }
}

/// The inflating side of one connection, bounded by the caller's limit.
pub struct Inflater {
    decompress: Decompress,
    no_context_takeover: bool,
    /// The message's deflate stream ended (a BFINAL block): the rest of its
    /// bytes, the appended tail included, are ignored until it ends.
    stream_ended: bool,
    /// The message had compressed bytes: an empty payload gets no tail
    /// (the tail alone is not a valid block at a byte boundary).
    fed: bool,
}

impl Inflater {
    /// A decompressor. It always uses a 32 KiB window: larger than any the
    /// peer may use, so every negotiated `client_max_window_bits` decodes.
    pub fn new(no_context_takeover: bool) -> Inflater {
        Inflater {
            decompress: Decompress::new(false),
            no_context_takeover,
            stream_ended: false,
            fed: false,
        }
    }

    /// Inflates the next piece of a compressed message onto `out`; an
    /// error if `out` would pass `limit` bytes or the data is not DEFLATE.
    /// Output produced before the fault is left in `out` (up to `limit`).
    pub fn inflate(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        limit: usize,
    ) -> Result<(), ProtocolError> {
        let mut input = input;
        self.fed |= !input.is_empty();
        let mut scratch = [0u8; INFLATE_SCRATCH_BYTES];
        // Output may still be pending after the input is all in when the
        // last call filled the scratch: call again until it does not.
        let mut output_full = false;
        while !self.stream_ended && (!input.is_empty() || output_full) {
            let (in0, out0) = (self.decompress.total_in(), self.decompress.total_out());
            let result = self
                .decompress
                .decompress(input, &mut scratch, FlushDecompress::Sync);
            let used = (self.decompress.total_in() - in0) as usize;
            let produced = (self.decompress.total_out() - out0) as usize;
            let room = limit.saturating_sub(out.len());
            if produced > room {
                // What fits is kept, so the caller can check it (a text's
                // bad UTF-8 before the limit is the first fault, however
                // the input was cut).
                out.extend_from_slice(&scratch[..room]);
                return Err(ProtocolError::TooBig);
            }
            out.extend_from_slice(&scratch[..produced]);
            input = &input[used..];
            output_full = produced == scratch.len();
            match result {
                Ok(Status::StreamEnd) => self.stream_ended = true,
                Ok(_) if used > 0 || produced > 0 => {}
                // No progress (zlib-rs reports Z_BUF_ERROR as an error):
                // the end when nothing is left to give it, else a stall.
                Ok(_) | Err(_) if input.is_empty() => break,
                Ok(_) | Err(_) => return Err(ProtocolError::BadCompression),
            }
        }
        Ok(())
    }

    /// The message's last frame was inflated: append the sync tail
    /// (RFC 7692 7.2.2) and reset when there is no context takeover.
    pub fn finish(&mut self, out: &mut Vec<u8>, limit: usize) -> Result<(), ProtocolError> {
        let result = if self.fed {
            self.inflate(&SYNC_TAIL, out, limit)
        } else {
            Ok(())
        };
        if self.no_context_takeover || self.stream_ended {
            self.decompress.reset(false);
        }
        self.stream_ended = false;
        self.fed = false;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_and_without_context_takeover() {
        for no_takeover in [false, true] {
            let mut d = Deflater::new(15, 6, no_takeover);
            let mut i = Inflater::new(no_takeover);
            for msg in [&b"Hello"[..], b"Hello", b"", b"", &[7u8; 100_000], b"Hello"] {
                let mut wire = Vec::new();
                assert!(d.compress(msg, &mut wire));
                let mut back = Vec::new();
                i.inflate(&wire, &mut back, 1 << 20).unwrap();
                i.finish(&mut back, 1 << 20).unwrap();
                assert_eq!(back, msg);
            }
        }
    }

    #[test]
    fn rfc_7692_sample_inflates() {
        // RFC 7692 7.2.3.1: "Hello" compressed.
        let mut i = Inflater::new(false);
        let mut out = Vec::new();
        i.inflate(&[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], &mut out, 100)
            .unwrap();
        i.finish(&mut out, 100).unwrap();
        assert_eq!(out, b"Hello");
        // 7.2.3.2: the second "Hello" with the window shared.
        let mut out = Vec::new();
        i.inflate(&[0xf2, 0x00, 0x11, 0x00, 0x00], &mut out, 100)
            .unwrap();
        i.finish(&mut out, 100).unwrap();
        assert_eq!(out, b"Hello");
        // 7.2.3.3: a BFINAL block, then the tail the receiver appends.
        let mut i = Inflater::new(false);
        let mut out = Vec::new();
        i.inflate(&[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], &mut out, 100)
            .unwrap();
        i.finish(&mut out, 100).unwrap();
        assert_eq!(out, b"Hello");
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let mut d = Deflater::new(15, 9, false);
        let mut wire = Vec::new();
        assert!(d.compress(&vec![0u8; 10 << 20], &mut wire));
        assert!(wire.len() < 20_000, "{}", wire.len());
        let mut i = Inflater::new(false);
        let mut out = Vec::new();
        assert_eq!(
            i.inflate(&wire, &mut out, 1 << 20),
            Err(ProtocolError::TooBig)
        );
        assert!(out.len() <= 1 << 20);
    }

    #[test]
    fn an_empty_compressed_payload_is_an_empty_message() {
        let mut d = Deflater::new(15, 6, false);
        let mut i = Inflater::new(false);
        let mut wire = Vec::new();
        assert!(d.compress(b"Hello", &mut wire));
        let mut out = Vec::new();
        i.inflate(&wire, &mut out, 100).unwrap();
        i.finish(&mut out, 100).unwrap();
        // A peer that sends RSV1 with no payload at all.
        let mut out = Vec::new();
        i.inflate(&[], &mut out, 100).unwrap();
        i.finish(&mut out, 100).unwrap();
        assert!(out.is_empty());
        let mut wire = Vec::new();
        assert!(d.compress(b"Hello", &mut wire));
        i.inflate(&wire, &mut out, 100).unwrap();
        i.finish(&mut out, 100).unwrap();
        assert_eq!(out, b"Hello");
    }

    #[test]
    fn garbage_is_bad_compression() {
        let mut i = Inflater::new(false);
        let mut out = Vec::new();
        let r = i
            .inflate(&[0xff, 0xff, 0xff, 0xff, 0xff], &mut out, 100)
            .and_then(|_| i.finish(&mut out, 100));
        assert_eq!(r, Err(ProtocolError::BadCompression));
    }
}
