//! The upgrade hand-off (RFC 9110 7.8): a handler answers `101 Switching
//! Protocols` with an [`Upgrade`] attached; the HTTP connection sends the
//! `101`, stops parsing, and once the `101` is in the kernel gives its
//! transport and every byte it read past the upgrade request (pipelined
//! bytes belong to the new protocol) to the session the `Upgrade` names.
//!
//! ```text
//!  conn/: Head --(handler: 101 + Upgrade)--> Upgrading --(101 flushed)--> Handoff
//!  service.rs: Peer::Http(Conn) --(Handoff)--> Peer::<new kind>(session)
//! ```
//!
//! The loop never learns of it: the token, the socket and its
//! registration stay the same; only the session behind the token changes
//! kind (`service.rs`, `Peer`). A new protocol is a new variant here and
//! in `Peer`.

use std::fmt;
use std::net::SocketAddr;

/// What a `101` switches to, with what its session needs from the
/// handshake.
pub(crate) enum Upgrade {
    /// RFC 6455: the endpoint and the negotiated parameters.
    WebSocket(crate::ws::Accepted),
}

impl fmt::Debug for Upgrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Upgrade::WebSocket(_) => f.write_str("Upgrade::WebSocket"),
        }
    }
}

/// What the HTTP connection hands over.
pub(crate) struct Handoff<T> {
    pub(crate) transport: T,
    pub(crate) peer: SocketAddr,
    /// Bytes read after the upgrade request, in order; the new protocol's.
    pub(crate) read_ahead: Vec<u8>,
    pub(crate) upgrade: Upgrade,
}
