//! The opening handshake (RFC 6455 4): the server's checks of an upgrade
//! request, `Sec-WebSocket-Accept`, and the client's check of the answer.
//!
//! Both sides build their heads with their own HTTP types; this module
//! decides from fields only.

use crate::{Headers, Method, Version};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha1::{Digest, Sha1};
use std::fmt;

/// The GUID RFC 6455 4.2.2 appends to the key before hashing.
pub const ACCEPT_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The only version this implementation speaks (`Sec-WebSocket-Version`).
pub const VERSION: &str = "13";

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key ++ GUID)).
pub fn accept_key(key: &[u8]) -> String {
    let mut sha = Sha1::new();
    sha.update(key);
    sha.update(ACCEPT_GUID.as_bytes());
    STANDARD.encode(sha.finalize())
}

/// A client's `Sec-WebSocket-Key` from 16 random bytes the caller draws
/// (this crate has no random source).
pub fn client_key(nonce: [u8; 16]) -> String {
    STANDARD.encode(nonce)
}

/// Why an upgrade request is refused, with the status to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeError {
    /// A plain request with no sign of an upgrade: 426 with
    /// `Upgrade: websocket` (the endpoint speaks only WebSocket).
    NotAnUpgrade,
    /// Not `GET`: 400.
    Method,
    /// Not HTTP/1.1 (or later): 400.
    Version,
    /// `Connection` lacks the `upgrade` token: 400.
    ConnectionHeader,
    /// No `Upgrade: websocket`: 400.
    UpgradeHeader,
    /// `Sec-WebSocket-Key` missing, repeated or not 16 bytes in base64: 400.
    Key,
    /// `Sec-WebSocket-Version` missing: 400.
    MissingVersion,
    /// `Sec-WebSocket-Version` other than 13: 426 with
    /// `Sec-WebSocket-Version: 13`.
    UnsupportedVersion,
    /// (client) the status was not 101.
    Status(u16),
    /// (client) `Sec-WebSocket-Accept` missing or wrong.
    Accept,
    /// (client) an extension or subprotocol the client did not offer, or
    /// extension parameters it cannot honour.
    Negotiation,
}

impl HandshakeError {
    /// The status a server answers with (meaningless for the client-side
    /// variants, which say 400).
    pub fn status(self) -> u16 {
        match self {
            HandshakeError::NotAnUpgrade | HandshakeError::UnsupportedVersion => 426,
            _ => 400,
        }
    }

    /// The one extra field the refusal carries, if any.
    pub fn response_field(self) -> Option<(&'static str, &'static str)> {
        match self {
            HandshakeError::NotAnUpgrade => Some(("Upgrade", "websocket")),
            HandshakeError::UnsupportedVersion => Some(("Sec-WebSocket-Version", VERSION)),
            _ => None,
        }
    }
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            HandshakeError::NotAnUpgrade => "this endpoint speaks only WebSocket",
            HandshakeError::Method => "a WebSocket handshake must be a GET",
            HandshakeError::Version => "a WebSocket handshake needs HTTP/1.1",
            HandshakeError::ConnectionHeader => "Connection lacks the upgrade token",
            HandshakeError::UpgradeHeader => "Upgrade is not websocket",
            HandshakeError::Key => "Sec-WebSocket-Key is missing or malformed",
            HandshakeError::MissingVersion => "Sec-WebSocket-Version is missing",
            HandshakeError::UnsupportedVersion => "Sec-WebSocket-Version is not 13",
            HandshakeError::Status(_) => "the server did not switch protocols",
            HandshakeError::Accept => "Sec-WebSocket-Accept does not match the key",
            HandshakeError::Negotiation => "the server chose something the client did not offer",
        };
        f.write_str(what)
    }
}

impl std::error::Error for HandshakeError {}

/// A valid upgrade request's fields, borrowed from its headers.
#[derive(Debug, Clone, Copy)]
pub struct UpgradeRequest<'a> {
    /// `Sec-WebSocket-Key`, for [`accept_key`].
    pub key: &'a str,
    /// `Origin`, for the application's check (browsers always send it).
    pub origin: Option<&'a str>,
    headers: &'a Headers,
}

impl<'a> UpgradeRequest<'a> {
    /// The subprotocols the client offers, in its order of preference.
    pub fn protocols(&self) -> impl Iterator<Item = &'a str> + 'a {
        list_items(self.headers, "sec-websocket-protocol")
    }

