//! `http://` and `https://` URLs: the small subset of RFC 3986 an HTTP
//! client needs.
//!
//! ```text
//! http://[user[:pass]@]host[:port][/path][?query][#fragment]
//!        host = reg-name | IPv4 | "[" IPv6 "]"
//! ```
//!
//! A URL without a scheme is taken as `http://`, as curl does; `https://`
//! defaults to port 443. Any other scheme is
//! [`UrlError::UnsupportedScheme`]; anything
//! that does not fit the grammar is [`UrlError::Malformed`]. The fragment is
//! dropped (it never goes on the wire). Userinfo is percent-decoded.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The port used when an `http://` URL names none.
pub const HTTP_DEFAULT_PORT: u16 = 80;
/// The port used when an `https://` URL names none.
pub const HTTPS_DEFAULT_PORT: u16 = 443;

/// The scheme of an origin: a connection made for one never serves
/// another (it is part of the pool key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

impl Scheme {
    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// 80 or 443.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => HTTP_DEFAULT_PORT,
            Scheme::Https => HTTPS_DEFAULT_PORT,
        }
    }
}

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// A scheme other than `http` (curl exit code 1).
    UnsupportedScheme(String),
    /// Not a URL we can use (curl exit code 3); the reason names the part.
    Malformed(&'static str),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::UnsupportedScheme(s) => write!(f, "protocol \"{s}\" not supported"),
            UrlError::Malformed(why) => write!(f, "malformed URL: {why}"),
        }
    }
}

impl std::error::Error for UrlError {}

/// The host part of a URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// A registered name, lowercased (`example.com`, `localhost`).
    Domain(String),
    /// An IPv4 literal.
    V4(Ipv4Addr),
    /// An IPv6 literal (written in brackets in URLs and `Host`).
    V6(Ipv6Addr),
}

impl Host {
    /// Parses a bare host (no port). IPv6 may come with or without brackets.
    pub fn parse(s: &str) -> Result<Host, UrlError> {
        if let Some(inner) = s.strip_prefix('[') {
            let inner = inner
                .strip_suffix(']')
                .ok_or(UrlError::Malformed("unclosed IPv6 bracket"))?;
            // A zone id (`%25eth0`) is not supported on purpose: loopback work only.
            return inner
                .parse::<Ipv6Addr>()
                .map(Host::V6)
                .map_err(|_| UrlError::Malformed("bad IPv6 address"));
        }
        if s.is_empty() {
            return Err(UrlError::Malformed("empty host"));
        }
        if let Ok(v6) = s.parse::<Ipv6Addr>() {
            return Ok(Host::V6(v6));
        }
        if let Ok(v4) = s.parse::<Ipv4Addr>() {
            return Ok(Host::V4(v4));
        }
        if s.len() > 253 + 1 {
            return Err(UrlError::Malformed("host name too long"));
        }
        // reg-name = *( unreserved / pct-encoded / sub-delims ); we accept the
        // DNS subset: letters, digits, '-', '.', '_' ('_' occurs in practice).
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        {
            return Err(UrlError::Malformed("bad character in host name"));
        }
        Ok(Host::Domain(s.to_ascii_lowercase()))
    }

    /// True for IP literals, which need no name resolution.
    pub fn is_ip(&self) -> bool {
        !matches!(self, Host::Domain(_))
    }
}

impl fmt::Display for Host {
    /// As written in a URL or a `Host` header: IPv6 in brackets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::V4(a) => write!(f, "{a}"),
            Host::V6(a) => write!(f, "[{a}]"),
        }
    }
}

/// Percent-decoded `user[:password]` from a URL.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Credentials {
    /// The user name.
    pub user: String,
    /// The password; empty when the URL had none.
    pub password: String,
}

impl fmt::Debug for Credentials {
    // Never print a password into a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Credentials({:?}, ***)", self.user)
    }
}

impl Credentials {
    /// Splits `user:pass` at the first colon (curl's `-U` and userinfo rule).
    pub fn from_pair(s: &str) -> Credentials {
        match s.split_once(':') {
            Some((u, p)) => Credentials {
                user: u.to_string(),
                password: p.to_string(),
            },
            None => Credentials {
                user: s.to_string(),
                password: String::new(),
            },
        }
    }

