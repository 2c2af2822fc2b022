//! The embedder's side: an [`Endpoint`] (callbacks on the worker's loop
//! thread), its [`WsSettings`], and [`WebSocket`], which answers upgrade
//! requests for it (`101`, or the refusal RFC 6455 4.2 calls for).

use super::conn::WsConn;
use super::topics::Topics;
use crate::upgrade::Upgrade;
use crate::{Request, Response, StatusCode};
use brisk_core::ws::{
    check_request, CloseCode, DeflateConfig, DeflateParams, DEFAULT_MAX_MESSAGE_BYTES,
};
use std::sync::Arc;
use std::time::Duration;

/// A whole message, reassembled from its fragments (and inflated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message<'a> {
    Text(&'a str),
    Binary(&'a [u8]),
}

/// What a WebSocket endpoint does, called on the connection's worker
/// thread (like inline HTTP handlers: keep each call short; hand blocking
/// work to a thread of your own and answer through [`WsConn::sender`]).
pub trait Endpoint: Send + Sync + 'static {
    /// Before the `101`: look at the request (`Origin`, path, cookies) and
    /// choose a subprotocol among those the client offers. `Err` refuses
    /// with that response. The default accepts without a subprotocol.
    fn handshake(&self, req: &Request, protocols: &[&str]) -> Result<Option<String>, Response> {
        let _ = (req, protocols);
        Ok(None)
    }
    /// The connection is open (the `101` is sent).
    fn open(&self, ws: &mut WsConn<'_>) {
        let _ = ws;
    }
    /// A whole message arrived.
    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>);
    /// The send buffer fell below [`WsSettings::max_backpressure_bytes`]
    /// after being above it.
    fn drain(&self, ws: &mut WsConn<'_>) {
        let _ = ws;
    }
    /// The connection is closed or closing: the peer's code, ours when we
    /// closed first, [`CloseCode::Abnormal`] (1006) when it ended without a
    /// close frame. Called once. Sends are dropped from here on.
    fn close(&self, ws: &mut WsConn<'_>, code: CloseCode, reason: &str) {
        let _ = (ws, code, reason);
    }
}

/// What to do with a message for a connection whose send buffer is over
/// [`WsSettings::max_backpressure_bytes`] (a peer that does not read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backpressure {
    /// Drop the message ([`super::SendStatus::Dropped`]).
    Drop,
    /// Close the connection with 1008 (policy violation); the close frame
    /// waits behind the buffer, so the TCP close follows after
    /// [`WsSettings::close_timeout`] at most.
    Close,
}

/// An endpoint's settings; [`Default`] gives the documented defaults.
#[derive(Debug, Clone)]
pub struct WsSettings {
    /// Largest message accepted, after decompression (default 16 MiB);
    /// larger ones close with 1009.
    pub max_message_bytes: usize,
    /// A connection silent this long gets a ping (default 30 s;
    /// `Duration::ZERO` sends none).
    pub ping_interval: Duration,
    /// No frame within this long after a ping: the connection is dropped
    /// and reported closed with 1006 (default 30 s).
    pub pong_timeout: Duration,
    /// How long to wait for the peer's close frame after ours, then for
    /// the last bytes to leave (default 5 s).
    pub close_timeout: Duration,
    /// A send buffer above this many bytes is backpressure: reading stops,
    /// [`Endpoint::drain`] is called once it falls below, and messages
    /// sent meanwhile meet [`WsSettings::backpressure`] (default 1 MiB).
    pub max_backpressure_bytes: usize,
    /// See [`Backpressure`] (default: close).
    pub backpressure: Backpressure,
    /// permessage-deflate when the client offers it (default on); `None`
    /// declines every offer.
    pub compression: Option<DeflateConfig>,
    /// A write that makes no progress for this long drops the connection
    /// (default 60 s, nginx's `send_timeout`).
    pub write_timeout: Duration,
}

