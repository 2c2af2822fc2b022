//! [`RequestBuilder`]: a request being built, and `send`, the loop around
//! one exchange: replay is in `execute_once` (the parent module); here,
//! redirects (which method and body go on, which credentials follow).

use std::io::{self, Read};
use std::time::Instant;

use brisk_core::{Headers, Method, Version};

use super::{Client, REDIRECT_DRAIN_BYTES};
use crate::error::Error;
use crate::exchange::{Deadlines, RequestBody};
use crate::request::{is_safe_header, CookiePlan, Req};
use crate::response::{Hop, Response};
use crate::settings::RedirectPolicy;
use crate::url::Url;

/// A request being built; [`RequestBuilder::send`] runs it.
pub struct RequestBuilder<'c> {
    client: &'c Client,
    method: Method,
    url: Result<Url, Error>,
    credentials: Option<crate::url::Credentials>,
    version: Version,
    headers: Headers,
    removed: Vec<String>,
    late_defaults: Headers,
    body: RequestBody,
    invalid_header: Option<String>,
    expect: Option<bool>,
    cookies: CookiePlan,
}

impl std::fmt::Debug for RequestBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RequestBuilder({} {:?})",
            self.method.as_str(),
            self.url.as_ref().ok()
        )
    }
}

impl<'c> RequestBuilder<'c> {
    /// A request with no headers, body or expectations yet (see
    /// [`Client::request`]); a bad `url` surfaces from `send`.
    pub(super) fn new(client: &'c Client, method: Method, url: &str) -> RequestBuilder<'c> {
        RequestBuilder::with_url(client, method, Url::parse(url).map_err(Error::Url))
    }

    /// A request to a URL parsed already (or the error parsing gave).
    pub(super) fn with_url(
        client: &'c Client,
        method: Method,
        url: Result<Url, Error>,
    ) -> RequestBuilder<'c> {
        RequestBuilder {
            client,
            method,
            url,
            credentials: None,
            version: Version::Http11,
            headers: Headers::new(),
            removed: Vec::new(),
            late_defaults: Headers::new(),
            body: RequestBody::Empty,
            invalid_header: None,
            expect: None,
            cookies: CookiePlan::default(),
        }
    }

    /// The length of the body, when known (0 for none).
    pub fn body_len(&self) -> Option<u64> {
        match &self.body {
            RequestBody::Empty => Some(0),
            RequestBody::Bytes(b) => Some(b.len() as u64),
            RequestBody::Reader { len, .. } => *len,
        }
    }

