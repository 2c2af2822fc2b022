//! A client's settings, in a leaf module: the request loop, connection
//! opening and the exchange read them, and none of those modules needs to
//! import another to get at them.

use std::time::Duration;

use brisk_core::Limits;

use crate::cookie::CookieStore;
use crate::proxy::ProxyConfig;
use crate::unix::UnixSocket;
use crate::url::Scheme;

/// Whether to follow redirects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RedirectPolicy {
    /// Return 3xx responses as they are (curl without `-L`).
    #[default]
    None,
    /// Follow up to `max` redirects, then fail with `TooManyRedirects`.
    Follow {
        /// The limit.
        max: u32,
    },
}

/// Which redirect statuses keep a POST a POST (by default 301, 302 and
/// 303 turn it into a GET, as curl and browsers do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeepPost {
    pub on_301: bool,
    pub on_302: bool,
    pub on_303: bool,
}

/// What `ClientBuilder` sets; shared read-only by every request.
#[derive(Clone)]
pub(crate) struct Settings {
    /// Resolve, connect and proxy handshakes together.
    pub(crate) connect_timeout: Duration,
    /// The whole request, body included (curl's `-m`).
    pub(crate) total_timeout: Option<Duration>,
    /// Longest single wait once connected.
    pub(crate) idle_timeout: Duration,
    pub(crate) proxy: ProxyConfig,
    pub(crate) redirects: RedirectPolicy,
    pub(crate) user_agent: Option<String>,
    /// Happy eyeballs: delay before racing the next address.
    pub(crate) stagger: Duration,
    /// TCP keepalive idle time and probe interval; `None`: no keepalive.
    pub(crate) tcp_keepalive: Option<Duration>,
    /// Limits on response heads.
    pub(crate) limits: Limits,
    /// Bodies over this many bytes (or of unknown length) send `Expect`.
    pub(crate) expect_threshold: Option<u64>,
    /// How long to wait for `100 Continue` before sending the body.
    pub(crate) expect_wait: Duration,
    /// Send `Accept-Encoding` and decode bodies in `Response::bytes`,
    /// `text` and `decoded_body`.
    pub(crate) decompress: bool,
    /// The cookie engine: sends its cookies, stores `Set-Cookie` from
    /// every response (redirects included).
    pub(crate) cookies: Option<CookieStore>,
    /// The schemes a redirect may go to (curl's `--proto-redir`).
    pub(crate) redirect_schemes: Vec<Scheme>,
    /// Redirects that keep a POST a POST (curl's `--post301`, `--post302`,
    /// `--post303`).
    pub(crate) keep_post: KeepPost,
    /// Credentials follow redirects to other hosts (`--location-trusted`).
    pub(crate) location_trusted: bool,
    /// Every connection goes to this Unix socket (curl's `--unix-socket`).
    pub(crate) unix_socket: Option<UnixSocket>,
}
