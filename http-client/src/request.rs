//! The request as it evolves across redirects, and how its head is
//! encoded: default headers in curl's order, `-H` replacing or removing
//! them, proxy and origin credentials, body framing and `Expect`.

use brisk_core::{Headers, Method, Version};

use crate::exchange::RequestBody;
use crate::proxy::Proxy;
use crate::url::{Credentials, Host, Url};

/// The request as it evolves across redirects.
pub(crate) struct Req {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: Headers,
    pub(crate) removed: Vec<String>,
    pub(crate) late_defaults: Headers,
    pub(crate) body: RequestBody,
    /// Basic credentials (the caller's, else the URL's), sent right after
    /// `Host` as curl places them.
    pub(crate) credentials: Option<Credentials>,
    /// Host and port the credentials were given for.
    pub(crate) auth_host: Option<(Host, u16)>,
    /// The credentials go to every host (curl's `--location-trusted`).
    pub(crate) auth_everywhere: bool,
    /// A per-request `Expect: 100-continue` decision.
    pub(crate) expect: Option<bool>,
    /// Cookies: where the `Cookie` line goes among `headers`, the text
    /// sent on every hop after the jar's cookies (curl's `-b STRING`), and
    /// the line of the current hop.
    pub(crate) cookies: CookiePlan,
    /// HTTP/1.1, or HTTP/1.0 with curl's `-0`.
    pub(crate) version: Version,
}

/// Where and what the `Cookie` line of a request is.
#[derive(Default, Clone)]
pub(crate) struct CookiePlan {
    /// The line goes before the custom header with this index.
    pub(crate) at: usize,
    pub(crate) fixed: Option<String>,
    /// This hop's value: the jar's cookies, then `fixed`.
    pub(crate) line: Option<String>,
}

/// GET, HEAD, OPTIONS, TRACE, PUT, DELETE: safe to send twice.
pub(crate) fn is_idempotent(m: &Method) -> bool {
    matches!(
        m,
        Method::Get | Method::Head | Method::Options | Method::Trace | Method::Put | Method::Delete
    )
}

impl Req {
    /// True when the request waits for `100 Continue` before its body.
    pub(crate) fn wants_continue(&self, threshold: Option<u64>) -> bool {
        let req = self;
        if req.removed.iter().any(|r| r == "expect") || req.version == Version::Http10 {
            return false;
        }
        // Nothing to hold back.
        if matches!(req.body, RequestBody::Empty) {
            return false;
        }
        if let Some(v) = req.headers.get_str("expect") {
            return v.trim().eq_ignore_ascii_case("100-continue");
        }
        if let Some(on) = req.expect {
            return on;
        }
        let Some(threshold) = threshold else {
            return false;
        };
        match &req.body {
            RequestBody::Empty => false,
            RequestBody::Bytes(b) => b.len() as u64 > threshold,
            RequestBody::Reader { len: Some(n), .. } => *n > threshold,
            RequestBody::Reader { len: None, .. } => true,
        }
    }

    /// The request head for `req` as it goes on the wire.
    pub(crate) fn encode_head(
        &self,
        user_agent: Option<&str>,
        accept_encoding: Option<&str>,
        proxy: Option<&Proxy>,
        expect: bool,
    ) -> Vec<u8> {
        let req = self;
        let forwarding = proxy.filter(|p| p.is_forwarding());
        let custom = &req.headers;
        let skip = |name: &str| {
            custom.contains(name) || req.removed.iter().any(|r| r.eq_ignore_ascii_case(name))
        };
        let mut h = Headers::new();
        if !skip("Host") {
            h.append("Host", req.url.host_header());
        }
        if let Some(c) = forwarding.and_then(|p| p.credentials.as_ref()) {
            if !skip("Proxy-Authorization") {
                h.append("Proxy-Authorization", c.basic_auth());
            }
        }
        let same_auth_host = req.auth_everywhere
            || req
                .auth_host
                .as_ref()
                .is_some_and(|(host, port)| host == req.url.host() && *port == req.url.port());
        if let (Some(c), true) = (req.credentials.as_ref(), same_auth_host) {
            if !skip("Authorization") {
                h.append("Authorization", c.basic_auth());
            }
        }
        if let Some(ua) = user_agent {
            if !skip("User-Agent") {
                h.append("User-Agent", ua);
            }
        }
        if !skip("Accept") {
            h.append("Accept", "*/*");
        }
        if let Some(codings) = accept_encoding {
            if !skip("Accept-Encoding") {
                h.append("Accept-Encoding", codings);
            }
        }
        if forwarding.is_some() && !skip("Proxy-Connection") {
            h.append("Proxy-Connection", "Keep-Alive");
        }
        let cookie = req.cookies.line.as_deref().filter(|_| !skip("Cookie"));
        for (i, (name, value)) in custom.iter().enumerate() {
            if i == req.cookies.at {
                if let Some(c) = cookie {
                    h.append("Cookie", c);
                }
            }
            h.append(name, value);
        }
        if req.cookies.at >= custom.len() {
            if let Some(c) = cookie {
                h.append("Cookie", c);
            }
        }
        if let Some((name, value)) = req.body.framing_header() {
            if !skip(name) {
                h.append(name, value);
            }
        }
        for (name, value) in req.late_defaults.iter() {
            if !skip(name) {
                h.append(name, value);
            }
        }
        if expect && !skip("Expect") {
            h.append("Expect", "100-continue");
        }
        let target = match forwarding {
            Some(_) => req.url.to_string(),
            None => req.url.path_and_query().to_string(),
        };
        let mut out = Vec::with_capacity(256);
        brisk_core::encode_request_head(&req.method, &target, req.version, &h, &mut out);
        out
    }
}

