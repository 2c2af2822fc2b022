//! Opening a WebSocket: the same road as an HTTP request (route, resolve,
//! happy eyeballs, proxy handshakes, TLS: [`crate::connect::open`], always
//! a CONNECT tunnel through an HTTP proxy, as browsers do), then the
//! upgrade request through the exchange driver (every wait under the
//! client's deadlines), then the answer's checks: 101,
//! `Sec-WebSocket-Accept`, the subprotocol and permessage-deflate
//! parameters against what was offered (`brisk_core::ws::handshake`).

use std::thread;
use std::time::{Duration, Instant};

use brisk_core::ws::handshake::response_protocol;
use brisk_core::ws::{check_response, client_key, Decoder, DeflateOffer, Encoder, Role};
use brisk_core::{Headers, Method};

use super::backoff::{Attempt, ReconnectPolicy};
use super::error::WsError;
use super::random::RandomPool;
use super::socket::{Heartbeat, Setup, WebSocket};
use crate::client::Client;
use crate::error::Error;
use crate::exchange::driver;
use crate::exchange::machine::{Exchange, Plan};
use crate::exchange::{Deadlines, Framing, RequestBody};
use crate::request::{is_safe_header, CookiePlan, Req};
use crate::response::Timings;
use crate::trace::Trace;
use crate::url::{split_scheme, Credentials, Url, UrlError};

/// zlib level for the messages we compress.
const DEFLATE_LEVEL: u32 = 6;
/// Messages shorter than this go uncompressed.
const MIN_COMPRESS_BYTES: usize = 64;
/// Default wait for a write the socket does not take.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default wait for the server's close frame after ours.
pub const DEFAULT_CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Fields the opening handshake owns: a caller's value for one of them
/// would break the handshake, so they are dropped from the caller's
/// headers (`Sec-WebSocket-Protocol` becomes the offered list instead).
const HANDSHAKE_FIELDS: [&str; 6] = [
    "upgrade",
    "connection",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
    "sec-websocket-protocol",
];

/// A `ws://` or `wss://` URL as the `http://` or `https://` URL it means
/// on the wire (same default ports, same `Host`); `http`/`https` URLs
/// pass as they are. Another scheme is [`UrlError::UnsupportedScheme`].
pub fn http_url(url: &str) -> Result<Url, UrlError> {
    let trimmed = url.trim();
    match split_scheme(trimmed) {
        Some((s, rest)) if s.eq_ignore_ascii_case("ws") => Url::parse(&format!("http://{rest}")),
        Some((s, rest)) if s.eq_ignore_ascii_case("wss") => Url::parse(&format!("https://{rest}")),
        _ => Url::parse(trimmed),
    }
}

/// True for a `ws://` or `wss://` URL.
pub fn is_ws_url(url: &str) -> bool {
    split_scheme(url.trim())
        .is_some_and(|(s, _)| s.eq_ignore_ascii_case("ws") || s.eq_ignore_ascii_case("wss"))
}

/// A WebSocket to open (and reopen): the URL, the request's headers, the
/// offers, and the open socket's settings. Made by [`Client::websocket`]
/// or [`crate::RequestBuilder::websocket`]; reusable.
pub struct WsBuilder {
    client: Client,
    url: Result<Url, SetupError>,
    headers: Headers,
    removed: Vec<String>,
    misuse: Option<&'static str>,
    protocols: Vec<String>,
    deflate: Option<DeflateOffer>,
    max_message_bytes: usize,
    heartbeat: Option<Heartbeat>,
    write_timeout: Duration,
    close_timeout: Duration,
    /// Basic credentials (the caller's; else the URL's), sent as for HTTP.
    credentials: Option<Credentials>,
    /// The `Cookie` line's place and fixed text (curl's `-b STRING`); the
    /// client's jar adds its cookies for the URL.
    cookies: CookiePlan,
}

impl std::fmt::Debug for WsBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WsBuilder({:?})", self.url.as_ref().ok())
    }
}

impl Client {
    /// A WebSocket to `url` (`ws://`, `wss://`; `http(s)://` work too),
    /// opened by [`WsBuilder::connect`] with this client's settings:
    /// proxies, TLS, resolver, timeouts, User-Agent, tracing.
    pub fn websocket(&self, url: &str) -> WsBuilder {
        WsBuilder::from_parts(
            self.clone(),
            http_url(url).map_err(Error::Url),
            Headers::new(),
            Vec::new(),
            None,
        )
    }
}

impl WsBuilder {
    pub(crate) fn from_parts(
        client: Client,
        url: Result<Url, Error>,
        headers: Headers,
        removed: Vec<String>,
        misuse: Option<&'static str>,
    ) -> WsBuilder {
        let mut b = WsBuilder {
            client,
            url: url.map_err(SetupError::from_error),
            headers: Headers::new(),
            removed: removed
                .into_iter()
                .filter(|r| !HANDSHAKE_FIELDS.contains(&r.as_str()))
                .collect(),
            misuse,
            protocols: Vec::new(),
            deflate: None,
            max_message_bytes: brisk_core::ws::DEFAULT_MAX_MESSAGE_BYTES,
            heartbeat: None,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            close_timeout: DEFAULT_CLOSE_TIMEOUT,
            credentials: None,
            cookies: CookiePlan::default(),
        };
        for (name, value) in headers.iter() {
            b = b.header(name, value);
        }
        b
    }

