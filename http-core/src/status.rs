//! Status codes and their reason phrases.

use std::fmt;

/// A three-digit status code (100..=999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusCode(u16);

macro_rules! codes {
    ($(($name:ident, $num:expr, $reason:expr),)*) => {
        impl StatusCode {
            $(
                #[doc = concat!("`", stringify!($num), " ", $reason, "`")]
                pub const $name: StatusCode = StatusCode($num);
            )*

            /// The canonical reason phrase, or `""` for an unregistered code.
            pub fn reason(self) -> &'static str {
                match self.0 {
                    $($num => $reason,)*
                    _ => "",
                }
            }

            /// The whole HTTP/1.1 status line with its CRLF
            /// (`"HTTP/1.1 200 OK\r\n"`) for a registered code: one copy for
            /// the encoder instead of formatting digits and a reason.
            pub(crate) fn http11_line(self) -> Option<&'static str> {
                match self.0 {
                    $($num => Some(concat!("HTTP/1.1 ", stringify!($num), " ", $reason, "\r\n")),)*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    (CONTINUE, 100, "Continue"),
    (SWITCHING_PROTOCOLS, 101, "Switching Protocols"),
    (OK, 200, "OK"),
    (CREATED, 201, "Created"),
    (ACCEPTED, 202, "Accepted"),
    (NO_CONTENT, 204, "No Content"),
    (PARTIAL_CONTENT, 206, "Partial Content"),
    (MULTI_STATUS, 207, "Multi-Status"),
    (MOVED_PERMANENTLY, 301, "Moved Permanently"),
    (FOUND, 302, "Found"),
    (SEE_OTHER, 303, "See Other"),
    (NOT_MODIFIED, 304, "Not Modified"),
    (TEMPORARY_REDIRECT, 307, "Temporary Redirect"),
    (PERMANENT_REDIRECT, 308, "Permanent Redirect"),
    (BAD_REQUEST, 400, "Bad Request"),
    (UNAUTHORIZED, 401, "Unauthorized"),
    (FORBIDDEN, 403, "Forbidden"),
    (NOT_FOUND, 404, "Not Found"),
    (METHOD_NOT_ALLOWED, 405, "Method Not Allowed"),
    (NOT_ACCEPTABLE, 406, "Not Acceptable"),
    (PROXY_AUTHENTICATION_REQUIRED, 407, "Proxy Authentication Required"),
    (REQUEST_TIMEOUT, 408, "Request Timeout"),
    (CONFLICT, 409, "Conflict"),
    (GONE, 410, "Gone"),
    (LENGTH_REQUIRED, 411, "Length Required"),
    (PRECONDITION_FAILED, 412, "Precondition Failed"),
    (PAYLOAD_TOO_LARGE, 413, "Content Too Large"),
    (URI_TOO_LONG, 414, "URI Too Long"),
    (UNSUPPORTED_MEDIA_TYPE, 415, "Unsupported Media Type"),
    (RANGE_NOT_SATISFIABLE, 416, "Range Not Satisfiable"),
    (EXPECTATION_FAILED, 417, "Expectation Failed"),
    (LOCKED, 423, "Locked"),
    (FAILED_DEPENDENCY, 424, "Failed Dependency"),
    (TOO_MANY_REQUESTS, 429, "Too Many Requests"),
    (REQUEST_HEADER_FIELDS_TOO_LARGE, 431, "Request Header Fields Too Large"),
    (INTERNAL_SERVER_ERROR, 500, "Internal Server Error"),
    (NOT_IMPLEMENTED, 501, "Not Implemented"),
    (BAD_GATEWAY, 502, "Bad Gateway"),
    (SERVICE_UNAVAILABLE, 503, "Service Unavailable"),
    (GATEWAY_TIMEOUT, 504, "Gateway Timeout"),
    (HTTP_VERSION_NOT_SUPPORTED, 505, "HTTP Version Not Supported"),
    (INSUFFICIENT_STORAGE, 507, "Insufficient Storage"),
}

impl StatusCode {
    /// A status code from its number; `None` outside 100..=999.
    pub fn new(code: u16) -> Option<StatusCode> {
        (100..=999).contains(&code).then_some(StatusCode(code))
    }

    /// The number.
    pub fn as_u16(self) -> u16 {
        self.0
    }

    /// 1xx.
    pub fn is_informational(self) -> bool {
        (100..200).contains(&self.0)
    }

    /// 2xx.
    pub fn is_success(self) -> bool {
        (200..300).contains(&self.0)
    }

    /// 3xx.
    pub fn is_redirection(self) -> bool {
        (300..400).contains(&self.0)
    }

    /// 4xx and 5xx.
    pub fn is_error(self) -> bool {
        self.0 >= 400
    }

    /// 1xx, 204 and 304 never carry a body (RFC 9112 6.3).
    pub fn forbids_body(self) -> bool {
        self.is_informational() || self.0 == 204 || self.0 == 304
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.reason())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_and_classes() {
        assert_eq!(StatusCode::OK.reason(), "OK");
        assert_eq!(
            StatusCode::new(431).map(|s| s.reason()),
            Some("Request Header Fields Too Large")
        );
        assert_eq!(StatusCode::new(299).map(|s| s.reason()), Some(""));
        assert_eq!(StatusCode::new(99), None);
        assert_eq!(StatusCode::new(1000), None);
        assert!(StatusCode::NOT_MODIFIED.forbids_body());
        assert!(StatusCode::CONTINUE.forbids_body());
        assert!(!StatusCode::OK.forbids_body());
        assert_eq!(StatusCode::NOT_FOUND.to_string(), "404 Not Found");
    }
}
