//! HTTP Basic authentication (RFC 7617) against a fixed list of
//! `user:pass` credentials.
//!
//! The comparison takes the same time whatever the credentials sent: every
//! configured pair is compared over its whole length, and no comparison
//! stops at the first differing byte, so timing tells nothing of how much
//! of a guess was right. Credentials are never logged or printed (the
//! `Debug` form shows only how many there are).

use base64::Engine;
use brisk_core::StatusCode;
use brisk_server::{Request, Response};

/// The realm the browser shows in its login dialog.
const REALM: &str = "static";

/// The accepted credentials, and which requests need them.
#[derive(Clone, Default)]
pub struct Auth {
    /// `user:pass`, as the decoded Basic token must read.
    pairs: Vec<Vec<u8>>,
    uploads_only: bool,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("credentials", &self.pairs.len())
            .field("uploads_only", &self.uploads_only)
            .finish()
    }
}

impl Auth {
    /// Accepts `user:pass` (the user may not contain `:`, RFC 7617).
    /// Returns `None` when `pair` has no `:` or an empty user.
    pub fn with(mut self, pair: &str) -> Option<Auth> {
        let (user, _) = pair.split_once(':')?;
        if user.is_empty() {
            return None;
        }
        self.pairs.push(pair.as_bytes().to_vec());
        Some(self)
    }

    /// Ask for credentials only on uploads (`PUT`); reads stay open.
    pub fn uploads_only(mut self, on: bool) -> Auth {
        self.uploads_only = on;
        self
    }

    /// Whether any credentials are configured.
    pub fn is_on(&self) -> bool {
        !self.pairs.is_empty()
    }

    /// `None` when `req` may go on; else the 401 to answer.
    pub fn check(&self, req: &Request, is_upload: bool) -> Option<Response> {
        if !self.is_on() || (self.uploads_only && !is_upload) {
            return None;
        }
        let sent = req
            .headers()
            .get("authorization")
            .and_then(decode_basic)
            .unwrap_or_default();
        if self.accepts(&sent) {
            return None;
        }
        Some(unauthorized())
    }

    /// Constant-time over the configured pairs: each is compared in full.
    fn accepts(&self, sent: &[u8]) -> bool {
        let mut any = 0u8;
        for pair in &self.pairs {
            any |= u8::from(constant_time_eq(pair, sent));
        }
        any == 1
    }
}

/// The decoded token of `Basic TOKEN` (scheme case-insensitive).
fn decode_basic(value: &[u8]) -> Option<Vec<u8>> {
    let value = std::str::from_utf8(value).ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()
}

/// Equal bytes, in time that depends on the lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= x ^ y;
    }
    diff == 0
}

fn unauthorized() -> Response {
    let status = StatusCode::UNAUTHORIZED;
    Response::text(status, format!("{} {}\n", status.as_u16(), status.reason()))
        .header(
            "WWW-Authenticate",
            format!("Basic realm=\"{REALM}\", charset=\"UTF-8\""),
        )
        .header("Cache-Control", "no-store")
}

#[cfg(test)]
mod tests {
    use super::*;
    use brisk_core::{Headers, Method, Version};

    fn req(method: Method, auth: Option<&str>) -> Request {
        let mut h = Headers::new();
        h.append("Host", "t");
        if let Some(a) = auth {
            h.append("Authorization", a);
        }
        let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 1));
        Request::new(method, "/", Version::Http11, h, Vec::new(), peer)
    }

    fn basic(pair: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }

    #[test]
    fn table() {
        let auth = Auth::default()
            .with("ann:secret")
            .and_then(|a| a.with("bob:pa:ss"))
            .expect("valid pairs"); // ok: literals
        let cases: &[(Option<String>, bool)] = &[
            (None, false),
            (Some(basic("ann:secret")), true),
            (Some(basic("bob:pa:ss")), true),
            (Some(basic("ann:secre")), false),
            (Some(basic("ann:secrets")), false),
            (Some(basic("bob:secret")), false),
            (Some(basic("ann:secret").replace("Basic", "basic")), true),
            (Some("Bearer abc".into()), false),
            (Some("Basic !!!".into()), false),
        ];
        for (header, ok) in cases {
            let got = auth.check(&req(Method::Get, header.as_deref()), false);
            assert_eq!(got.is_none(), *ok, "{header:?}");
        }
        let refused = auth.check(&req(Method::Get, None), false).expect("401"); // ok: checked above
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert!(refused
            .headers()
            .get_str("WWW-Authenticate")
            .is_some_and(|v| v.starts_with("Basic realm=")));
    }

    #[test]
    fn uploads_only_and_bad_pairs() {
        let auth = Auth::default()
            .with("u:p")
            .expect("valid") // ok: literal
            .uploads_only(true);
        assert!(auth.check(&req(Method::Get, None), false).is_none());
        assert!(auth.check(&req(Method::Put, None), true).is_some());
        assert!(Auth::default().with("nocolon").is_none());
        assert!(Auth::default().with(":p").is_none());
        assert!(!format!("{auth:?}").contains("u:p"));
    }
}