/// A header that cannot inject lines: the name is an RFC 9110 token and the
/// value holds no CR, LF or NUL.
pub(crate) fn is_safe_header(name: &str, value: &[u8]) -> bool {
    brisk_core::is_token(name.as_bytes()) && !value.iter().any(|b| matches!(b, b'\r' | b'\n' | 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(body: RequestBody) -> Req {
        Req {
            method: Method::Put,
            url: Url::parse("http://h:8080/p?q").unwrap(),
            headers: Headers::new(),
            removed: Vec::new(),
            late_defaults: Headers::new(),
            body,
            credentials: None,
            auth_host: None,
            auth_everywhere: false,
            expect: None,
            cookies: CookiePlan::default(),
            version: Version::Http11,
        }
    }

    #[test]
    fn the_cookie_line_goes_where_it_was_planned_unless_a_header_names_it() {
        let mut r = req(RequestBody::Empty);
        r.headers.append("Referer", "r");
        r.headers.append("X-A", "1");
        r.cookies = CookiePlan {
            at: 1,
            fixed: None,
            line: Some("a=1".into()),
        };
        let head = String::from_utf8(r.encode_head(None, None, None, false)).unwrap();
        assert!(
            head.contains("Referer: r\r\nCookie: a=1\r\nX-A: 1\r\n"),
            "{head}"
        );
        r.cookies.at = 2;
        let head = String::from_utf8(r.encode_head(None, None, None, false)).unwrap();
        assert!(head.contains("X-A: 1\r\nCookie: a=1\r\n"), "{head}");
        r.headers.append("cookie", "mine=1");
        let head = String::from_utf8(r.encode_head(None, None, None, false)).unwrap();
        assert!(!head.contains("a=1"), "{head}");
    }

    #[test]
    fn header_names_must_be_tokens_and_values_free_of_line_breaks() {
        for (name, value, ok) in [
            ("X-Ok", &b"a b\tc"[..], true),
            ("X Bad", b"v", false),
            ("", b"v", false),
            ("X-Cr", b"a\rb", false),
            ("X-Lf", b"a\nInjected: 1", false),
            ("X-Nul", b"a\0", false),
        ] {
            assert_eq!(is_safe_header(name, value), ok, "{name:?}");
        }
    }

    #[test]
    fn expect_follows_the_threshold_unless_the_request_says_otherwise() {
        let big = || RequestBody::Bytes(vec![0; 11]);
        assert!(req(big()).wants_continue(Some(10)));
        assert!(!req(big()).wants_continue(Some(11)));
        assert!(!req(big()).wants_continue(None));
        assert!(!req(RequestBody::Empty).wants_continue(Some(0)));
        let mut r = req(big());
        r.expect = Some(false);
        assert!(!r.wants_continue(Some(0)));
        let mut r = req(big());
        r.removed.push("expect".into());
        assert!(!r.wants_continue(Some(0)));
    }

    #[test]
    fn the_head_has_curls_default_headers_in_order_then_framing_and_expect() {
        let mut r = req(RequestBody::Bytes(b"hello".to_vec()));
        r.headers.append("X-A", "1");
        r.late_defaults.append("Content-Type", "text/plain");
        let head = r.encode_head(Some("fetch/1"), None, None, true);
        assert_eq!(
            String::from_utf8(head).unwrap(),
            "PUT /p?q HTTP/1.1\r\nHost: h:8080\r\nUser-Agent: fetch/1\r\nAccept: */*\r\n\
             X-A: 1\r\nContent-Length: 5\r\nContent-Type: text/plain\r\nExpect: 100-continue\r\n\r\n"
        );
    }
}
