//! `Client`: settings, the pool, and the request loop: take a pooled
//! connection or open one ([`crate::connect`]), send, read the head, replay
//! once on a stale pooled connection, follow redirects.
//!
//! ```text
//!  send() -> execute_once -> pool.take (probe) --alive--> exchange -> Response
//!                        \-> open (resolve, connect, proxy) -/   |
//!                  NothingReceived on a reused conn + replayable -> once more, fresh
//!  3xx + Follow -> drain body (connection back to the pool) -> join Location -> loop
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use brisk_core::{Limits, Method};

use crate::connect::{self, Opener};
use crate::error::Error;
use crate::exchange::driver::{self, Failure};
use crate::exchange::machine::{Exchange, Plan, ReceivedHead};
use crate::exchange::{BodyReader, Deadlines, Return};
use crate::net::{Conn, Resolve, SystemResolver, HAPPY_EYEBALLS_STAGGER, TCP_KEEPALIVE_IDLE};
use crate::pool::{Pool, PoolKey, DEFAULT_IDLE_EXPIRY, DEFAULT_MAX_IDLE_PER_HOST};
use crate::proxy::{Proxy, ProxyConfig};
use crate::request::{is_idempotent, Req};
use crate::response::{Response, Timings};
use crate::settings::{KeepPost, RedirectPolicy, Settings};
use crate::tls::{TlsConfig, TlsError, TlsOptions};
use crate::trace::{Trace, Tracer};
use crate::url::{Scheme, Url};
mod send;
pub use send::RequestBuilder;

/// curl's default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(300);
/// Longest wait for one read or write once connected.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// curl's default redirect limit with `-L`.
pub const DEFAULT_MAX_REDIRECTS: u32 = 50;
/// Bodies larger than this (or of unknown length) are announced with
/// `Expect: 100-continue`, as curl does.
pub const DEFAULT_EXPECT_CONTINUE_THRESHOLD: u64 = 1024 * 1024;
/// How long to wait for `100 Continue` before sending the body anyway
/// (curl's `--expect100-timeout` default).
pub const DEFAULT_EXPECT_CONTINUE_WAIT: Duration = Duration::from_secs(1);
/// A redirect's body up to this size is drained so the connection is reused.
const REDIRECT_DRAIN_BYTES: u64 = 64 * 1024;

pub(crate) struct Inner {
    pub(crate) settings: Settings,
    pub(crate) pool: Arc<Pool>,
    pub(crate) resolver: Arc<dyn Resolve>,
    pub(crate) tracer: Tracer,
    pub(crate) next_id: AtomicU64,
    /// The TLS settings, made into `tls` at the first https request.
    pub(crate) tls_options: TlsOptions,
    /// One configuration (and session cache) for every TLS connection.
    pub(crate) tls: Mutex<Option<TlsConfig>>,
    /// The TLS settings for HTTPS proxies, made into `proxy_tls` at the
    /// first request through one.
    pub(crate) proxy_tls_options: TlsOptions,
    /// The configuration (and session cache) of sessions to HTTPS proxies.
    pub(crate) proxy_tls: Mutex<Option<TlsConfig>>,
}

/// A blocking HTTP/1.1 client with a keep-alive pool. Cheap to clone (the
/// clones share the pool), `Send + Sync`.
///
/// ```no_run
/// let client = brisk_client::Client::builder()
///     .timeout(std::time::Duration::from_secs(10))
///     .build();
/// let resp = client.get("http://127.0.0.1:8080/").send()?;
/// println!("{} {}", resp.status(), resp.text(1 << 20)?);
/// # Ok::<(), brisk_client::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Client({:?})", self.inner.pool)
    }
}

impl Default for Client {
    fn default() -> Client {
        Client::builder().build()
    }
}

/// Builder for [`Client`].
pub struct ClientBuilder {
    settings: Settings,
    max_idle_per_host: usize,
    idle_expiry: Duration,
    resolver: Arc<dyn Resolve>,
    tracer: Tracer,
    tls: TlsOptions,
    proxy_tls: TlsOptions,
}