    /// The request method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Basic credentials, sent as `Authorization` right after `Host` (where
    /// curl puts `-u`'s), to this host only unless
    /// [`ClientBuilder::location_trusted`](crate::ClientBuilder::location_trusted).
    pub fn basic_auth(mut self, credentials: crate::url::Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Sends the request as HTTP/1.0 (curl's `-0`): no `Expect`, and the
    /// connection is not kept unless the server says so.
    pub fn http10(mut self) -> Self {
        self.version = Version::Http10;
        self
    }

    /// Adds a header; one with the name of a default header (`Host`,
    /// `User-Agent`, `Accept`) replaces it.
    ///
    /// A name that is not an RFC 9110 token, or a value with CR, LF or NUL
    /// (which would inject header lines), makes `send` fail with
    /// [`Error::InvalidHeader`].
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        if self.checked_header(name, value.as_ref()) {
            self.headers.append(name, value);
        }
        self
    }
    /// Suppresses a default header (curl's `-H "Name:"`).
    pub fn remove_header(mut self, name: &str) -> Self {
        self.removed.push(name.to_ascii_lowercase());
        self
    }
    /// A header sent after the body-framing header unless the request
    /// already has one of that name (how curl places `Content-Type` for `-d`).
    pub fn default_header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        if self.checked_header(name, value.as_ref()) {
            self.late_defaults.append(name, value);
        }
        self
    }
    /// True when `name: value` may go on the wire; otherwise remembers the
    /// first bad name for `send` to report.
    fn checked_header(&mut self, name: &str, value: &[u8]) -> bool {
        let ok = is_safe_header(name, value);
        if !ok {
            self.invalid_header.get_or_insert_with(|| name.to_string());
        }
        ok
    }
    /// This request as a WebSocket opening ([`crate::ws`]): its URL
    /// (`http`/`https`, which is what `ws`/`wss` mean on the wire),
    /// headers and removed defaults go with it. A method other than GET
    /// or a body makes [`crate::ws::WsBuilder::connect`] fail with
    /// [`crate::ws::WsError::InvalidInput`].
    pub fn websocket(self) -> crate::ws::WsBuilder {
        let url = match (self.url, self.invalid_header) {
            (Err(e), _) => Err(e),
            (Ok(_), Some(name)) => Err(Error::InvalidHeader { name }),
            (Ok(u), None) => Ok(u),
        };
        let misuse = (self.method != Method::Get || !matches!(self.body, RequestBody::Empty))
            .then_some("a WebSocket opens with a GET without a body");
        crate::ws::WsBuilder::from_parts(
            self.client.clone(),
            url,
            self.headers,
            self.removed,
            misuse,
        )
        .with_auth_and_cookies(self.credentials, self.cookies)
    }
    /// Appends `name=value` to the query, form-encoded.
    pub fn query_pair(mut self, name: &str, value: &str) -> Self {
        if let Ok(u) = &mut self.url {
            u.append_query_pair(name, value);
        }
        self
    }
    /// Appends already-encoded text to the query (curl's `-G -d`).
    pub fn raw_query(mut self, q: &str) -> Self {
        if let Ok(u) = &mut self.url {
            u.append_query(q);
        }
        self
    }
    /// Cookie text sent on every request of this send, redirects to any
    /// host included, after the cookie engine's (curl's `-b STRING`); the
    /// `Cookie` line goes after the headers added so far and before those
    /// added later (curl puts it after `Referer`, before `-H` headers). A
    /// `Cookie` header of the caller's replaces the line.
    pub fn cookie(mut self, text: Option<&str>) -> Self {
        self.cookies = CookiePlan {
            at: self.headers.len(),
            fixed: text.map(str::to_string),
            line: None,
        };
        self
    }
    /// The body.
    pub fn body(mut self, body: RequestBody) -> Self {
        self.body = body;
        self
    }
    /// Forces `Expect: 100-continue` on (curl does it for every `-T`
    /// upload) or off, whatever the client's threshold says.
    pub fn expect_continue(mut self, on: bool) -> Self {
        self.expect = Some(on);
        self
    }
    /// Bytes as the body.
    pub fn body_bytes(self, b: impl Into<Vec<u8>>) -> Self {
        self.body(RequestBody::Bytes(b.into()))
    }

