//! Proxy settings: proxy URLs, curl's environment variables and `NO_PROXY`.
//!
//! The handshakes themselves live in [`crate::socks`] and
//! [`crate::tunnel`]; this module only decides *which* proxy a URL
//! goes through.

use std::fmt;
use std::net::IpAddr;

use crate::url::{split_authority, split_scheme, Credentials, Host, Url, UrlError};

/// A proxy URL without a port means this one (curl's rule, for every kind
/// but `https://`).
pub const PROXY_DEFAULT_PORT: u16 = 1080;
/// An `https://` proxy URL without a port means this one (curl's
/// `CURL_DEFAULT_HTTPS_PROXY_PORT`).
pub const HTTPS_PROXY_DEFAULT_PORT: u16 = 443;

/// The proxy protocols we speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProxyKind {
    /// HTTP forward proxy: absolute-form requests, or a CONNECT tunnel.
    Http,
    /// HTTPS proxy: an HTTP proxy spoken to over TLS (`https://`); the
    /// same absolute-form requests or CONNECT, inside that session.
    Https,
    /// SOCKS4: IPv4 only, the client resolves the name.
    Socks4,
    /// SOCKS4a: the proxy resolves the name.
    Socks4a,
    /// SOCKS5, the client resolves the name.
    Socks5,
    /// SOCKS5, the proxy resolves the name (`socks5h://`).
    Socks5h,
}

impl ProxyKind {
    /// The URL scheme for this kind.
    pub fn scheme(self) -> &'static str {
        match self {
            ProxyKind::Http => "http",
            ProxyKind::Https => "https",
            ProxyKind::Socks4 => "socks4",
            ProxyKind::Socks4a => "socks4a",
            ProxyKind::Socks5 => "socks5",
            ProxyKind::Socks5h => "socks5h",
        }
    }

    /// True for the SOCKS family.
    pub fn is_socks(self) -> bool {
        !self.is_http()
    }

    /// True for the proxies that speak HTTP (`http://`, `https://`).
    pub fn is_http(self) -> bool {
        matches!(self, ProxyKind::Http | ProxyKind::Https)
    }
}

/// One proxy: kind, address, and optional credentials.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Proxy {
    /// The protocol.
    pub kind: ProxyKind,
    /// The proxy's host.
    pub host: Host,
    /// The proxy's port (1080 when the URL names none, 443 for `https://`).
    pub port: u16,
    /// User and password (HTTP Basic, SOCKS4 user id, RFC 1929).
    pub credentials: Option<Credentials>,
    /// For an HTTP(S) proxy: tunnel `http://` through CONNECT (curl's `-p`)
    /// instead of sending absolute-form requests.
    pub tunnel: bool,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self)?;
        if let Some(c) = &self.credentials {
            write!(f, " (user {:?})", c.user)?;
        }
        if self.tunnel {
            f.write_str(" (tunnel)")?;
        }
        Ok(())
    }
}

impl fmt::Display for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.kind.scheme(), self.host, self.port)
    }
}

impl Proxy {
    /// Parses a proxy URL as curl's `-x` does: scheme optional (http), port
    /// optional (1080; 443 for `https://`), user info optional. Unknown
    /// schemes are [`UrlError::UnsupportedScheme`].
    pub fn parse(input: &str) -> Result<Proxy, UrlError> {
        let input = input.trim();
        let (kind, rest) = match split_scheme(input) {
            Some((scheme, rest)) => {
                let kind = match scheme.to_ascii_lowercase().as_str() {
                    "http" => ProxyKind::Http,
                    "https" => ProxyKind::Https,
                    "socks4" => ProxyKind::Socks4,
                    "socks4a" => ProxyKind::Socks4a,
                    "socks5" | "socks" => ProxyKind::Socks5,
                    "socks5h" => ProxyKind::Socks5h,
                    other => return Err(UrlError::UnsupportedScheme(other.to_string())),
                };
                (kind, rest)
            }
            None => (ProxyKind::Http, input),
        };
        // A trailing path ("http://proxy:3128/") is allowed and ignored.
        let authority = rest.split(['/', '?', '#']).next().unwrap_or(""); // ok: split yields an item
        if authority.is_empty() {
            return Err(UrlError::Malformed("proxy URL has no host"));
        }
        let (credentials, host, port) = split_authority(authority)?;
        let default_port = match kind {
            ProxyKind::Https => HTTPS_PROXY_DEFAULT_PORT,
            _ => PROXY_DEFAULT_PORT,
        };
        Ok(Proxy {
            kind,
            host,
            port: port.unwrap_or(default_port),
            credentials,
            tunnel: false,
        })
    }