    /// `Basic base64(user:pass)` for `Authorization` / `Proxy-Authorization`.
    pub fn basic_auth(&self) -> String {
        use base64::Engine as _;
        let raw = format!("{}:{}", self.user, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

/// A parsed `http://` or `https://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    scheme: Scheme,
    host: Host,
    port: u16,
    /// Path and query as sent in origin-form, always starting with '/'.
    path_and_query: String,
    credentials: Option<Credentials>,
}

/// Splits `scheme://rest`; `None` when there is no scheme.
pub(crate) fn split_scheme(s: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = s.split_once("://")?;
    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
    let mut bytes = scheme.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    if first_ok && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) {
        Some((scheme, rest))
    } else {
        None
    }
}

/// Splits an authority `[userinfo@]host[:port]` into its parts.
pub(crate) fn split_authority(
    authority: &str,
) -> Result<(Option<Credentials>, Host, Option<u16>), UrlError> {
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let credentials = userinfo.map(|u| {
        let (user, pass) = u.split_once(':').unwrap_or((u, ""));
        Credentials {
            user: pct_decode(user),
            password: pct_decode(pass),
        }
    });
    let (host_str, port_str) = if hostport.starts_with('[') {
        let close = hostport
            .find(']')
            .ok_or(UrlError::Malformed("unclosed IPv6 bracket"))?;
        let after = &hostport[close + 1..];
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or(UrlError::Malformed("junk after IPv6 address"))?,
            ),
        };
        (&hostport[..=close], port)
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let host = Host::parse(host_str)?;
    let port = match port_str {
        None | Some("") => None,
        Some(p) => Some(parse_port(p)?),
    };
    Ok((credentials, host, port))
}

fn parse_port(p: &str) -> Result<u16, UrlError> {
    if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UrlError::Malformed("bad port number"));
    }
    match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(UrlError::Malformed("bad port number")),
        Ok(n) => Ok(n),
    }
}

fn pct_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Bytes that may not appear in a URL at all: controls, space and DEL
/// (curl refuses them too, exit 3). Non-ASCII is allowed and
/// percent-encoded on the way out.
fn has_illegal_bytes(s: &str) -> bool {
    s.bytes().any(|b| b <= b' ' || b == 0x7f)
}