    /// Runs the request: connect (or reuse), send, read the head, follow
    /// redirects per the client's policy. The body is left to read.
    pub fn send(self) -> Result<Response, Error> {
        let client = self.client;
        let url = self.url?;
        if let Some(name) = self.invalid_header {
            return Err(Error::InvalidHeader { name });
        }
        let started = Instant::now();
        let s = &client.inner.settings;
        let deadlines = Deadlines {
            total: s.total_timeout.map(|d| started + d),
            idle: s.idle_timeout,
        };
        let mut req = Req {
            method: self.method,
            url,
            headers: self.headers,
            removed: self.removed,
            late_defaults: self.late_defaults,
            body: self.body,
            credentials: None,
            auth_host: None,
            auth_everywhere: s.location_trusted,
            expect: self.expect,
            cookies: self.cookies,
            version: self.version,
        };
        req.credentials = self.credentials.or_else(|| req.url.credentials().cloned());
        req.auth_host = req
            .credentials
            .as_ref()
            .map(|_| (req.url.host().clone(), req.url.port()));
        let mut hops = Vec::new();
        loop {
            req.cookies.line = client.cookie_line(&req);
            let mut resp = client.execute_once(&mut req, started, &deadlines)?;
            client.store_cookies(&req.url, &resp);
            let status = resp.status();
            let location = resp.header("location").map(str::to_string);
            let (RedirectPolicy::Follow { max }, Some(location)) = (s.redirects, location) else {
                resp.redirects = hops;
                return Ok(resp);
            };
            if !matches!(status, 301 | 302 | 303 | 307 | 308) {
                resp.redirects = hops;
                return Ok(resp);
            }
            if hops.len() as u32 >= max {
                return Err(Error::TooManyRedirects { max });
            }
            let next = req.url.join(&location)?;
            if !s.redirect_schemes.contains(&next.scheme()) {
                return Err(Error::Url(crate::UrlError::UnsupportedScheme(
                    next.scheme().as_str().to_string(),
                )));
            }
            let keep = s.keep_post;
            let to_get = match status {
                301 => req.method == Method::Post && !keep.on_301,
                302 => req.method == Method::Post && !keep.on_302,
                // curl's --post303 keeps only a POST; other methods still become GET.
                303 => req.method != Method::Head && !(keep.on_303 && req.method == Method::Post),
                _ => false,
            };
            if !to_get && !req.body.is_replayable() {
                // A 307/308 would need the body again: hand the 3xx back.
                resp.redirects = hops;
                return Ok(resp);
            }
            client.note(&format!("Issue another request to this URL: '{next}'"));
            hops.push(Hop {
                url: req.url.clone(),
                raw_head: resp.raw_head.clone(),
                status,
            });
            drain_redirect_body(resp);
            if to_get {
                req.method = Method::Get;
                req.body = RequestBody::Empty;
                // Content-Type described the body that is no longer sent.
                req.late_defaults = Headers::new();
            }
            // Credentials go only to the host they were given for.
            // Never from https to http either.
            let same_origin = next.host() == req.url.host()
                && next.port() == req.url.port()
                && next.scheme() == req.url.scheme();
            if !same_origin {
                if !s.location_trusted {
                    remove_custom(&mut req, "authorization");
                }
                remove_custom(&mut req, "cookie");
            }
            req.url = next;
        }
    }
}

/// Removes the caller's headers named `name`, keeping the planned place
/// of the `Cookie` line among those left.
fn remove_custom(req: &mut Req, name: &str) {
    let before = req
        .headers
        .iter()
        .take(req.cookies.at)
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .count();
    req.headers.remove(name);
    req.cookies.at -= before;
}

impl Client {
    /// This hop's `Cookie` value: the jar's cookies for the URL, then the
    /// request's own text, joined as curl joins them.
    pub(crate) fn cookie_line(&self, req: &Req) -> Option<String> {
        let jar = self.inner.settings.cookies.as_ref().and_then(|store| {
            let jar = store.lock().unwrap_or_else(|p| p.into_inner());
            jar.header_for(&req.url, unix_now())
        });
        match (jar, req.cookies.fixed.as_deref()) {
            (Some(j), Some(f)) => Some(format!("{j}; {f}")),
            (Some(j), None) => Some(j),
            (None, Some(f)) => Some(f.to_string()),
            (None, None) => None,
        }
    }

    /// Every `Set-Cookie` of a response into the jar, each noted for `-v`.
    fn store_cookies(&self, url: &Url, resp: &Response) {
        let Some(store) = &self.inner.settings.cookies else {
            return;
        };
        let mut jar = store.lock().unwrap_or_else(|p| p.into_inner());
        for value in resp.headers().get_all("set-cookie") {
            let value = String::from_utf8_lossy(value);
            if jar.store(&value, url, unix_now()) {
                // The name only: a cookie's value is a credential, and
                // notes go to `-v` output and logs.
                let pair = value.split(';').next().unwrap_or(""); // ok: split yields one item
                let name = pair.split('=').next().unwrap_or("").trim(); // ok: as above
                self.note(&format!("Added cookie {name}"));
            }
        }
    }
}

/// Seconds since the epoch: cookie expiry is wall-clock time.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Reads a small redirect body so its connection can be reused; a large
/// one is dropped with its connection.
fn drain_redirect_body(resp: Response) {
    let mut body = resp.into_body();
    let mut sink = io::sink();
    let _ = io::copy(&mut (&mut body).take(REDIRECT_DRAIN_BYTES), &mut sink);
}
