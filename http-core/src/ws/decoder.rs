//! The message decoder: fed whatever bytes arrived, it checks every frame
//! against RFC 6455 section 5, unmasks, reassembles fragments, inflates
//! permessage-deflate messages and validates text as it goes.
//!
//! ```text
//!            header complete                  payload complete
//!  Header ----------------------> Payload ----------------------> Header
//!    |  (bytes kept inside: a header     (a control frame: event;
//!    |   cut by a read boundary)          a data frame with FIN: the message)
//!    +-- a whole frame already in the input, unfragmented and uncompressed:
//!        unmasked in place and returned borrowing the input (no copy)
//! ```
//!
//! It consumes everything it is given (a header cut by a read boundary is
//! kept inside, at most 14 bytes), so after `Ok((n, None))` with
//! `n == input.len()` the caller's buffer is free. An error poisons it:
//! fail the connection with [`ProtocolError::close_code`].

use super::close::CloseCode;
use super::deflate::Inflater;
use super::frame::{FrameHeader, OpCode, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN};
use super::mask::apply_mask;
use super::utf8::Utf8Validator;
use super::{ProtocolError, Role};

/// The default limit on a message, after decompression (16 MiB).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 << 20;

/// A message buffer larger than this is freed after its message rather
/// than kept for the next one.
const RETAINED_BUFFER_BYTES: usize = 64 * 1024;

/// Room made in the message buffer for a frame's payload when its header
/// arrives, at most (bytes). A frame that does not arrive whole is joined
/// in this room instead of a buffer that doubles and copies itself as
/// reads come in (a 1 MiB message in 64 KiB reads was copied about twice
/// over and faulted in twice its size); capped so that a header alone
/// does not make a peer's connection take more address space than the
/// bytes it sent would.
const RESERVE_AHEAD_BYTES: usize = 1 << 20;

