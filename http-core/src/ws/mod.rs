//! # WebSocket (RFC 6455, RFC 7692), sans-IO, for both roles
//!
//! The pieces a WebSocket endpoint needs that can be decided from bytes
//! alone; the server (`brisk-server`) and the client use the same code:
//!
//! - [`handshake`]: the server's checks of an upgrade request
//!   ([`check_request`], with the status to refuse with), `Sec-WebSocket-Accept`
//!   ([`accept_key`]), the client's key ([`client_key`]) and its check of
//!   the answer ([`check_response`]);
//! - [`FrameHeader`] and [`OpCode`]: the frame layout, parse and encode;
//!   [`apply_mask`]: masking, resumable at any offset;
//! - [`Decoder`]: fed whatever bytes arrived, it enforces RFC 6455 section 5
//!   (masking by role, RSV bits, reserved opcodes, control frame rules,
//!   fragmentation), reassembles fragmented messages, checks UTF-8 as the
//!   fragments arrive (failing at the first bad byte), checks close codes,
//!   enforces the message limit and inflates permessage-deflate messages
//!   within it; every violation is a [`ProtocolError`] that names its close
//!   code (1002, 1007 or 1009);
//! - [`Encoder`], [`encode_frame`], [`encode_control`], [`encode_close`]:
//!   frames out, masked when the caller supplies a key (a client must, with
//!   a fresh random key per frame; this crate has no random source);
//! - [`deflate`]: permessage-deflate negotiation for both roles
//!   ([`DeflateConfig::negotiate`], [`DeflateOffer`]) and its codec.
//!
//! A server reads masked frames and writes unmasked ones; a client the
//! reverse. The [`Role`] given to the [`Decoder`] decides which frames it
//! accepts.
//!
//! ```
//! use brisk_core::ws::{Decoder, Encoder, Event, Role, CloseCode, encode_close};
//!
//! // A client sends a masked text message and a close frame...
//! let mut wire = Vec::new();
//! Encoder::new().message(&mut wire, true, "hello".as_bytes(), Some([1, 2, 3, 4]));
//! encode_close(&mut wire, CloseCode::Normal, "bye", Some([5, 6, 7, 8]));
//!
//! // ...which the server decodes, whatever the read boundaries were.
//! let mut server = Decoder::new(Role::Server);
//! let mut input = &mut wire[..];
//! let (n, event) = server.decode(input)?;
//! assert_eq!(event, Some(Event::Text("hello")));
//! input = &mut input[n..];
//! match server.decode(input)? {
//!     (_, Some(Event::Close(Some(close)))) => {
//!         assert_eq!((close.code, close.reason), (CloseCode::Normal, "bye"));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), brisk_core::ws::ProtocolError>(())
//! ```

mod close;
mod decoder;
pub mod deflate;
mod encoder;
mod error;
mod frame;
pub mod handshake;
mod mask;
mod utf8;

#[cfg(test)]
mod tests;

pub use close::CloseCode;
pub use decoder::{parse_close, CloseFrame, Decoder, Event, DEFAULT_MAX_MESSAGE_BYTES};
pub use deflate::{DeflateConfig, DeflateOffer, DeflateParams, Deflater, Inflater};
pub use encoder::{close_payload, encode_close, encode_control, encode_frame, Encoder};
pub use error::ProtocolError;
pub use frame::{FrameHeader, OpCode, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN};
pub use handshake::{
    accept_key, check_request, check_response, client_key, HandshakeError, UpgradeRequest,
};
pub use mask::apply_mask;
pub use utf8::{InvalidUtf8, Utf8Validator};

/// Which end of the connection this is: decides which frames are masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Receives masked frames, sends unmasked ones.
    Server,
    /// Receives unmasked frames, sends masked ones.
    Client,
}