    /// The `Sec-WebSocket-Extensions` values (for
    /// [`super::DeflateConfig::negotiate`]).
    pub fn extensions(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers.get_all("sec-websocket-extensions")
    }

    /// `Sec-WebSocket-Accept` for this request.
    pub fn accept(&self) -> String {
        accept_key(self.key.as_bytes())
    }
}

/// The comma-separated items of every field `name`, trimmed, non-empty.
fn list_items<'a>(headers: &'a Headers, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(name)
        .filter_map(|v| std::str::from_utf8(v).ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim_matches([' ', '\t']))
        .filter(|s| !s.is_empty())
}

/// Whether a request asks for a WebSocket at all (any `Upgrade` field or
/// any `Sec-WebSocket-*` field): a plain `GET` to a WebSocket-only endpoint
/// is answered 426, a broken handshake 400.
fn looks_like_upgrade(headers: &Headers) -> bool {
    headers.iter_bytes().any(|(name, _)| {
        name.eq_ignore_ascii_case(b"upgrade")
            || (name.len() > 14 && name[..14].eq_ignore_ascii_case(b"sec-websocket-"))
    })
}

/// The server's checks of an opening handshake (RFC 6455 4.2.1), in the
/// order that gives the most useful refusal.
pub fn check_request<'a>(
    method: &Method,
    version: Version,
    headers: &'a Headers,
) -> Result<UpgradeRequest<'a>, HandshakeError> {
    if *method != Method::Get {
        return Err(HandshakeError::Method);
    }
    if !looks_like_upgrade(headers) {
        return Err(HandshakeError::NotAnUpgrade);
    }
    if version != Version::Http11 {
        return Err(HandshakeError::Version);
    }
    if !headers.has_token("upgrade", "websocket") {
        return Err(HandshakeError::UpgradeHeader);
    }
    if !headers.has_token("connection", "upgrade") {
        return Err(HandshakeError::ConnectionHeader);
    }
    let key = single_field(headers, "sec-websocket-key").ok_or(HandshakeError::Key)?;
    if !is_valid_key(key) {
        return Err(HandshakeError::Key);
    }
    match single_field(headers, "sec-websocket-version") {
        None if headers.contains("sec-websocket-version") => {
            return Err(HandshakeError::UnsupportedVersion)
        }
        None => return Err(HandshakeError::MissingVersion),
        Some(v) if v != VERSION => return Err(HandshakeError::UnsupportedVersion),
        Some(_) => {}
    }
    Ok(UpgradeRequest {
        key,
        origin: headers.get_str("origin"),
        headers,
    })
}

/// The value of a field that appears exactly once, as trimmed text.
fn single_field<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    if headers.count(name) != 1 {
        return None;
    }
    headers.get_str(name).map(|v| v.trim_matches([' ', '\t']))
}

/// A key is 16 bytes in base64: 24 characters ending in `==`.
fn is_valid_key(key: &str) -> bool {
    key.len() == 24 && STANDARD.decode(key).map(|k| k.len() == 16).unwrap_or(false)
}

/// The client's check of the server's answer (RFC 6455 4.2.2 / 4.1):
/// status 101, `Upgrade: websocket`, `Connection: upgrade` and the right
/// `Sec-WebSocket-Accept` for the `key` it sent. Extensions and the
/// subprotocol are checked by the caller against what it offered
/// ([`super::DeflateOffer::check_response`], [`response_protocol`]).
pub fn check_response(status: u16, headers: &Headers, key: &str) -> Result<(), HandshakeError> {
    if status != 101 {
        return Err(HandshakeError::Status(status));
    }
    if !headers.has_token("upgrade", "websocket") {
        return Err(HandshakeError::UpgradeHeader);
    }
    if !headers.has_token("connection", "upgrade") {
        return Err(HandshakeError::ConnectionHeader);
    }
    match single_field(headers, "sec-websocket-accept") {
        Some(accept) if accept == accept_key(key.as_bytes()) => Ok(()),
        _ => Err(HandshakeError::Accept),
    }
}

