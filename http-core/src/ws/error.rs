//! What a peer can do wrong on an open WebSocket, each with the close code
//! the endpoint answers with.

use super::CloseCode;
use std::fmt;

/// A violation of RFC 6455 section 5 (or 7692) by the peer, or a limit it
/// passed. The connection must be failed: send a close frame with
/// [`ProtocolError::close_code`], then close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtocolError {
    /// A client frame without a mask (or a server frame with one).
    Masking,
    /// RSV1, RSV2 or RSV3 set without an extension that defines it.
    ReservedBits,
    /// An opcode RFC 6455 reserves (0x3-0x7, 0xB-0xF).
    ReservedOpcode(u8),
    /// A 64-bit payload length with the most significant bit set.
    BadLength,
    /// A control frame with more than 125 bytes of payload.
    ControlTooLong,
    /// A control frame without FIN.
    FragmentedControl,
    /// A continuation frame with no message to continue.
    UnexpectedContinuation,
    /// A new text or binary frame inside a fragmented message.
    MessageInterrupted,
    /// A text message (or close reason) that is not UTF-8.
    InvalidUtf8,
    /// A close frame with a 1-byte payload.
    CloseTooShort,
    /// A close frame with a code that may not be sent.
    InvalidCloseCode(u16),
    /// A message over the endpoint's limit (counted after decompression).
    TooBig,
    /// A compressed message that does not inflate.
    BadCompression,
}

impl ProtocolError {
    /// The close code to fail the connection with: 1007 for bad data, 1009
    /// for size, 1002 for the rest.
    pub fn close_code(self) -> CloseCode {
        match self {
            ProtocolError::InvalidUtf8 | ProtocolError::BadCompression => CloseCode::InvalidPayload,
            ProtocolError::TooBig => CloseCode::TooBig,
            _ => CloseCode::Protocol,
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::Masking => f.write_str("frame masking does not match the sender's role"),
            ProtocolError::ReservedBits => f.write_str("reserved bits set without an extension"),
            ProtocolError::ReservedOpcode(op) => write!(f, "reserved opcode {op:#x}"),
            ProtocolError::BadLength => f.write_str("payload length with the top bit set"),
            ProtocolError::ControlTooLong => f.write_str("control frame over 125 bytes"),
            ProtocolError::FragmentedControl => f.write_str("fragmented control frame"),
            ProtocolError::UnexpectedContinuation => {
                f.write_str("continuation frame with no message to continue")
            }
            ProtocolError::MessageInterrupted => {
                f.write_str("new data frame inside a fragmented message")
            }
            ProtocolError::InvalidUtf8 => {
                f.write_str("invalid UTF-8 in a text message or close reason")
            }
            ProtocolError::CloseTooShort => f.write_str("close frame with a 1-byte payload"),
            ProtocolError::InvalidCloseCode(c) => write!(f, "invalid close code {c}"),
            ProtocolError::TooBig => f.write_str("message over the size limit"),
            ProtocolError::BadCompression => f.write_str("compressed message does not inflate"),
        }
    }
}

impl std::error::Error for ProtocolError {}
