//! What can go wrong with a WebSocket, named after what happened: before
//! the upgrade (the HTTP client's [`Error`]), the upgrade refused or
//! botched, the server breaking the framing rules, the connection lost.

use std::fmt;
use std::io;

use brisk_core::ws::{HandshakeError, ProtocolError};

use crate::error::Error;

/// Why a connection was lost (no close frame ended it).
#[derive(Debug)]
pub enum Lost {
    /// The server ended the stream without a close frame.
    Eof,
    /// The socket failed (a reset, a broken pipe).
    Io(io::Error),
    /// No pong (or any byte) came within the heartbeat's timeout.
    Heartbeat,
}

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lost::Eof => f.write_str("the server closed the connection without a close frame"),
            Lost::Io(e) => write!(f, "the connection failed: {e}"),
            Lost::Heartbeat => f.write_str("no answer to the heartbeat ping in time"),
        }
    }
}

/// Everything that can go wrong with a WebSocket.
#[derive(Debug)]
pub enum WsError {
    /// Before the upgrade: the URL, resolving, connecting, a proxy, TLS,
    /// a timeout, or a response that is not HTTP (curl's exit codes apply).
    Open(Error),
    /// The server answered the upgrade with another status.
    Refused {
        /// The status (403, 404, 200 ...).
        status: u16,
        /// The response head as received.
        head: Vec<u8>,
    },
    /// A 101 that does not complete the handshake (wrong
    /// `Sec-WebSocket-Accept`, an extension or subprotocol not offered).
    Handshake(HandshakeError),
    /// The server broke RFC 6455 (or a limit); the connection was failed
    /// with [`ProtocolError::close_code`] (1002, 1007, 1009).
    Protocol(ProtocolError),
    /// The connection was lost without a close frame: worth a reconnect.
    Lost(Lost),
    /// A wait passed its deadline (the session's, or a stuck write's).
    Timeout,
    /// The closing handshake is over: nothing more can be sent or received.
    Closed,
    /// A message the caller gave cannot be sent (a control payload over 125
    /// bytes, a close code that may not be sent).
    InvalidInput(&'static str),
}

impl WsError {
    /// True when the connection was lost (a reset, an end of stream
    /// without a close frame, a missed heartbeat), or could not be opened
    /// for a reason that may pass (refused or failed connect, timeout, a
    /// connection lost before the answer): what a reconnect policy retries.
    /// A refusal, a bad handshake, a protocol error, a certificate or a
    /// normal close are not retried.
    pub fn is_transient(&self) -> bool {
        match self {
            WsError::Lost(_) | WsError::Timeout => true,
            WsError::Open(e) => matches!(
                e,
                Error::Connect { .. }
                    | Error::Timeout { .. }
                    | Error::Io { .. }
                    | Error::EmptyReply
                    | Error::Resolve { .. }
            ),
            _ => false,
        }
    }
}

impl fmt::Display for WsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WsError::Open(e) => write!(f, "{e}"),
            WsError::Refused { status, .. } => {
                write!(f, "the server refused the WebSocket upgrade: HTTP {status}")
            }
            WsError::Handshake(e) => write!(f, "WebSocket handshake failed: {e}"),
            WsError::Protocol(e) => write!(
                f,
                "the server broke the WebSocket protocol ({e}); closed with {}",
                e.close_code()
            ),
            WsError::Lost(l) => write!(f, "WebSocket connection lost: {l}"),
            WsError::Timeout => f.write_str("WebSocket wait timed out"),
            WsError::Closed => f.write_str("the WebSocket is closed"),
            WsError::InvalidInput(why) => write!(f, "cannot send: {why}"),
        }
    }
}

impl std::error::Error for WsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WsError::Open(e) => Some(e),
            WsError::Handshake(e) => Some(e),
            WsError::Protocol(e) => Some(e),
            WsError::Lost(Lost::Io(e)) => Some(e),
            _ => None,
        }
    }
}

impl From<Error> for WsError {
    fn from(e: Error) -> WsError {
        WsError::Open(e)
    }
}