impl Default for WsSettings {
    fn default() -> WsSettings {
        WsSettings {
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            ping_interval: Duration::from_secs(30),
            pong_timeout: Duration::from_secs(30),
            close_timeout: Duration::from_secs(5),
            max_backpressure_bytes: 1 << 20,
            backpressure: Backpressure::Close,
            compression: Some(DeflateConfig::default()),
            write_timeout: Duration::from_secs(60),
        }
    }
}

/// What every connection of one endpoint shares.
pub(crate) struct EndpointShared {
    pub(crate) endpoint: Box<dyn Endpoint>,
    pub(crate) settings: WsSettings,
    pub(crate) topics: Arc<Topics>,
}

/// A WebSocket endpoint: call [`WebSocket::upgrade`] from a handler for
/// the requests it serves. Cheap to clone, usable from any thread (to
/// [`WebSocket::publish`]).
#[derive(Clone)]
pub struct WebSocket {
    shared: Arc<EndpointShared>,
}

/// What a `101` carries to the session (`upgrade.rs`).
pub(crate) struct Accepted {
    pub(crate) shared: Arc<EndpointShared>,
    pub(crate) deflate: Option<DeflateParams>,
    pub(crate) protocol: Option<String>,
}

impl WebSocket {
    /// An endpoint with the default settings.
    pub fn new(endpoint: impl Endpoint) -> WebSocket {
        WebSocket::with_settings(endpoint, WsSettings::default())
    }

    /// An endpoint with `settings`.
    pub fn with_settings(endpoint: impl Endpoint, settings: WsSettings) -> WebSocket {
        WebSocket {
            shared: Arc::new(EndpointShared {
                endpoint: Box::new(endpoint),
                settings,
                topics: Arc::new(Topics::default()),
            }),
        }
    }

    /// The endpoint's settings.
    pub fn settings(&self) -> &WsSettings {
        &self.shared.settings
    }

    /// The endpoint's topics (publish from any thread).
    pub fn topics(&self) -> &Arc<Topics> {
        &self.shared.topics
    }

    /// Publishes to every subscriber of `topic`; how many it reached.
    pub fn publish(&self, topic: &str, msg: Message<'_>) -> usize {
        self.shared.topics.publish(topic, msg)
    }

    /// The answer to a request for this endpoint: `101 Switching
    /// Protocols` (the connection then becomes a WebSocket served by the
    /// endpoint), or a refusal: 400 for a bad handshake (another method, a
    /// missing or malformed key, no `Upgrade: websocket`), 426 with
    /// `Sec-WebSocket-Version: 13` for another version, 426 with
    /// `Upgrade: websocket` for a plain request, or what
    /// [`Endpoint::handshake`] returned.
    pub fn upgrade(&self, req: &Request) -> Response {
        let up = match check_request(req.method(), req.version(), req.headers()) {
            Ok(up) => up,
            Err(e) => {
                let status = StatusCode::new(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
                let mut resp = Response::text(status, format!("{e}\n"));
                if let Some((name, value)) = e.response_field() {
                    resp = resp.header(name, value);
                }
                return resp;
            }
        };
        let offered: Vec<&str> = up.protocols().collect();
        let protocol = match self.shared.endpoint.handshake(req, &offered) {
            Ok(p) => p,
            Err(refusal) => return refusal,
        };
        let negotiated = self
            .shared
            .settings
            .compression
            .as_ref()
            .and_then(|c| c.negotiate(up.extensions()));
        let mut resp = Response::new(StatusCode::SWITCHING_PROTOCOLS)
            .header("Upgrade", "websocket")
            .header("Connection", "Upgrade")
            .header("Sec-WebSocket-Accept", up.accept());
        if let Some(p) = &protocol {
            resp = resp.header("Sec-WebSocket-Protocol", p);
        }
        if let Some((_, answer)) = &negotiated {
            resp = resp.header("Sec-WebSocket-Extensions", answer);
        }
        resp.with_upgrade(Upgrade::WebSocket(Accepted {
            shared: self.shared.clone(),
            deflate: negotiated.map(|(p, _)| p),
            protocol,
        }))
    }
}
