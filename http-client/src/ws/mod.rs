//! # WebSocket client (RFC 6455, RFC 7692)
//!
//! A [`WebSocket`] opens through the same road as an HTTP request of the
//! same [`Client`](crate::Client): resolver thread and happy eyeballs,
//! `--resolve`-style resolvers, HTTP proxies (always a CONNECT tunnel),
//! SOCKS4/4a/5, HTTPS proxies, TLS with the client's trust settings; then
//! the upgrade request (extra headers, Basic credentials from the URL or a
//! header, cookies as a header, subprotocols, permessage-deflate when
//! asked) and the checks of the 101. The framing is `brisk_core::ws`, the
//! codec the server uses too, in the client role: every frame out is
//! masked with a fresh random key, and a masked frame from the server
//! fails the connection with 1002, bad UTF-8 with 1007, a message over the
//! limit with 1009.
//!
//! ```text
//!  WsBuilder::connect: route -> connect::open (resolve, TCP, proxy, TLS) -> upgrade GET
//!     -> exchange driver (deadlines) -> 101 checks (accept, protocol, deflate) -> WebSocket
//!  WebSocket: send_* / queue_* + flush -> Encoder (masked) -> Conn
//!             recv_timeout <- Decoder (unmask checks, UTF-8, limits, inflate) <- Conn
//!             (nothing to send, plain socket, no waker: the wait is one blocking recv)
//!             pings answered, heartbeat pings, close handshake, a WsWaker for other threads
//!  after a loss: WsBuilder::reconnect(ReconnectPolicy, hook): backoff with full jitter
//! ```
//!
//! ```no_run
//! use std::time::Duration;
//! use brisk_client::ws::{Message, ReconnectPolicy};
//! use brisk_client::Client;
//!
//! let client = Client::builder().connect_timeout(Duration::from_secs(5)).build();
//! let opener = client
//!     .websocket("ws://127.0.0.1:8080/echo")
//!     .header("Cookie", "session=abc")
//!     .protocols(["chat"])
//!     .deflate(true)
//!     .heartbeat(Duration::from_secs(20), Duration::from_secs(10));
//! let mut ws = opener.connect()?;
//! ws.send_text("hello")?;
//! match ws.recv_timeout(Some(Duration::from_secs(5)))? {
//!     Some(Message::Text(t)) => println!("{t}"),
//!     other => println!("{other:?}"),
//! }
//! ws.close(brisk_core::ws::CloseCode::Normal, "bye")?;
//! while let Ok(m) = ws.recv() {
//!     if let Message::Close(_) = m {
//!         break;
//!     }
//! }
//! // After a lost connection (never after a close), open again with backoff:
//! let ws = opener.reconnect(&ReconnectPolicy::default(), |a| eprintln!("attempt {}", a.number))?;
//! # drop(ws);
//! # Ok::<(), brisk_client::ws::WsError>(())
//! ```

mod backoff;
mod error;
mod open;
mod random;
mod socket;

pub use backoff::{Attempt, ReconnectPolicy, DEFAULT_INITIAL_DELAY, DEFAULT_MAX_DELAY};
pub use brisk_core::ws::CloseCode;
pub use error::{Lost, WsError};
pub use open::{http_url, is_ws_url, WsBuilder, DEFAULT_CLOSE_TIMEOUT, DEFAULT_WRITE_TIMEOUT};
pub use socket::{CloseStatus, Heartbeat, Message, WebSocket, WsWaker};
