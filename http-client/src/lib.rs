//! # http-client: a blocking HTTP/1.1 client with proxies
//!
//! A [`Client`] owns settings and a keep-alive pool; its API blocks, but
//! every socket inside is nonblocking (mio) and every wait is bounded by a
//! deadline: resolving (on a helper thread), connecting (asynchronous
//! connect with happy eyeballs), the proxy handshake, sending, and each
//! read of the response.
//!
//! - URLs: `http://` and `https://` ([`url`]); TLS is rustls ([`tls`]),
//!   set up at the end of the connection's opening, after any proxy
//!   handshake; [`ClientBuilder::tls`] takes curl's TLS settings.
//! - Proxies ([`proxy`]): HTTP forward (absolute-form) or CONNECT tunnel,
//!   the same over TLS to an HTTPS proxy ([`ClientBuilder::proxy_tls`]
//!   takes its trust settings), SOCKS4, SOCKS4a, SOCKS5 with no auth or user/password, local or remote
//!   name resolution; curl's environment variables and `NO_PROXY` rules.
//!   Each handshake is a sans-IO step machine ([`socks`], [`tunnel`]).
//! - Responses stream: [`Response::body`] reads `Content-Length`, chunked
//!   or close-delimited bodies; reading to the end returns the connection
//!   to the pool.
//! - One [`Error`] enum; [`Error::phase`] says where it failed.
//! - WebSocket ([`ws`]): `ws://` and `wss://` opened through the same road
//!   (proxies, TLS, deadlines), a blocking [`ws::WebSocket`] on
//!   `brisk_core::ws`'s codec (pongs, heartbeat, close handshake, the
//!   server's framing rules enforced), and [`ws::ReconnectPolicy`]
//!   (exponential backoff with full jitter) for after a lost connection.
//!
//! The parser, the encoder and the framing rules are `brisk-core`'s.
//!
//! ## Layers
//!
//! ```text
//!  client (request loop, redirects, replay) -- request (head encoding)
//!    |-- connect: resolve -> TCP (happy eyeballs) -> proxy handshakes -> TLS = net::Conn over a Transport
//!    |-- exchange::driver / BodyReader: I/O with deadlines
//!    |      `-- exchange::machine: the sans-IO exchange (bytes and time in, actions out)
//!    `-- pool: idle connections by (scheme, host, port, proxy)
//!  ws: WsBuilder (route + connect + the upgrade through the exchange driver) -> WebSocket
//!  leaves: trace, settings, error, url, proxy, handshake/socks/tunnel (sans-IO), transport
//! ```
//!
//! A module imports only modules below it; the leaves import none of the
//! layers above them. TLS is a `Transport` variant set up at the end of
//! `connect`, so neither the exchange nor the pool knows about it.
//!
//! ```
//! use std::io::{Read, Write};
//! use std::time::Duration;
//! use brisk_client::Client;
//!
//! // A one-shot origin on loopback, so this example runs as it is.
//! let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
//! let addr = listener.local_addr()?;
//! std::thread::spawn(move || {
//!     if let Ok((mut s, _)) = listener.accept() {
//!         let mut head = [0u8; 1024];
//!         let _ = s.read(&mut head);
//!         let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n");
//!     }
//! });
//!
//! let client = Client::builder()
//!     .connect_timeout(Duration::from_secs(5))
//!     .timeout(Duration::from_secs(10))
//!     .build();
//! let resp = client
//!     .get(&format!("http://{addr}/greeting"))
//!     .query_pair("lang", "en")
//!     .send()?;
//! assert_eq!(resp.status(), 200);
//! assert_eq!(resp.text(1 << 20)?, "hello\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Through a proxy (any of `http://`, `https://`, `socks4://`,
//! `socks4a://`, `socks5://`, `socks5h://`), or from the environment as
//! curl reads it:
//!
//! ```no_run
//! use brisk_client::{Client, NoProxy, Proxy, ProxyConfig};
//!
//! let via_socks = Client::builder()
//!     .proxy(ProxyConfig::Fixed(Proxy::parse("socks5h://127.0.0.1:1080")?, NoProxy::parse("localhost")))
//!     .build();
//! let from_env = Client::builder()
//!     .proxy(ProxyConfig::Environment { no_proxy_override: None, credentials: None, tunnel: false })
//!     .build();
//! let via_https_proxy = Client::builder()
//!     .proxy(ProxyConfig::Fixed(Proxy::parse("https://proxy.example:8443")?, NoProxy::default()))
//!     .proxy_tls(brisk_client::tls::TlsOptions {
//!         ca_file: Some("proxy-ca.pem".into()),
//!         ..Default::default()
//!     })
//!     .build();
//! # let _ = (via_socks, from_env, via_https_proxy);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod client;
mod connect;
pub mod cookie;
pub mod decode;
mod error;
mod exchange;
#[doc(hidden)]
pub mod fuzzing;
pub mod handshake;
pub mod multipart;
pub mod net;
mod pool;
pub mod proxy;
mod request;
mod response;
mod settings;
mod sockio;
pub mod socks;
pub mod tls;
mod trace;
mod transport;
pub mod tunnel;
pub mod unix;
pub mod url;
pub mod ws;

pub use brisk_core::{Headers, Limits, Method, StatusCode, Version};
pub use client::{
    Client, ClientBuilder, RequestBuilder, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_EXPECT_CONTINUE_THRESHOLD, DEFAULT_EXPECT_CONTINUE_WAIT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_REDIRECTS,
};
pub use error::{Error, Phase};
pub use exchange::{BodyReader, RequestBody};
pub use handshake::ProxyError;
pub use net::Resolve;
pub use pool::{DEFAULT_IDLE_EXPIRY, DEFAULT_MAX_IDLE_PER_HOST};
pub use proxy::{NoProxy, Proxy, ProxyConfig, ProxyKind};
pub use response::{Hop, Response, Timings};
pub use settings::{KeepPost, RedirectPolicy};
pub use trace::{Trace, TraceFn};
pub use url::{Credentials, Host, Scheme, Url, UrlError};

#[cfg(test)]
mod tests {
    /// The blocking API is shared across threads: a `Client` (and what it
    /// hands out) must be `Send + Sync` / `Send`.
    #[test]
    fn public_types_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<crate::Client>();
        send::<crate::Response>();
        send::<crate::BodyReader>();
        send_sync::<crate::Error>();
    }
}