    /// Sets credentials (curl's `-U user:pass`), replacing those of the URL.
    pub fn with_credentials(mut self, credentials: Credentials) -> Proxy {
        self.credentials = Some(credentials);
        self
    }

    /// Uses a CONNECT tunnel for HTTP(S) proxies (curl's `-p`).
    pub fn with_tunnel(mut self, tunnel: bool) -> Proxy {
        self.tunnel = tunnel;
        self
    }

    /// True when requests go in absolute-form to this proxy (HTTP or
    /// HTTPS, no tunnel).
    pub fn is_forwarding(&self) -> bool {
        self.kind.is_http() && !self.tunnel
    }

    /// True when the connection to the proxy itself is TLS (`https://`).
    pub fn is_tls(&self) -> bool {
        self.kind == ProxyKind::Https
    }
}

/// A `NO_PROXY` list with curl's semantics.
///
/// A comma (or space) separated list; each entry matches that host name and
/// its subdomains (a leading dot is optional), an IP address, or a CIDR
/// range; `*` alone matches everything. Matching is case-insensitive and a
/// trailing dot on either side is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoProxy {
    all: bool,
    entries: Vec<NoProxyEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum NoProxyEntry {
    Domain(String),
    Cidr(IpAddr, u8),
}

impl NoProxy {
    /// Parses a list such as `localhost,.example.com,10.0.0.0/8,::1`.
    pub fn parse(list: &str) -> NoProxy {
        let mut out = NoProxy::default();
        for raw in list.split([',', ' ', '\t']).map(str::trim) {
            if raw.is_empty() {
                continue;
            }
            if raw == "*" {
                out.all = true;
                continue;
            }
            let raw = raw.trim_start_matches('[');
            let (addr, bits) = match raw.split_once('/') {
                Some((a, b)) => (a.trim_end_matches(']'), b.parse::<u8>().ok()),
                None => (raw.trim_end_matches(']'), None),
            };
            if let Ok(ip) = addr.parse::<IpAddr>() {
                let max = if ip.is_ipv4() { 32 } else { 128 };
                let bits = bits.unwrap_or(max).min(max);
                out.entries.push(NoProxyEntry::Cidr(ip, bits));
                continue;
            }
            let name = raw
                .trim_start_matches('.')
                .trim_end_matches('.')
                .to_ascii_lowercase();
            if !name.is_empty() {
                out.entries.push(NoProxyEntry::Domain(name));
            }
        }
        out
    }

    /// True when `host` must be reached directly.
    pub fn matches(&self, host: &Host) -> bool {
        if self.all {
            return true;
        }
        let ip = match host {
            Host::V4(a) => Some(IpAddr::V4(*a)),
            Host::V6(a) => Some(IpAddr::V6(*a)),
            Host::Domain(_) => None,
        };
        self.entries.iter().any(|e| match (e, host, ip) {
            (NoProxyEntry::Cidr(net, bits), _, Some(ip)) => cidr_contains(*net, *bits, ip),
            (NoProxyEntry::Domain(d), Host::Domain(h), _) => {
                let h = h.trim_end_matches('.');
                h == d
                    || (h.len() > d.len()
                        && h.ends_with(d.as_str())
                        && h.as_bytes()[h.len() - d.len() - 1] == b'.')
            }
            _ => false,
        })
    }

    /// True when the list is empty (nothing bypasses the proxy).
    pub fn is_empty(&self) -> bool {
        !self.all && self.entries.is_empty()
    }
}

