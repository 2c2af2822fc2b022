//! WebSocket (RFC 6455, permessage-deflate RFC 7692) on the worker loops.
//!
//! A handler answers a request with [`WebSocket::upgrade`]; the `101`
//! hands the connection to a WebSocket session (`session.rs`), a sibling
//! of the HTTP connection behind the same token (see `upgrade.rs`). The
//! protocol itself (handshake checks, framing, masking, fragments, UTF-8,
//! close codes, compression) is `brisk_core::ws`, shared with the client.
//!
//! - [`Endpoint`]: the application's callbacks, on the worker's loop
//!   thread: `open`, `message` (whole messages: `&str` or `&[u8]`),
//!   `drain`, `close` (code and reason; 1006 when the connection ended
//!   without a close frame);
//! - [`WsConn`]: the connection inside a callback: send, close, subscribe,
//!   publish, per-connection data, a [`WsSender`] for other threads;
//! - [`Topics`]: publish once, delivered to every subscriber; a [`Relay`]
//!   carries publishes to other processes (`redis::RedisRelay` with the
//!   `redis` cargo feature);
//! - [`WsSettings`]: limits, heartbeat, backpressure policy, compression.
//!
//! ```no_run
//! use brisk_server::ws::{Endpoint, Message, WebSocket, WsConn};
//! use brisk_server::{Response, Server, StatusCode};
//!
//! struct Echo;
//! impl Endpoint for Echo {
//!     fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
//!         ws.send(msg);
//!     }
//! }
//!
//! let echo = WebSocket::new(Echo);
//! Server::bind("127.0.0.1:8080")?.serve(move |req: &brisk_server::Request| match req.path() {
//!     "/echo" => echo.upgrade(req),
//!     _ => Response::text(StatusCode::NOT_FOUND, "not found\n"),
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```

mod conn;
mod endpoint;
#[cfg(feature = "redis")]
pub mod redis;
mod sender;
mod session;
mod topics;

pub use brisk_core::ws::{CloseCode, DeflateConfig};
pub use conn::{SendStatus, WsConn};
pub use endpoint::{Backpressure, Endpoint, Message, WebSocket, WsSettings};
pub use sender::WsSender;
pub use topics::{Relay, Topics};

pub(crate) use endpoint::Accepted;
pub(crate) use sender::Command;
pub(crate) use session::{WsCtx, WsSession};