impl ClientBuilder {
    /// TLS settings for `https://` URLs (default: [`TlsOptions::from_env`]).
    /// They are loaded at the first https request, so a bad CA file only
    /// fails https requests (as in curl).
    pub fn tls(mut self, opts: TlsOptions) -> Self {
        self.tls = opts;
        self
    }
    /// TLS settings for the session to an HTTPS proxy (`https://`),
    /// curl's `--proxy-cacert`, `--proxy-capath`, `--proxy-insecure`
    /// (default: [`TlsOptions::from_env`]); loaded at the first request
    /// through such a proxy. The origin's settings never apply to the
    /// proxy, nor these to the origin.
    pub fn proxy_tls(mut self, opts: TlsOptions) -> Self {
        self.proxy_tls = opts;
        self
    }
    /// Limit for resolving, connecting and the proxy handshake together.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.settings.connect_timeout = d;
        self
    }
    /// Limit for the whole request, body included (curl's `-m`).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.settings.total_timeout = Some(d);
        self
    }
    /// TCP keepalive on new connections: the idle time before the first
    /// probe and between probes (curl's `--keepalive-time`; default
    /// 60 s), or `None` for no keepalive (`--no-keepalive`).
    pub fn tcp_keepalive(mut self, idle: Option<Duration>) -> Self {
        self.settings.tcp_keepalive = idle;
        self
    }
    /// Longest wait for a single read or write (read-idle timeout).
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.settings.idle_timeout = d;
        self
    }
    /// Proxy selection (default: none; see [`ProxyConfig::Environment`]).
    pub fn proxy(mut self, p: ProxyConfig) -> Self {
        self.settings.proxy = p;
        self
    }
    /// Redirect policy (default: do not follow).
    pub fn redirects(mut self, r: RedirectPolicy) -> Self {
        self.settings.redirects = r;
        self
    }
    /// `User-Agent` sent by default (`None`: no header).
    pub fn user_agent(mut self, ua: Option<&str>) -> Self {
        self.settings.user_agent = ua.map(str::to_string);
        self
    }
    /// Limits on response heads (size, status line, header count);
    /// a head past them is `Error::BadResponse`.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.settings.limits = limits;
        self
    }
    /// Announces bodies larger than `threshold` bytes (and of unknown
    /// length) with `Expect: 100-continue` and sends them after `100
    /// Continue` or after `wait`; a final answer before that (a 413, a
    /// 401) saves the upload. `None` never sends `Expect`.
    pub fn expect_continue(mut self, threshold: Option<u64>, wait: Duration) -> Self {
        self.settings.expect_threshold = threshold;
        self.settings.expect_wait = wait;
        self
    }
    /// Idle connections kept per origin (0 disables keep-alive reuse).
    pub fn max_idle_per_host(mut self, n: usize) -> Self {
        self.max_idle_per_host = n;
        self
    }
    /// Idle connections older than this are not reused.
    pub fn idle_expiry(mut self, d: Duration) -> Self {
        self.idle_expiry = d;
        self
    }
    /// Replaces the system resolver (tests use a slow one).
    pub fn resolver(mut self, r: impl Resolve) -> Self {
        self.resolver = Arc::new(r);
        self
    }
    /// Delay before racing the next address (happy eyeballs).
    pub fn happy_eyeballs_stagger(mut self, d: Duration) -> Self {
        self.settings.stagger = d;
        self
    }
    /// Observer for connection notes and heads (used by `fetch -v`).
    /// Ask for compressed bodies and decode them, as curl's `--compressed`:
    /// requests send `Accept-Encoding: deflate, gzip, br, zstd` (unless
    /// they set their own), and [`Response::bytes`], [`Response::text`]
    /// and [`Response::decoded_body`] undo the `Content-Encoding`; a body
    /// that does not decode is [`Error::Decode`], never garbage.
    /// [`Response::body`] stays the bytes as received. Off by default:
    /// nothing is asked for and bodies are as sent.
    pub fn decompress(mut self, on: bool) -> Self {
        self.settings.decompress = on;
        self
    }
    /// Which redirects keep a POST a POST (curl's `--post301`,
    /// `--post302`, `--post303`); by default 301, 302 and 303 make it a GET.
    pub fn keep_post(mut self, keep: KeepPost) -> Self {
        self.settings.keep_post = keep;
        self
    }
    /// Sends the request's `Authorization` to other hosts on redirects
    /// too (curl's `--location-trusted`).
    pub fn location_trusted(mut self, on: bool) -> Self {
        self.settings.location_trusted = on;
        self
    }
    /// Every connection goes to this Unix socket instead of the URL's
    /// host and port, proxies aside (curl's `--unix-socket`; the `Host`
    /// header still comes from the URL). Plain http only: an https URL
    /// fails with `Phase::Tls`.
    pub fn unix_socket(mut self, socket: crate::unix::UnixSocket) -> Self {
        self.settings.unix_socket = Some(socket);
        self
    }
    /// The schemes redirects may lead to (default both); a redirect
    /// elsewhere fails with [`crate::UrlError::UnsupportedScheme`] (curl's
    /// `--proto-redir`, exit 1).
    pub fn redirect_protocols(mut self, schemes: &[Scheme]) -> Self {
        self.settings.redirect_schemes = schemes.to_vec();
        self
    }
    /// The cookie engine: every request gets the jar's matching cookies
    /// and every response's `Set-Cookie` lines (redirects included) go
    /// into it, as curl's engine does. The caller keeps a clone of the
    /// store to load it first and save it afterwards.
    pub fn cookie_jar(mut self, jar: crate::cookie::CookieStore) -> Self {
        self.settings.cookies = Some(jar);
        self
    }
    pub fn trace(mut self, f: impl Fn(&Trace<'_>) + Send + Sync + 'static) -> Self {
        self.tracer = Tracer(Some(Arc::new(f)));
        self
    }
    /// The client.
    pub fn build(self) -> Client {
        Client {
            inner: Arc::new(Inner {
                settings: self.settings,
                pool: Arc::new(Pool::new(self.max_idle_per_host, self.idle_expiry)),
                resolver: self.resolver,
                tracer: self.tracer,
                next_id: AtomicU64::new(0),
                tls_options: self.tls,
                tls: Mutex::new(None),
                proxy_tls_options: self.proxy_tls,
                proxy_tls: Mutex::new(None),
            }),
        }
    }
}

