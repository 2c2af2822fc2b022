//! Request methods: the registered ones plus extension tokens.

use crate::chars::is_token;
use std::fmt;
use std::str::FromStr;

/// A request method (RFC 9110 9). Methods are case-sensitive: `get` is an
/// extension method, not `GET`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Delete,
    Connect,
    Options,
    Trace,
    Patch,
    /// Any other token.
    Other(String),
}

impl Method {
    /// Parses a method token; `None` when the bytes are not a token.
    pub fn from_bytes(bytes: &[u8]) -> Option<Method> {
        match Method::standard(bytes) {
            Some(m) => Some(m),
            None if is_token(bytes) => Some(Method::other_token(bytes)),
            None => None,
        }
    }

    /// A method RFC 9110 defines (or PATCH), if `bytes` is one.
    #[inline(always)]
    pub(crate) fn standard(bytes: &[u8]) -> Option<Method> {
        Some(match bytes {
            b"GET" => Method::Get,
            b"HEAD" => Method::Head,
            b"POST" => Method::Post,
            b"PUT" => Method::Put,
            b"DELETE" => Method::Delete,
            b"CONNECT" => Method::Connect,
            b"OPTIONS" => Method::Options,
            b"TRACE" => Method::Trace,
            b"PATCH" => Method::Patch,
            _ => return None,
        })
    }

    /// `Other` for bytes known to be a token (so ASCII, so UTF-8).
    #[cold]
    pub(crate) fn other_token(token: &[u8]) -> Method {
        Method::Other(String::from_utf8_lossy(token).into_owned())
    }

    /// The name of a method RFC 9110 defines (or PATCH), if `bytes` is
    /// one: a parser's view gets it without a UTF-8 check.
    pub(crate) fn standard_name(bytes: &[u8]) -> Option<&'static str> {
        Some(match bytes {
            b"GET" => "GET",
            b"HEAD" => "HEAD",
            b"POST" => "POST",
            b"PUT" => "PUT",
            b"DELETE" => "DELETE",
            b"CONNECT" => "CONNECT",
            b"OPTIONS" => "OPTIONS",
            b"TRACE" => "TRACE",
            b"PATCH" => "PATCH",
            _ => return None,
        })
    }

    /// The method as sent on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Connect => "CONNECT",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
            Method::Patch => "PATCH",
            Method::Other(s) => s,
        }
    }

    /// Safe and idempotent methods whose request may be replayed on a fresh
    /// connection when a reused one died before any response byte
    /// (RFC 9110 9.2.2). POST and PATCH are not.
    pub fn is_idempotent(&self) -> bool {
        matches!(
            self,
            Method::Get
                | Method::Head
                | Method::Options
                | Method::Trace
                | Method::Put
                | Method::Delete
        )
    }
}

impl FromStr for Method {
    type Err = crate::ParseError;
    fn from_str(s: &str) -> Result<Method, Self::Err> {
        Method::from_bytes(s.as_bytes()).ok_or(crate::ParseError::Method)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_extension() {
        assert_eq!(Method::from_bytes(b"GET"), Some(Method::Get));
        assert_eq!(
            Method::from_bytes(b"get"),
            Some(Method::Other("get".into()))
        );
        assert_eq!(
            Method::from_bytes(b"PROPFIND").map(|m| m.to_string()),
            Some("PROPFIND".into())
        );
        assert_eq!(Method::from_bytes(b""), None);
        assert_eq!(Method::from_bytes(b"GE T"), None);
        assert_eq!(Method::from_bytes(b"G(T"), None);
        assert!("POST".parse::<Method>().is_ok());
        assert!(!Method::Post.is_idempotent());
        assert!(Method::Put.is_idempotent());
    }
}
