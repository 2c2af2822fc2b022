//! The shape shared by every proxy handshake (SOCKS4/4a, SOCKS5, HTTP
//! CONNECT): pure encode/decode steps, driven by an I/O loop elsewhere.
//!
//! ```text
//!   driver                          handshake (no I/O)
//!   ------                          ------------------
//!   send(first_message())  ------>
//!   read bytes, append to buf
//!   on_reply(&buf)         ------>  NeedMore            -> read more
//!                                   Next{consumed,send} -> drop consumed, send, read
//!                                   Done{consumed}      -> drop consumed; the rest of
//!                                                          buf already belongs to the tunnel
//!                                   Err(ProxyError)     -> give up the connection
//!   EOF                    ------>  on_eof(&buf) -> the best error for what arrived
//! ```
//!
//! The driver sends each step only after the previous reply (lockstep):
//! some servers (microsocks) hang when greeting and request arrive in one
//! write.

use std::fmt;

/// What the driver does after feeding the received bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Progress {
    /// The reply is incomplete: read more bytes and call again with all of them.
    NeedMore,
    /// A reply of `consumed` bytes was accepted; send `send` next.
    Next {
        /// Bytes of the buffer that the reply used.
        consumed: usize,
        /// The next message.
        send: Vec<u8>,
    },
    /// The tunnel is open; bytes after `consumed` already belong to it.
    Done {
        /// Bytes of the buffer that the final reply used.
        consumed: usize,
    },
}

/// A proxy handshake as a sans-IO state machine.
pub trait Handshake {
    /// The first message to send.
    fn first_message(&mut self) -> Result<Vec<u8>, ProxyError>;
    /// Feeds every byte received since the last accepted reply.
    fn on_reply(&mut self, received: &[u8]) -> Result<Progress, ProxyError>;
    /// The peer closed before the reply was complete.
    fn on_eof(&mut self, received: &[u8]) -> ProxyError {
        let _ = received;
        ProxyError::ClosedEarly
    }
    /// True for handshakes that speak HTTP (CONNECT): their request and
    /// reply heads are shown to the observer (`fetch -v`, `-i`).
    fn speaks_http(&self) -> bool {
        false
    }
    /// The last reply head, as the handshake's own parser delimited it
    /// (empty before one is complete, and for binary protocols). A
    /// refused CONNECT's head is here too.
    fn reply_head(&self) -> &[u8] {
        &[]
    }
}