fn cidr_contains(net: IpAddr, bits: u8, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

/// Where a request's proxy comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProxyConfig {
    /// Connect directly.
    #[default]
    None,
    /// Use this proxy, except for hosts in the list.
    Fixed(Proxy, NoProxy),
    /// Read the environment as curl does, at each request.
    Environment {
        /// Replaces `NO_PROXY`/`no_proxy` when set (curl's `--noproxy`).
        no_proxy_override: Option<NoProxy>,
        /// Credentials for the proxy found (curl's `-U`).
        credentials: Option<Credentials>,
        /// Tunnel through an HTTP proxy with CONNECT (curl's `-p`).
        tunnel: bool,
    },
}

impl ProxyConfig {
    /// The proxy to use for `url`, or `None` for a direct connection.
    ///
    /// # Errors
    /// A proxy variable that does not parse is an error (curl fails too).
    pub fn proxy_for(&self, url: &Url) -> Result<Option<Proxy>, UrlError> {
        match self {
            ProxyConfig::None => Ok(None),
            ProxyConfig::Fixed(p, no) => Ok((!no.matches(url.host())).then(|| p.clone())),
            ProxyConfig::Environment {
                no_proxy_override,
                credentials,
                tunnel,
            } => {
                let p =
                    proxy_from_env(url, no_proxy_override.as_ref(), &|k| std::env::var(k).ok())?;
                Ok(p.map(|mut p| {
                    if credentials.is_some() {
                        p.credentials = credentials.clone();
                    }
                    p.with_tunnel(*tunnel)
                }))
            }
        }
    }
}