/// The subprotocol the server chose, checked against the client's `offered`
/// list: `Ok(None)` when it chose none.
pub fn response_protocol<'a>(
    headers: &'a Headers,
    offered: &[&str],
) -> Result<Option<&'a str>, HandshakeError> {
    let mut chosen = list_items(headers, "sec-websocket-protocol");
    match (chosen.next(), chosen.next()) {
        (None, _) => Ok(None),
        (Some(p), None) if offered.contains(&p) => Ok(Some(p)),
        _ => Err(HandshakeError::Negotiation),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(fields: &[(&str, &str)]) -> Headers {
        let mut h = Headers::new();
        for (n, v) in fields {
            h.append(n, v);
        }
        h
    }

    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

    fn good() -> Vec<(&'static str, &'static str)> {
        vec![
            ("Host", "server.example.com"),
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", KEY),
            ("Origin", "http://example.com"),
            ("Sec-WebSocket-Protocol", "chat, superchat"),
            ("Sec-WebSocket-Version", "13"),
        ]
    }

    #[test]
    fn rfc_sample_accept() {
        assert_eq!(accept_key(KEY.as_bytes()), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(client_key(*b"the sample nonce"), KEY);
    }

    #[test]
    fn a_good_request_passes_with_its_fields() {
        let h = headers(&good());
        let req = check_request(&Method::Get, Version::Http11, &h).unwrap();
        assert_eq!(req.key, KEY);
        assert_eq!(req.origin, Some("http://example.com"));
        assert_eq!(req.protocols().collect::<Vec<_>>(), ["chat", "superchat"]);
        assert_eq!(req.accept(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        // Case-insensitive tokens inside lists.
        let mut f = good();
        f[1] = ("Upgrade", "WebSocket");
        f[2] = ("Connection", "keep-alive, UPGRADE");
        assert!(check_request(&Method::Get, Version::Http11, &headers(&f)).is_ok());
    }

    #[test]
    fn bad_requests_get_their_status() {
        use HandshakeError as E;
        let without = |name: &str| -> Vec<(&'static str, &'static str)> {
            good().into_iter().filter(|(n, _)| *n != name).collect()
        };
        let with = |name: &'static str, v: &'static str| {
            let mut f = without(name);
            f.push((name, v));
            f
        };
        let cases: Vec<(Method, Version, Vec<(&str, &str)>, E, u16)> = vec![
            (Method::Post, Version::Http11, good(), E::Method, 400),
            (Method::Get, Version::Http10, good(), E::Version, 400),
            (
                Method::Get,
                Version::Http11,
                vec![("Host", "a")],
                E::NotAnUpgrade,
                426,
            ),
            (
                Method::Get,
                Version::Http11,
                without("Upgrade"),
                E::UpgradeHeader,
                400,
            ),
            (
                Method::Get,
                Version::Http11,
                with("Upgrade", "h2c"),
                E::UpgradeHeader,
                400,
            ),
            (
                Method::Get,
                Version::Http11,
                without("Connection"),
                E::ConnectionHeader,
                400,
            ),
            (
                Method::Get,
                Version::Http11,
                without("Sec-WebSocket-Key"),
                E::Key,
                400,
            ),
            (
                Method::Get,
                Version::Http11,
                with("Sec-WebSocket-Key", "short"),
                E::Key,
                400,
            ),
            (
                Method::Get,
                Version::Http11,
                with("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ"),
                E::Key,
                400,
            ),
            (
                Method::Get,
                Version::Http11,
                without("Sec-WebSocket-Version"),
                E::MissingVersion,
                400,
            ),
            (
                Method::Get,
                Version::Http11,
                with("Sec-WebSocket-Version", "8"),
                E::UnsupportedVersion,
                426,
            ),
        ];
        for (m, v, f, err, status) in cases {
            let h = headers(&f);
            let got = check_request(&m, v, &h).map(|_| ()).unwrap_err();
            assert_eq!((got, got.status()), (err, status), "{f:?}");
        }
        assert_eq!(
            E::UnsupportedVersion.response_field(),
            Some(("Sec-WebSocket-Version", "13"))
        );
        assert_eq!(
            E::NotAnUpgrade.response_field(),
            Some(("Upgrade", "websocket"))
        );
    }

    #[test]
    fn client_checks_the_answer() {
        let ok = headers(&[
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            ("Sec-WebSocket-Protocol", "chat"),
        ]);
        assert_eq!(check_response(101, &ok, KEY), Ok(()));
        assert_eq!(
            check_response(200, &ok, KEY),
            Err(HandshakeError::Status(200))
        );
        assert_eq!(
            check_response(101, &ok, "AAAAAAAAAAAAAAAAAAAAAA=="),
            Err(HandshakeError::Accept)
        );
        assert_eq!(response_protocol(&ok, &["chat"]), Ok(Some("chat")));
        assert_eq!(
            response_protocol(&ok, &["other"]),
            Err(HandshakeError::Negotiation)
        );
        assert_eq!(response_protocol(&Headers::new(), &["chat"]), Ok(None));
    }
}