/// Why a proxy handshake failed: one variant per reply code of the specs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyError {
    /// The proxy closed the connection before its reply was complete.
    ClosedEarly,
    /// SOCKS4 can only carry an IPv4 address.
    Socks4NeedsIpv4,
    /// A host name longer than SOCKS allows (255 bytes) or containing NUL.
    BadHostName,
    /// A user name or password longer than 255 bytes (RFC 1929) or with NUL.
    BadCredentials,
    /// The reply did not start with the expected version byte.
    BadVersion {
        /// The protocol we spoke (4 or 5, or 1 for RFC 1929).
        expected: u8,
        /// What the proxy sent.
        got: u8,
    },
    /// SOCKS4 0x5B: request rejected or failed.
    Socks4Rejected,
    /// SOCKS4 0x5C: the proxy could not reach our identd.
    Socks4IdentdUnreachable,
    /// SOCKS4 0x5D: identd reported a different user id.
    Socks4IdentdMismatch,
    /// A SOCKS4 reply code outside the spec.
    Socks4Unknown(u8),
    /// SOCKS5 0xFF: none of our authentication methods is acceptable
    /// (`needs_auth` when we offered no credentials).
    Socks5NoAcceptableMethod {
        /// True when we had no credentials to offer.
        offered_credentials: bool,
    },
    /// SOCKS5: the server chose a method we did not offer.
    Socks5UnexpectedMethod(u8),
    /// RFC 1929: the server refused the user name and password.
    Socks5AuthFailed(u8),
    /// SOCKS5 REP 0x01.
    Socks5GeneralFailure,
    /// SOCKS5 REP 0x02.
    Socks5NotAllowed,
    /// SOCKS5 REP 0x03.
    Socks5NetworkUnreachable,
    /// SOCKS5 REP 0x04.
    Socks5HostUnreachable,
    /// SOCKS5 REP 0x05.
    Socks5ConnectionRefused,
    /// SOCKS5 REP 0x06.
    Socks5TtlExpired,
    /// SOCKS5 REP 0x07.
    Socks5CommandNotSupported,
    /// SOCKS5 REP 0x08.
    Socks5AddressTypeNotSupported,
    /// A SOCKS5 REP outside the spec.
    Socks5Unknown(u8),
    /// A SOCKS5 reply with an unknown address type.
    Socks5BadAddressType(u8),
    /// HTTP CONNECT answered with a non-2xx status.
    ConnectRefused {
        /// The status code.
        status: u16,
        /// The reason phrase as sent.
        reason: String,
    },
    /// The CONNECT reply was not valid HTTP.
    ConnectBadReply(String),
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ProxyError::*;
        match self {
            ClosedEarly => f.write_str("proxy closed the connection during the handshake"),
            Socks4NeedsIpv4 => f.write_str("SOCKS4 can only connect to IPv4 addresses"),
            BadHostName => f.write_str("host name too long for SOCKS (max 255 bytes)"),
            BadCredentials => f.write_str("SOCKS user name or password too long (max 255 bytes)"),
            BadVersion { expected, got } => write!(
                f,
                "proxy replied with version {got:#04x}, expected {expected:#04x}: not a SOCKS{expected} proxy?"
            ),
            Socks4Rejected => f.write_str("SOCKS4 request rejected or failed (0x5b)"),
            Socks4IdentdUnreachable => {
                f.write_str("SOCKS4 request rejected: proxy cannot reach client identd (0x5c)")
            }
            Socks4IdentdMismatch => {
                f.write_str("SOCKS4 request rejected: identd reports a different user id (0x5d)")
            }
            Socks4Unknown(c) => write!(f, "SOCKS4 unknown reply code {c:#04x}"),
            Socks5NoAcceptableMethod { offered_credentials: false } => {
                f.write_str("SOCKS5 proxy requires authentication (no acceptable method)")
            }
            Socks5NoAcceptableMethod { offered_credentials: true } => {
                f.write_str("SOCKS5 proxy accepts none of our authentication methods")
            }
            Socks5UnexpectedMethod(m) => {
                write!(f, "SOCKS5 proxy chose method {m:#04x}, which we did not offer")
            }
            Socks5AuthFailed(s) => {
                write!(f, "SOCKS5 user name/password authentication failed (status {s:#04x})")
            }
            Socks5GeneralFailure => f.write_str("SOCKS5 general server failure (0x01)"),
            Socks5NotAllowed => f.write_str("SOCKS5 connection not allowed by ruleset (0x02)"),
            Socks5NetworkUnreachable => f.write_str("SOCKS5 network unreachable (0x03)"),
            Socks5HostUnreachable => f.write_str("SOCKS5 host unreachable (0x04)"),
            Socks5ConnectionRefused => f.write_str("SOCKS5 connection refused by target (0x05)"),
            Socks5TtlExpired => f.write_str("SOCKS5 TTL expired (0x06)"),
            Socks5CommandNotSupported => f.write_str("SOCKS5 command not supported (0x07)"),
            Socks5AddressTypeNotSupported => {
                f.write_str("SOCKS5 address type not supported (0x08)")
            }
            Socks5Unknown(c) => write!(f, "SOCKS5 unknown reply code {c:#04x}"),
            Socks5BadAddressType(t) => write!(f, "SOCKS5 reply with unknown address type {t:#04x}"),
            ConnectRefused { status, reason } => {
                write!(f, "CONNECT tunnel failed, response {status} {reason}")
            }
            ConnectBadReply(why) => write!(f, "bad CONNECT reply from proxy: {why}"),
        }
    }
}

impl std::error::Error for ProxyError {}
