//! [`RequestBuilder`]: a request being built, and `send`, the loop around
//! one exchange: replay is in `execute_once` (the parent module); here,
//! redirects (which method and body go on, which credentials follow).

use std::io::{self, Read};
use std::time::Instant;

use http_core::{Headers, Method};

use super::{Client, REDIRECT_DRAIN_BYTES};
use crate::error::Error;
use crate::exchange::{Deadlines, RequestBody};
use crate::request::{is_safe_header, Req};
use crate::response::{Hop, Response};
use crate::settings::RedirectPolicy;
use crate::url::Url;

/// A request being built; [`RequestBuilder::send`] runs it.
pub struct RequestBuilder<'c> {
    client: &'c Client,
    method: Method,
    url: Result<Url, Error>,
    headers: Headers,
    removed: Vec<String>,
    late_defaults: Headers,
    body: RequestBody,
    invalid_header: Option<String>,
    expect: Option<bool>,
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
        RequestBuilder {
            client,
            method,
            url: Url::parse(url).map_err(Error::Url),
            headers: Headers::new(),
            removed: Vec::new(),
            late_defaults: Headers::new(),
            body: RequestBody::Empty,
            invalid_header: None,
            expect: None,
        }
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
            auth_host: None,
            expect: self.expect,
        };
        req.auth_host = req
            .url
            .credentials()
            .map(|_| (req.url.host().clone(), req.url.port()));
        let mut hops = Vec::new();
        loop {
            let mut resp = client.execute_once(&mut req, started, &deadlines)?;
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
            let to_get = status == 303 && req.method != Method::Head
                || matches!(status, 301 | 302) && req.method == Method::Post;
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
                req.headers.remove("authorization");
                req.headers.remove("cookie");
            }
            req.url = next;
        }
    }
}

/// Reads a small redirect body so its connection can be reused; a large
/// one is dropped with its connection.
fn drain_redirect_body(resp: Response) {
    let mut body = resp.into_body();
    let mut sink = io::sink();
    let _ = io::copy(&mut (&mut body).take(REDIRECT_DRAIN_BYTES), &mut sink);
}