/// curl's reading of the proxy environment for a URL, with the
/// environment passed in (so tests need not mutate the process's).
///
/// For http, `http_proxy` counts in lowercase only (the uppercase form can
/// be set by a CGI server from a request header, so curl ignores it); for
/// https, `https_proxy` then `HTTPS_PROXY`; then `all_proxy`, `ALL_PROXY`. `no_proxy` wins over `NO_PROXY`; an override
/// replaces both. An empty variable counts as unset.
pub fn proxy_from_env(
    url: &Url,
    no_proxy_override: Option<&NoProxy>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Proxy>, UrlError> {
    let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let no_proxy = match no_proxy_override {
        Some(n) => n.clone(),
        None => get("no_proxy")
            .or_else(|| get("NO_PROXY"))
            .map(|s| NoProxy::parse(&s))
            .unwrap_or_default(),
    };
    if no_proxy.matches(url.host()) {
        return Ok(None);
    }
    let scheme_proxy = if url.is_https() {
        get("https_proxy").or_else(|| get("HTTPS_PROXY"))
    } else {
        get("http_proxy")
    };
    let value = scheme_proxy
        .or_else(|| get("all_proxy"))
        .or_else(|| get("ALL_PROXY"));
    value.map(|v| Proxy::parse(&v)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn parses_proxy_urls_like_curl() {
        let p = Proxy::parse("proxy.local").unwrap();
        assert_eq!((p.kind, p.port), (ProxyKind::Http, 1080));
        let p = Proxy::parse("socks5h://u:p%21@127.0.0.1:9050/").unwrap();
        assert_eq!((p.kind, p.port), (ProxyKind::Socks5h, 9050));
        assert_eq!(p.credentials.as_ref().unwrap().password, "p!");
        let p = Proxy::parse("SOCKS4a://[::1]:1").unwrap();
        assert_eq!(
            (p.kind, p.host.clone()),
            (ProxyKind::Socks4a, Host::V6("::1".parse().unwrap()))
        );
        let p = Proxy::parse("https://p:8443").unwrap();
        assert_eq!((p.kind, p.port, p.is_tls()), (ProxyKind::Https, 8443, true));
        assert!(p.is_forwarding());
        assert_eq!(p.to_string(), "https://p:8443");
        // curl's default port for an HTTPS proxy is 443, not 1080.
        assert_eq!(Proxy::parse("HTTPS://p").unwrap().port, 443);
        assert!(matches!(
            Proxy::parse("ftp://p:1"),
            Err(UrlError::UnsupportedScheme(_))
        ));
        assert!(matches!(
            Proxy::parse("socks5://"),
            Err(UrlError::Malformed(_))
        ));
        assert!(matches!(
            Proxy::parse("http://p:x"),
            Err(UrlError::Malformed(_))
        ));
    }

    #[test]
    fn no_proxy_matches_domains_ips_and_ranges() {
        let n = NoProxy::parse("example.com, .internal ,10.0.0.0/8,::1,[fe80::]/16 192.168.1.5");
        let yes = [
            "http://example.com/",
            "http://a.b.example.com/",
            "http://EXAMPLE.com./",
            "http://x.internal/",
            "http://internal/",
            "http://10.200.3.4/",
            "http://[::1]/",
            "http://[fe80::1]/",
            "http://192.168.1.5/",
        ];
        let no = [
            "http://notexample.com/",
            "http://example.com.evil/",
            "http://11.0.0.1/",
            "http://192.168.1.6/",
            "http://[::2]/",
        ];
        for u in yes {
            assert!(n.matches(Url::parse(u).unwrap().host()), "{u}");
        }
        for u in no {
            assert!(!n.matches(Url::parse(u).unwrap().host()), "{u}");
        }
        assert!(NoProxy::parse("*").matches(&Host::Domain("any".into())));
        assert!(!NoProxy::parse("*.x").matches(&Host::Domain("any".into())));
        assert!(NoProxy::parse("").is_empty());
    }

    #[test]
    fn environment_follows_curl() {
        let url = Url::parse("http://origin.test/").unwrap();
        let run = |vars: &[(&str, &str)], over: Option<&NoProxy>| {
            let map: HashMap<String, String> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            proxy_from_env(&url, over, &|k| map.get(k).cloned())
                .unwrap()
                .map(|p| p.to_string())
        };
        // Uppercase HTTP_PROXY is ignored on purpose.
        assert_eq!(run(&[("HTTP_PROXY", "p1:1")], None), None);
        assert_eq!(
            run(&[("http_proxy", "p1:1")], None).as_deref(),
            Some("http://p1:1")
        );
        assert_eq!(
            run(
                &[("ALL_PROXY", "socks5://p2"), ("all_proxy", "socks4://p3")],
                None
            )
            .as_deref(),
            Some("socks4://p3:1080")
        );
        assert_eq!(
            run(
                &[("http_proxy", "p1:1"), ("ALL_PROXY", "socks5://p2")],
                None
            )
            .as_deref(),
            Some("http://p1:1")
        );
        // https_proxy does not apply to http URLs.
        assert_eq!(
            run(&[("HTTPS_PROXY", "p1:1"), ("https_proxy", "p1:1")], None),
            None
        );
        assert_eq!(
            run(&[("http_proxy", "p1:1"), ("NO_PROXY", ".test")], None),
            None
        );
        assert_eq!(
            run(
                &[
                    ("http_proxy", "p1:1"),
                    ("NO_PROXY", "other"),
                    ("no_proxy", "origin.test")
                ],
                None
            ),
            None
        );
        // --noproxy replaces the environment's list.
        let over = NoProxy::parse("elsewhere");
        assert_eq!(
            run(&[("http_proxy", "p1:1"), ("no_proxy", "*")], Some(&over)).as_deref(),
            Some("http://p1:1")
        );
        assert_eq!(run(&[("http_proxy", "")], None), None);
        // https URLs: https_proxy (either case), never http_proxy.
        let secure = Url::parse("https://origin.test/").unwrap();
        let run_secure = |vars: &[(&str, &str)]| {
            let map: HashMap<String, String> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            proxy_from_env(&secure, None, &|k| map.get(k).cloned())
                .unwrap()
                .map(|p| p.to_string())
        };
        assert_eq!(run_secure(&[("http_proxy", "p1:1")]), None);
        assert_eq!(
            run_secure(&[("HTTPS_PROXY", "p4:4")]).as_deref(),
            Some("http://p4:4")
        );
        assert_eq!(
            run_secure(&[("https_proxy", "p5:5"), ("HTTPS_PROXY", "p4:4")]).as_deref(),
            Some("http://p5:5")
        );
        // An HTTPS proxy from any of the variables.
        assert_eq!(
            run_secure(&[("HTTPS_PROXY", "https://p6:6")]).as_deref(),
            Some("https://p6:6")
        );
        assert_eq!(
            run_secure(&[("ALL_PROXY", "https://p7")]).as_deref(),
            Some("https://p7:443")
        );
        assert_eq!(
            run(&[("http_proxy", "https://p8:8")], None).as_deref(),
            Some("https://p8:8")
        );
    }
}