/// Percent-encodes non-ASCII bytes with lowercase hex, as curl writes them
/// (`/é` -> `/%c3%a9`); everything else is left as given.
fn encode_non_ascii(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for b in s.bytes() {
        if b.is_ascii() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

impl Url {
    /// Parses `http://...` or `https://...` (a scheme-less `host/path` is
    /// taken as http).
    pub fn parse(input: &str) -> Result<Url, UrlError> {
        Url::parse_with(input, true)
    }

    /// Like [`Url::parse`], but "." and ".." segments are sent as they are
    /// (curl's `--path-as-is`).
    pub fn parse_as_is(input: &str) -> Result<Url, UrlError> {
        Url::parse_with(input, false)
    }

    fn parse_with(input: &str, resolve_dots: bool) -> Result<Url, UrlError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(UrlError::Malformed("empty URL"));
        }
        let (scheme, rest) = match split_scheme(input) {
            Some((scheme, rest)) => {
                if scheme.eq_ignore_ascii_case("http") {
                    (Scheme::Http, rest)
                } else if scheme.eq_ignore_ascii_case("https") {
                    (Scheme::Https, rest)
                } else {
                    return Err(UrlError::UnsupportedScheme(scheme.to_ascii_lowercase()));
                }
            }
            None => (Scheme::Http, input),
        };
        if has_illegal_bytes(rest) {
            return Err(UrlError::Malformed(
                "illegal character (space or control byte)",
            ));
        }
        // Drop the fragment: it is for the user agent, never sent.
        let rest = rest.split('#').next().unwrap_or(""); // ok: split yields at least one item
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.is_empty() {
            return Err(UrlError::Malformed("no host"));
        }
        let (credentials, host, port) = split_authority(authority)?;
        let path_and_query = if tail.is_empty() {
            "/".to_string()
        } else if tail.starts_with('?') {
            format!("/{tail}")
        } else if resolve_dots {
            // "." and ".." segments are resolved before sending, as curl
            // does (RFC 3986 5.2.4).
            remove_dot_segments_pq(tail)
        } else {
            tail.to_string()
        };
        let path_and_query = encode_non_ascii(&path_and_query);
        Ok(Url {
            scheme,
            host,
            port: port.unwrap_or(scheme.default_port()),
            path_and_query,
            credentials,
        })
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// True for `https://`.
    pub fn is_https(&self) -> bool {
        self.scheme == Scheme::Https
    }

    /// The host.
    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The port (80 when the URL names none).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Path and query in origin-form (`/a/b?x=1`), never empty.
    pub fn path_and_query(&self) -> &str {
        &self.path_and_query
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.path_and_query.split('?').next().unwrap_or("/") // ok: split yields at least one item
    }

    /// The query without `?`, if any.
    pub fn query(&self) -> Option<&str> {
        self.path_and_query.split_once('?').map(|(_, q)| q)
    }

    /// The user info, percent-decoded.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// Removes the user info (used before a redirect to another host).
    pub fn without_credentials(&self) -> Url {
        Url {
            credentials: None,
            ..self.clone()
        }
    }

    /// The `Host` header value: the port only when it is not the
    /// scheme's default (as curl).
    pub fn host_header(&self) -> String {
        if self.port == self.scheme.default_port() {
            self.host.to_string()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// `host:port` always with the port (CONNECT's authority-form).
    pub fn authority(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Appends `pairs` to the query, percent-encoded as a form would be.
    pub fn append_query(&mut self, raw: &str) {
        if raw.is_empty() {
            return;
        }
        if self.path_and_query.contains('?') {
            self.path_and_query.push('&');
        } else {
            self.path_and_query.push('?');
        }
        self.path_and_query.push_str(raw);
    }

    /// Appends `name=value` with both sides form-encoded.
    pub fn append_query_pair(&mut self, name: &str, value: &str) {
        let pair = format!("{}={}", form_encode(name), form_encode(value));
        self.append_query(&pair);
    }

    /// The last path segment, used by `fetch -O` as the local file name.
    pub fn file_name(&self) -> Option<&str> {
        let seg = self.path().rsplit('/').next()?;
        (!seg.is_empty()).then_some(seg)
    }

    /// Resolves a `Location` value against this URL (RFC 3986 5.2, the
    /// cases servers send: absolute, scheme-relative, absolute-path,
    /// relative path, query-only). Credentials are not carried over.
    pub fn join(&self, location: &str) -> Result<Url, UrlError> {
        let location = location.trim();
        if split_scheme(location).is_some() {
            return Url::parse(location);
        }
        if let Some(rest) = location.strip_prefix("//") {
            return Url::parse(&format!("{}://{rest}", self.scheme.as_str()));
        }
        if has_illegal_bytes(location) {
            return Err(UrlError::Malformed("illegal character in Location"));
        }
        let location = location.split('#').next().unwrap_or(""); // ok: split yields an item
        let base = self.without_credentials();
        let path_and_query = if location.is_empty() {
            base.path_and_query.clone()
        } else if location.starts_with('/') {
            remove_dot_segments_pq(location)
        } else if location.starts_with('?') {
            format!("{}{location}", base.path())
        } else {
            let dir = match base.path().rfind('/') {
                Some(i) => &base.path()[..=i],
                None => "/",
            };
            remove_dot_segments_pq(&format!("{dir}{location}"))
        };
        Ok(Url {
            path_and_query: encode_non_ascii(&path_and_query),
            ..base
        })
    }
}

fn remove_dot_segments_pq(pq: &str) -> String {
    let (path, query) = match pq.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (pq, None),
    };
    let mut out: Vec<&str> = Vec::new();
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let last = segs.len().saturating_sub(1);
    let mut trailing_slash = false;
    for (i, seg) in segs.iter().enumerate() {
        match *seg {
            "." => trailing_slash = i == last,
            ".." => {
                out.pop();
                trailing_slash = i == last;
            }
            s => {
                out.push(s);
                trailing_slash = false;
            }
        }
    }
    let mut p = String::from("/");
    p.push_str(&out.join("/"));
    if trailing_slash && !p.ends_with('/') {
        p.push('/');
    }
    match query {
        Some(q) => format!("{p}?{q}"),
        None => p,
    }
}

/// `application/x-www-form-urlencoded` encoding of one name or value.
pub fn form_encode(s: &str) -> String {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    const FORM: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC
        .remove(b'*')
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b' ');
    utf8_percent_encode(s, FORM).to_string().replace(' ', "+")
}

impl fmt::Display for Url {
    /// The URL as sent in absolute-form, without user info.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}{}",
            self.scheme.as_str(),
            self.host_header(),
            self.path_and_query
        )
    }
}

#[cfg(test)]
mod tests;