/// What a decoded frame or message is.
#[derive(Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// A whole text message, fragments joined, valid UTF-8.
    Text(&'a str),
    /// A whole binary message, fragments joined.
    Binary(&'a [u8]),
    /// A ping: answer with a pong of the same payload.
    Ping(&'a [u8]),
    /// A pong (solicited or not).
    Pong(&'a [u8]),
    /// A close frame: `None` when it carried no status code.
    Close(Option<CloseFrame<'a>>),
}

/// A close frame's status code and reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseFrame<'a> {
    pub code: CloseCode,
    pub reason: &'a str,
}

/// The frame whose payload is being read.
#[derive(Debug, Clone, Copy)]
struct Payload {
    header: FrameHeader,
    read: u64,
}

/// The data message being reassembled.
#[derive(Debug, Clone, Copy)]
struct Partial {
    text: bool,
    compressed: bool,
}

/// What a step found, without borrowing (the event is built after).
enum Found {
    Nothing,
    /// A whole frame in the input at `start..end`, unmasked in place.
    InPlace {
        start: usize,
        end: usize,
        opcode: OpCode,
    },
    /// A control frame gathered in `control[..len]`.
    Control {
        opcode: OpCode,
        len: usize,
    },
    /// A data message complete in `message`.
    Message {
        text: bool,
    },
}

/// A WebSocket frame and message decoder for one direction of one
/// connection.
pub struct Decoder {
    role: Role,
    max_message_bytes: usize,
    /// Boxed: most connections have none, and an idle one should be small.
    inflater: Option<Box<Inflater>>,
    header: [u8; MAX_HEADER_LEN],
    header_len: usize,
    payload: Option<Payload>,
    partial: Option<Partial>,
    message: Vec<u8>,
    /// `message` holds a delivered message, cleared on the next call.
    delivered: bool,
    /// A control frame's payload cut by a read boundary (rare: whole ones
    /// are lent from the input); freed after its event.
    control: Vec<u8>,
    utf8: Utf8Validator,
    failed: Option<ProtocolError>,
}

impl Decoder {
    /// A decoder for the frames `role` receives (a server expects masked
    /// frames, a client unmasked ones), with the default 16 MiB limit and
    /// no extension.
    pub fn new(role: Role) -> Decoder {
        Decoder {
            role,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            inflater: None,
            header: [0; MAX_HEADER_LEN],
            header_len: 0,
            payload: None,
            partial: None,
            message: Vec::new(),
            delivered: false,
            control: Vec::new(),
            utf8: Utf8Validator::new(),
            failed: None,
        }
    }

    /// Sets the limit on a message's size (after decompression): a larger
    /// one fails with [`ProtocolError::TooBig`] (close code 1009) as soon
    /// as it is known to be larger.
    pub fn with_max_message_bytes(mut self, limit: usize) -> Decoder {
        self.max_message_bytes = limit;
        self
    }

    /// Accepts RSV1 on a message's first frame and inflates such messages
    /// (permessage-deflate was negotiated).
    pub fn with_inflater(mut self, inflater: Inflater) -> Decoder {
        self.inflater = Some(Box::new(inflater));
        self
    }

    /// Decodes from `input` (which it may unmask in place) up to the next
    /// event: `Ok((consumed, Some(event)))`, or `Ok((input.len(), None))`
    /// when everything was taken and more bytes are needed. Call again
    /// with `&mut input[consumed..]` after an event.
    pub fn decode<'a>(
        &'a mut self,
        input: &'a mut [u8],
    ) -> Result<(usize, Option<Event<'a>>), ProtocolError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let (n, found) = match self.step(input) {
            Ok(r) => r,
            Err(e) => {
                self.failed = Some(e);
                return Err(e);
            }
        };
        let event = match found {
            Found::Nothing => None,
            Found::InPlace { start, end, opcode } => Some(event(opcode, &input[start..end])),
            Found::Control { opcode, len } => Some(event(opcode, &self.control[..len])),
            Found::Message { text: true } => Some(
                crate::ascii::to_str(&self.message)
                    .map(Event::Text)
                    .ok_or(ProtocolError::InvalidUtf8),
            ),
            Found::Message { text: false } => Some(Ok(Event::Binary(&self.message))),
        };
        match event.transpose() {
            Ok(ev) => Ok((n, ev)),
            Err(e) => {
                self.failed = Some(e);
                Err(e)
            }
        }
    }

    /// No frame or message is in progress (nothing held but the
    /// decompressor's window).
    pub fn is_idle(&self) -> bool {
        self.header_len == 0 && self.payload.is_none() && self.partial.is_none()
    }

    /// The message buffer's capacity (tests of its growth).
    #[cfg(test)]
    pub(crate) fn message_capacity(&self) -> usize {
        self.message.capacity()
    }

    /// Frees the message buffer if no message is in progress (an idle
    /// connection holds no buffer).
    pub fn release_buffers(&mut self) {
        if self.partial.is_none() {
            self.message = Vec::new();
            self.delivered = false;
        }
    }

    fn step(&mut self, input: &mut [u8]) -> Result<(usize, Found), ProtocolError> {
        if !self.control.is_empty() && self.payload.is_none() {
            self.control = Vec::new(); // delivered with the last event
        }
        if self.delivered {
            self.delivered = false;
            self.message.clear();
            if self.message.capacity() > RETAINED_BUFFER_BYTES {
                self.message = Vec::new();
            }
        }
        let mut pos = 0;
        loop {
            let mut payload = match self.payload {
                Some(p) => p,
                None => {
                    let Some((header, used)) = self.take_header(&input[pos..])? else {
                        return Ok((input.len(), Found::Nothing));
                    };
                    pos += used;
                    self.check_header(&header)?;
                    if let Some(found) = self.in_place(&header, input, pos)? {
                        let end = pos + header.payload_len as usize;
                        return Ok((end, found));
                    }
                    self.reserve_for(&header);
                    Payload { header, read: 0 }
                }
            };
            let left = payload.header.payload_len - payload.read;
            let take = left.min((input.len() - pos) as u64) as usize;
            let chunk = &mut input[pos..pos + take];
            if let Some(key) = payload.header.mask {
                apply_mask(chunk, key, payload.read as usize);
            }
            self.absorb(&payload, chunk)?;
            pos += take;
            payload.read += take as u64;
            if payload.read < payload.header.payload_len {
                self.payload = Some(payload);
                return Ok((pos, Found::Nothing)); // the input ran out
            }
            self.payload = None;
            let found = self.complete(&payload.header)?;
            if !matches!(found, Found::Nothing) || pos == input.len() {
                return Ok((pos, found));
            }
        }
    }

    /// The next header, from the bytes kept from earlier calls and
    /// `input`: how many bytes of `input` it used, or `None` when it is
    /// still incomplete (then all of `input` was kept).
    fn take_header(&mut self, input: &[u8]) -> Result<Option<(FrameHeader, usize)>, ProtocolError> {
        if self.header_len == 0 {
            return match FrameHeader::parse(input)? {
                Some(found) => Ok(Some(found)),
                None => {
                    self.header[..input.len()].copy_from_slice(input);
                    self.header_len = input.len();
                    Ok(None)
                }
            };
        }
        let kept = self.header_len;
        let take = (MAX_HEADER_LEN - kept).min(input.len());
        self.header[kept..kept + take].copy_from_slice(&input[..take]);
        match FrameHeader::parse(&self.header[..kept + take])? {
            Some((header, len)) => {
                self.header_len = 0;
                Ok(Some((header, len - kept)))
            }
            None => {
                self.header_len = kept + take;
                Ok(None)
            }
        }
    }

    /// Room for an uncompressed data frame's payload, which will be
    /// joined to the message (see [`RESERVE_AHEAD_BYTES`]); the limit was
    /// checked against the header already.
    fn reserve_for(&mut self, h: &FrameHeader) {
        let compressed = self.partial.is_some_and(|p| p.compressed);
        if h.opcode.is_control() || compressed {
            return;
        }
        let ahead = usize::try_from(h.payload_len)
            .map_or(RESERVE_AHEAD_BYTES, |n| n.min(RESERVE_AHEAD_BYTES));
        self.message.reserve(ahead);
    }

    /// RFC 6455 5.1-5.5 (and RFC 7692 6: RSV1 only on a message's first
    /// frame) for a header, before any of its payload is read.
    fn check_header(&mut self, h: &FrameHeader) -> Result<(), ProtocolError> {
        // Clients mask every frame; servers never do (5.1).
        if h.mask.is_some() != (self.role == Role::Server) {
            return Err(ProtocolError::Masking);
        }
        let first_data = matches!(h.opcode, OpCode::Text | OpCode::Binary);
        if h.rsv2 || h.rsv3 || (h.rsv1 && !(first_data && self.inflater.is_some())) {
            return Err(ProtocolError::ReservedBits);
        }
        if h.opcode.is_control() {
            if !h.fin {
                return Err(ProtocolError::FragmentedControl);
            }
            if h.payload_len > MAX_CONTROL_PAYLOAD as u64 {
                return Err(ProtocolError::ControlTooLong);
            }
            if h.opcode == OpCode::Close && h.payload_len == 1 {
                return Err(ProtocolError::CloseTooShort);
            }
            return Ok(());
        }
        match (h.opcode, self.partial) {
            (OpCode::Continuation, None) => return Err(ProtocolError::UnexpectedContinuation),
            (OpCode::Text | OpCode::Binary, Some(_)) => {
                return Err(ProtocolError::MessageInterrupted)
            }
            (OpCode::Text | OpCode::Binary, None) => {
                self.partial = Some(Partial {
                    text: h.opcode == OpCode::Text,
                    compressed: h.rsv1,
                });
            }
            _ => {}
        }
        let compressed = self.partial.is_some_and(|p| p.compressed);
        // Uncompressed sizes are known from the header: fail before reading.
        let total = self.message.len() as u64 + h.payload_len;
        if !compressed && total > self.max_message_bytes as u64 {
            return Err(ProtocolError::TooBig);
        }
        Ok(())
    }

    /// A whole frame already in `input` that needs no reassembly is
    /// unmasked and checked where it lies.
    fn in_place(
        &mut self,
        h: &FrameHeader,
        input: &mut [u8],
        pos: usize,
    ) -> Result<Option<Found>, ProtocolError> {
        let whole_data = h.fin && !h.rsv1 && matches!(h.opcode, OpCode::Text | OpCode::Binary);
        if !(whole_data || h.opcode.is_control()) || ((input.len() - pos) as u64) < h.payload_len {
            return Ok(None);
        }
        let end = pos + h.payload_len as usize;
        if let Some(key) = h.mask {
            apply_mask(&mut input[pos..end], key, 0);
        }
        if !h.opcode.is_control() {
            self.partial = None; // checked by check_header; nothing to join
        }
        Ok(Some(Found::InPlace {
            start: pos,
            end,
            opcode: h.opcode,
        }))
    }

    /// Takes an unmasked piece of the current frame's payload.
    fn absorb(&mut self, p: &Payload, chunk: &[u8]) -> Result<(), ProtocolError> {
        if p.header.opcode.is_control() {
            // At most 125 bytes in all (check_header).
            self.control.extend_from_slice(chunk);
            return Ok(());
        }
        let Some(partial) = self.partial else {
            return Ok(()); // ok: check_header set it for every data frame
        };
        let before = self.message.len();
        let inflated = match (&mut self.inflater, partial.compressed) {
            (Some(inflater), true) => {
                inflater.inflate(chunk, &mut self.message, self.max_message_bytes)
            }
            _ => {
                self.message.extend_from_slice(chunk);
                Ok(())
            }
        };
        // The text before an inflate fault is checked first: the verdict
        // is the first fault in the stream, however the input was cut.
        if partial.text {
            self.utf8
                .feed(&self.message[before..])
                .map_err(|_| ProtocolError::InvalidUtf8)?;
        }
        inflated
    }

    /// A frame's payload is all in: a control frame is an event, the last
    /// frame of a message completes it.
    fn complete(&mut self, h: &FrameHeader) -> Result<Found, ProtocolError> {
        if h.opcode.is_control() {
            return Ok(Found::Control {
                opcode: h.opcode,
                len: h.payload_len as usize,
            });
        }
        if !h.fin {
            return Ok(Found::Nothing);
        }
        let Some(partial) = self.partial.take() else {
            return Ok(Found::Nothing); // ok: check_header set it
        };
        if let (Some(inflater), true) = (&mut self.inflater, partial.compressed) {
            let before = self.message.len();
            let inflated = inflater.finish(&mut self.message, self.max_message_bytes);
            if partial.text {
                self.utf8
                    .feed(&self.message[before..])
                    .map_err(|_| ProtocolError::InvalidUtf8)?;
            }
            inflated?;
        }
        if partial.text {
            self.utf8.finish().map_err(|_| ProtocolError::InvalidUtf8)?;
        }
        self.delivered = true;
        Ok(Found::Message { text: partial.text })
    }
}

/// The event for a complete, unmasked payload.
fn event(opcode: OpCode, payload: &[u8]) -> Result<Event<'_>, ProtocolError> {
    match opcode {
        // ASCII checked a word at a time first: std's from_utf8 walks a
        // short text byte by byte (about 120 instructions for 64 bytes).
        OpCode::Text => crate::ascii::to_str(payload)
            .map(Event::Text)
            .ok_or(ProtocolError::InvalidUtf8),
        OpCode::Binary | OpCode::Continuation => Ok(Event::Binary(payload)),
        OpCode::Ping => Ok(Event::Ping(payload)),
        OpCode::Pong => Ok(Event::Pong(payload)),
        OpCode::Close => parse_close(payload).map(Event::Close),
    }
}

/// A close frame's payload (RFC 6455 5.5.1): empty, or a sendable code and
/// a UTF-8 reason.
pub fn parse_close(payload: &[u8]) -> Result<Option<CloseFrame<'_>>, ProtocolError> {
    match payload {
        [] => Ok(None),
        [_] => Err(ProtocolError::CloseTooShort),
        [a, b, reason @ ..] => {
            let code = CloseCode::from_u16(u16::from_be_bytes([*a, *b]));
            if !code.is_sendable() {
                return Err(ProtocolError::InvalidCloseCode(code.as_u16()));
            }
            let reason = std::str::from_utf8(reason).map_err(|_| ProtocolError::InvalidUtf8)?;
            Ok(Some(CloseFrame { code, reason }))
        }
    }
}