impl Client {
    /// A builder with curl-like defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            settings: Settings {
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                total_timeout: None,
                idle_timeout: DEFAULT_IDLE_TIMEOUT,
                proxy: ProxyConfig::None,
                redirects: RedirectPolicy::None,
                user_agent: Some(format!("http-client/{}", env!("CARGO_PKG_VERSION"))),
                stagger: HAPPY_EYEBALLS_STAGGER,
                tcp_keepalive: Some(TCP_KEEPALIVE_IDLE),
                limits: Limits::default(),
                expect_threshold: Some(DEFAULT_EXPECT_CONTINUE_THRESHOLD),
                expect_wait: DEFAULT_EXPECT_CONTINUE_WAIT,
                decompress: false,
                cookies: None,
                redirect_schemes: vec![Scheme::Http, Scheme::Https],
                unix_socket: None,
                keep_post: KeepPost::default(),
                location_trusted: false,
            },
            max_idle_per_host: DEFAULT_MAX_IDLE_PER_HOST,
            idle_expiry: DEFAULT_IDLE_EXPIRY,
            resolver: Arc::new(SystemResolver),
            tracer: Tracer::default(),
            tls: TlsOptions::from_env(),
            proxy_tls: TlsOptions::from_env(),
        }
    }

    /// The client's TLS configuration for origins, built at the first call.
    fn tls_config(&self) -> Result<TlsConfig, Error> {
        self.lazy_tls_config(&self.inner.tls, &self.inner.tls_options, TlsConfig::new)
    }

    /// The TLS configuration for HTTPS proxies, built at the first call.
    fn proxy_tls_config(&self) -> Result<TlsConfig, Error> {
        self.lazy_tls_config(
            &self.inner.proxy_tls,
            &self.inner.proxy_tls_options,
            TlsConfig::for_proxy,
        )
    }

    /// The configuration in `slot`, built from `opts` at the first call
    /// (its warnings noted once).
    fn lazy_tls_config(
        &self,
        slot: &Mutex<Option<TlsConfig>>,
        opts: &TlsOptions,
        build: fn(&TlsOptions) -> Result<TlsConfig, TlsError>,
    ) -> Result<TlsConfig, Error> {
        let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let config = build(opts)?;
        for w in config.warnings() {
            self.note(w);
        }
        *slot = Some(config.clone());
        Ok(config)
    }

    /// A request to an already parsed URL (for one parsed with
    /// [`Url::parse_as_is`]).
    pub fn request_url(&self, method: Method, url: Url) -> RequestBuilder<'_> {
        RequestBuilder::with_url(self, method, Ok(url))
    }
    /// A request with any method. URL errors surface from `send`.
    pub fn request(&self, method: Method, url: &str) -> RequestBuilder<'_> {
        RequestBuilder::new(self, method, url)
    }

    /// A GET request.
    pub fn get(&self, url: &str) -> RequestBuilder<'_> {
        self.request(Method::Get, url)
    }
    /// A HEAD request.
    pub fn head(&self, url: &str) -> RequestBuilder<'_> {
        self.request(Method::Head, url)
    }
    /// A POST request.
    pub fn post(&self, url: &str) -> RequestBuilder<'_> {
        self.request(Method::Post, url)
    }

    /// Idle pooled connections (for tests and diagnostics).
    pub fn idle_connections(&self) -> usize {
        self.inner.pool.idle_count()
    }

    /// Closes every idle pooled connection.
    pub fn close_idle_connections(&self) {
        self.inner.pool.clear();
    }

    fn note(&self, msg: &str) {
        self.inner.tracer.note(msg);
    }

    fn trace(&self, ev: &Trace<'_>) {
        self.inner.tracer.emit(ev);
    }

    /// Where a request goes: its proxy (an https origin through an HTTP(S)
    /// proxy is always tunnelled, as curl does), its TLS settings (the
    /// origin's, and an HTTPS proxy's), and the pool key of connections
    /// that can carry it.
    pub(crate) fn route(&self, req: &Req) -> Result<Route, Error> {
        let s = &self.inner.settings;
        let mut proxy = s.proxy.proxy_for(&req.url)?;
        let tls = if req.url.is_https() {
            proxy = proxy.map(|p| p.with_tunnel(true));
            Some(self.tls_config()?)
        } else {
            None
        };
        let proxy_tls = match &proxy {
            Some(p) if p.is_tls() => Some(self.proxy_tls_config()?),
            _ => None,
        };
        let key = PoolKey {
            scheme: req.url.scheme(),
            host: req.url.host().clone(),
            port: req.url.port(),
            proxy: proxy.clone(),
        };
        Ok(Route {
            proxy,
            tls,
            proxy_tls,
            key,
        })
    }

    /// A pooled connection for `route` (when `allow_reuse`), or a new one;
    /// with its id and whether it was reused.
    pub(crate) fn connection(
        &self,
        req: &Req,
        route: &Route,
        allow_reuse: bool,
        started: Instant,
        timings: &mut Timings,
    ) -> Result<(Conn, u64, bool), Error> {
        if allow_reuse {
            if let Some((conn, id)) = self.inner.pool.take(&route.key) {
                self.note(&format!(
                    "Re-using existing connection #{id} with host {}",
                    route.key.host
                ));
                return Ok((conn, id, true));
            }
        }
        let opener = Opener {
            settings: &self.inner.settings,
            resolver: &self.inner.resolver,
            tracer: &self.inner.tracer,
            tls: route.tls.as_ref(),
            proxy_tls: route.proxy_tls.as_ref(),
        };
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let (conn, times) = connect::open(&opener, &req.url, route.proxy.as_ref(), id, started)?;
        timings.namelookup = times.namelookup;
        timings.connect = times.connect;
        timings.appconnect = times.appconnect;
        Ok((conn, id, false))
    }

    /// One exchange (no redirects), with one replay on a fresh connection
    /// when a reused one turns out dead before any response byte.
    fn execute_once(
        &self,
        req: &mut Req,
        started: Instant,
        deadlines: &Deadlines,
    ) -> Result<Response, Error> {
        let s = &self.inner.settings;
        let route = self.route(req)?;
        let expect = req.wants_continue(s.expect_threshold);
        let codings = s.decompress.then_some(crate::decode::ACCEPT_ENCODING);
        let head = req.encode_head(
            s.user_agent.as_deref(),
            codings,
            route.proxy.as_ref(),
            expect,
        );
        let replayable = is_idempotent(&req.method) && req.body.is_replayable();
        let mut timings = Timings::default();
        let mut allow_reuse = true;
        loop {
            let (mut conn, id, reused) =
                self.connection(req, &route, allow_reuse, started, &mut timings)?;
            self.trace(&Trace::RequestHead(&head));
            let exchange = Exchange::new(Plan {
                method: req.method.clone(),
                head: head.clone(),
                framing: req.body.framing(),
                expect_continue: expect,
                expect_wait: s.expect_wait,
                limits: s.limits,
                deadlines: *deadlines,
            });
            let (received, exchange) = match driver::send_and_read_head(
                &mut conn,
                exchange,
                &mut req.body,
                &self.inner.tracer,
            ) {
                Ok(r) => r,
                Err(Failure { error, stale: true }) if reused && replayable => {
                    self.note(&format!(
                        "Connection #{id} died before the response ({error}); retrying on a fresh connection"
                    ));
                    allow_reuse = false;
                    continue;
                }
                Err(Failure { error, .. }) => {
                    self.note(&format!("Closing connection #{id}"));
                    return Err(error);
                }
            };
            timings.start_transfer = received.first_byte_at.saturating_duration_since(started);
            let ret = Return {
                pool: Arc::clone(&self.inner.pool),
                key: route.key.clone(),
                id,
                tracer: self.inner.tracer.clone(),
            };
            return Ok(self.response(req, conn, received, exchange, ret, timings, reused));
        }
    }

    /// The response to hand out: its heads traced, its body a reader that
    /// returns the connection to the pool when read to the end.
    #[allow(clippy::too_many_arguments)] // the pieces of one exchange, each used once
    fn response(
        &self,
        req: &Req,
        conn: Conn,
        received: ReceivedHead,
        exchange: Exchange,
        ret: Return,
        timings: Timings,
        reused: bool,
    ) -> Response {
        for raw in &received.interim {
            self.trace(&Trace::ResponseHead(raw));
        }
        self.trace(&Trace::ResponseHead(&received.raw));
        let remote = conn.peer();
        let ssl_verify_result = conn.tls_info().map(|i| i.ssl_verify_result());
        Response {
            head: received.head,
            raw_head: received.raw,
            url: req.url.clone(),
            body: BodyReader::new(conn, exchange, Some(ret)),
            redirects: Vec::new(),
            timings,
            remote,
            reused,
            ssl_verify_result,
            decompress: self.inner.settings.decompress,
        }
    }
}

/// Where one request goes (see [`Client::route`]).
pub(crate) struct Route {
    pub(crate) proxy: Option<Proxy>,
    tls: Option<TlsConfig>,
    proxy_tls: Option<TlsConfig>,
    key: PoolKey,
}