    /// The credentials and cookie text of a [`crate::RequestBuilder`]
    /// turned into a WebSocket, placed in the upgrade as in an HTTP request.
    pub(crate) fn with_auth_and_cookies(
        mut self,
        credentials: Option<Credentials>,
        cookies: CookiePlan,
    ) -> WsBuilder {
        self.credentials = credentials;
        self.cookies = cookies;
        self
    }

    /// Adds a header (cookies, `Origin`, credentials...); one with the
    /// name of a default (`Host`, `User-Agent`, `Accept`) replaces it.
    /// `Sec-WebSocket-Protocol` adds to the offered subprotocols; the
    /// other handshake fields are the opening's own and are ignored.
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        let value = value.as_ref();
        let lower = name.to_ascii_lowercase();
        if lower == "sec-websocket-protocol" {
            let list = String::from_utf8_lossy(value).into_owned();
            for p in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                self.protocols.push(p.to_string());
            }
        } else if HANDSHAKE_FIELDS.contains(&lower.as_str()) {
            // The opening sets these itself.
        } else if !is_safe_header(name, value) {
            if self.url.is_ok() {
                self.url = Err(SetupError::Header(name.to_string()));
            }
        } else {
            self.headers.append(name, value);
        }
        self
    }

    /// Offers subprotocols, in order of preference; the server's choice
    /// is [`WebSocket::protocol`].
    pub fn protocols<I: IntoIterator<Item = S>, S: Into<String>>(mut self, list: I) -> Self {
        self.protocols.extend(list.into_iter().map(Into::into));
        self
    }

    /// Offers permessage-deflate (RFC 7692) when `on`.
    pub fn deflate(mut self, on: bool) -> Self {
        self.deflate = on.then(DeflateOffer::default);
        self
    }

    /// The largest message accepted, after decompression (default 16
    /// MiB); a larger one fails the connection with 1009.
    pub fn max_message_bytes(mut self, limit: usize) -> Self {
        self.max_message_bytes = limit;
        self
    }

    /// Pings after `interval` without anything received, and reports the
    /// connection lost when the pong is `timeout` late.
    pub fn heartbeat(mut self, interval: Duration, timeout: Duration) -> Self {
        self.heartbeat = Some(Heartbeat { interval, timeout });
        self
    }

    /// Longest wait for the socket to take a message (default 30 s).
    pub fn write_timeout(mut self, d: Duration) -> Self {
        self.write_timeout = d;
        self
    }

    /// Longest wait for the server's close frame after ours (default 5 s).
    pub fn close_timeout(mut self, d: Duration) -> Self {
        self.close_timeout = d;
        self
    }

    /// Opens the connection and runs the handshake, every wait under the
    /// client's connect timeout, idle timeout and total timeout.
    pub fn connect(&self) -> Result<WebSocket, WsError> {
        if let Some(why) = self.misuse {
            return Err(WsError::InvalidInput(why));
        }
        let url = match &self.url {
            Ok(u) => u.clone(),
            Err(e) => return Err(WsError::Open(e.to_error())),
        };
        let mut random = RandomPool::new();
        let mut nonce = [0u8; 16];
        random.fill(&mut nonce);
        let key = client_key(nonce);
        let req = self.request(url, &key);
        let started = Instant::now();
        let client = &self.client;
        let mut route = client.route(&req)?;
        // RFC 6455 4.1: through an HTTP proxy, a WebSocket is a CONNECT tunnel.
        route.proxy = route.proxy.map(|p| p.with_tunnel(true));
        let mut timings = Timings::default();
        let (mut conn, _id, _) = client.connection(&req, &route, false, started, &mut timings)?;
        let s = &client.inner.settings;
        let head = req.encode_head(s.user_agent.as_deref(), None, route.proxy.as_ref(), false);
        let tracer = &client.inner.tracer;
        tracer.emit(&Trace::RequestHead(&head));
        let exchange = Exchange::new(Plan {
            method: Method::Get,
            head,
            framing: Framing::None,
            expect_continue: false,
            expect_wait: s.expect_wait,
            limits: s.limits,
            deadlines: Deadlines {
                total: s.total_timeout.map(|t| started + t),
                idle: s.idle_timeout,
            },
        });
        let mut body = RequestBody::Empty;
        let (received, _) = driver::send_and_read_head(&mut conn, exchange, &mut body, tracer)
            .map_err(|f| WsError::Open(f.error))?;
        for raw in &received.interim {
            tracer.emit(&Trace::ResponseHead(raw));
        }
        tracer.emit(&Trace::ResponseHead(&received.raw));
        let status = received.head.status.as_u16();
        if status != 101 {
            return Err(WsError::Refused {
                status,
                head: received.raw,
            });
        }
        let setup = self.check_answer(&received.head.headers, &key)?;
        Ok(WebSocket::new(conn, setup))
    }

    /// Opens again after a lost connection, as `policy` says: before
    /// attempt `n` a random delay up to `initial * 2^(n-1)` (capped),
    /// `on_attempt` told first; a transient failure
    /// ([`WsError::is_transient`]) tries again while the policy allows,
    /// any other failure (a refusal, a certificate) ends the tries.
    pub fn reconnect(
        &self,
        policy: &ReconnectPolicy,
        mut on_attempt: impl FnMut(&Attempt),
    ) -> Result<WebSocket, WsError> {
        let mut random = RandomPool::new();
        let mut number = 1;
        loop {
            let delay = policy.delay(number, &mut random);
            on_attempt(&Attempt { number, delay });
            thread::sleep(delay);
            match self.connect() {
                Ok(ws) => return Ok(ws),
                Err(e) if e.is_transient() && policy.allows(number + 1) => number += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// The upgrade request: the caller's headers, then the handshake's.
    fn request(&self, url: Url, key: &str) -> Req {
        let mut late = Headers::new();
        late.append("Upgrade", "websocket");
        late.append("Connection", "Upgrade");
        late.append("Sec-WebSocket-Key", key);
        late.append("Sec-WebSocket-Version", brisk_core::ws::handshake::VERSION);
        if !self.protocols.is_empty() {
            late.append("Sec-WebSocket-Protocol", self.protocols.join(", "));
        }
        if let Some(offer) = &self.deflate {
            late.append("Sec-WebSocket-Extensions", offer.header_value());
        }
        let credentials = self
            .credentials
            .clone()
            .or_else(|| url.credentials().cloned());
        let auth_host = credentials
            .as_ref()
            .map(|_| (url.host().clone(), url.port()));
        let mut req = Req {
            method: Method::Get,
            url,
            headers: self.headers.clone(),
            removed: self.removed.clone(),
            late_defaults: late,
            body: RequestBody::Empty,
            credentials,
            auth_host,
            auth_everywhere: false,
            expect: Some(false),
            cookies: self.cookies.clone(),
            version: brisk_core::Version::Http11,
        };
        req.cookies.line = self.client.cookie_line(&req);
        req
    }

    /// The 101's checks: `Sec-WebSocket-Accept`, the subprotocol and the
    /// extension against the offers; the codec set up to match.
    fn check_answer(&self, headers: &Headers, key: &str) -> Result<Setup, WsError> {
        check_response(101, headers, key).map_err(WsError::Handshake)?;
        let offered: Vec<&str> = self.protocols.iter().map(String::as_str).collect();
        let protocol = response_protocol(headers, &offered)
            .map_err(WsError::Handshake)?
            .map(str::to_string);
        let extensions = headers.get_all("sec-websocket-extensions");
        let params = match &self.deflate {
            Some(offer) => offer
                .check_response(extensions)
                .map_err(WsError::Handshake)?,
            None if headers.contains("sec-websocket-extensions") => {
                return Err(WsError::Handshake(
                    brisk_core::ws::HandshakeError::Negotiation,
                ))
            }
            None => None,
        };
        let mut decoder = Decoder::new(Role::Client).with_max_message_bytes(self.max_message_bytes);
        let mut encoder = Encoder::new();
        if let Some(p) = &params {
            decoder = decoder.with_inflater(p.inflater(Role::Client));
            encoder =
                Encoder::with_deflater(p.deflater(Role::Client, DEFLATE_LEVEL), MIN_COMPRESS_BYTES);
        }
        Ok(Setup {
            decoder,
            encoder,
            heartbeat: self.heartbeat,
            write_timeout: self.write_timeout,
            close_timeout: self.close_timeout,
            protocol,
            compressed: params.is_some(),
        })
    }
}

/// Why a builder cannot open anything: kept as data (errors are not
/// `Clone`) and made into the client's error at each attempt.
#[derive(Debug, Clone)]
enum SetupError {
    Url(UrlError),
    Header(String),
}

impl SetupError {
    fn from_error(e: Error) -> SetupError {
        match e {
            Error::Url(u) => SetupError::Url(u),
            Error::InvalidHeader { name } => SetupError::Header(name),
            // ok: RequestBuilder stores only URL and header errors.
            _ => SetupError::Url(UrlError::Malformed("unusable WebSocket request")),
        }
    }

    fn to_error(&self) -> Error {
        match self {
            SetupError::Url(u) => Error::Url(u.clone()),
            SetupError::Header(name) => Error::InvalidHeader { name: name.clone() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ws_urls_map_to_http_urls() {
        let u = http_url("ws://example.com/chat?x=1").unwrap();
        assert_eq!(u.to_string(), "http://example.com/chat?x=1");
        let u = http_url("WSS://[::1]:9443/").unwrap();
        assert!(u.is_https());
        assert_eq!(u.port(), 9443);
        assert_eq!(http_url("wss://h/").unwrap().port(), 443);
        assert!(matches!(
            http_url("ftp://h/"),
            Err(UrlError::UnsupportedScheme(_))
        ));
        assert!(is_ws_url(" ws://h/") && is_ws_url("wss://h") && !is_ws_url("http://h/"));
    }
}
