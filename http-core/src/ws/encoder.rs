//! Frames out: a whole message as one frame (compressed when
//! permessage-deflate is on and the message is worth it), control frames,
//! and the close frame. Masking is the caller's choice per frame: a client
//! passes a fresh random key for every frame (RFC 6455 5.3), a server
//! `None`.

use super::close::CloseCode;
use super::deflate::Deflater;
use super::frame::{FrameHeader, OpCode, MAX_CONTROL_PAYLOAD};
use super::mask::apply_mask;

/// Appends one frame, header and payload, masking the copy of the payload
/// when `mask` is given.
pub fn encode_frame(
    out: &mut Vec<u8>,
    fin: bool,
    opcode: OpCode,
    payload: &[u8],
    mask: Option<[u8; 4]>,
) {
    let header = FrameHeader::new(fin, opcode, mask, payload.len() as u64);
    write_frame(out, header, payload);
}

fn write_frame(out: &mut Vec<u8>, header: FrameHeader, payload: &[u8]) {
    out.reserve(header.encoded_len() + payload.len());
    header.encode(out);
    let start = out.len();
    out.extend_from_slice(payload);
    if let Some(key) = header.mask {
        apply_mask(&mut out[start..], key, 0);
    }
}

/// A close frame's payload: the code, then the reason cut to fit 125
/// bytes at a character boundary. Codes that may not be sent (1005, 1006,
/// 1015) give an empty payload.
pub fn close_payload(code: CloseCode, reason: &str) -> ([u8; MAX_CONTROL_PAYLOAD], usize) {
    let mut buf = [0u8; MAX_CONTROL_PAYLOAD];
    if !code.is_sendable() {
        return (buf, 0);
    }
    buf[..2].copy_from_slice(&code.as_u16().to_be_bytes());
    let mut end = reason.len().min(MAX_CONTROL_PAYLOAD - 2);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    buf[2..2 + end].copy_from_slice(&reason.as_bytes()[..end]);
    (buf, 2 + end)
}

/// Appends a close frame with `code` and `reason` (see [`close_payload`]).
pub fn encode_close(out: &mut Vec<u8>, code: CloseCode, reason: &str, mask: Option<[u8; 4]>) {
    let (payload, len) = close_payload(code, reason);
    encode_frame(out, true, OpCode::Close, &payload[..len], mask);
}

/// Appends a ping or pong; a payload over 125 bytes is cut to 125.
pub fn encode_control(out: &mut Vec<u8>, opcode: OpCode, payload: &[u8], mask: Option<[u8; 4]>) {
    let len = payload.len().min(MAX_CONTROL_PAYLOAD);
    encode_frame(out, true, opcode, &payload[..len], mask);
}

/// The message encoder of one connection: keeps the compressor (and its
/// window) when permessage-deflate was negotiated.
pub struct Encoder {
    /// Boxed: most connections have none, and an idle one should be small.
    deflate: Option<Box<(Deflater, usize)>>,
    scratch: Vec<u8>,
}

impl Encoder {
    /// An encoder without compression.
    pub fn new() -> Encoder {
        Encoder {
            deflate: None,
            scratch: Vec::new(),
        }
    }

    /// An encoder that compresses messages of at least `min_compress_len`
    /// bytes (shorter ones gain nothing and go as they are).
    pub fn with_deflater(deflater: Deflater, min_compress_len: usize) -> Encoder {
        Encoder {
            deflate: Some(Box::new((deflater, min_compress_len))),
            scratch: Vec::new(),
        }
    }

    /// Whether messages may go compressed.
    pub fn compresses(&self) -> bool {
        self.deflate.is_some()
    }

    /// Appends a whole message as one frame (text if `text`, else binary).
    pub fn message(
        &mut self,
        out: &mut Vec<u8>,
        text: bool,
        payload: &[u8],
        mask: Option<[u8; 4]>,
    ) {
        let opcode = if text { OpCode::Text } else { OpCode::Binary };
        if let Some(deflate) = &mut self.deflate {
            let (deflater, min) = &mut **deflate;
            if payload.len() >= *min {
                self.scratch.clear();
                if deflater.compress(payload, &mut self.scratch) {
                    let mut header =
                        FrameHeader::new(true, opcode, mask, self.scratch.len() as u64);
                    header.rsv1 = true;
                    write_frame(out, header, &self.scratch);
                    self.release_scratch();
                    return;
                }
            }
        }
        encode_frame(out, true, opcode, payload, mask);
    }

    /// Drops a large scratch buffer so an idle connection keeps none.
    fn release_scratch(&mut self) {
        if self.scratch.capacity() > 64 * 1024 {
            self.scratch = Vec::new();
        }
    }
}

impl Default for Encoder {
    fn default() -> Encoder {
        Encoder::new()
    }
}
