//! Encoding heads into one buffer, and the cached `Date` value.

use crate::{Headers, Method, StatusCode, Version};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Appends one `name: value CRLF` line. A name that is not a token is
/// dropped, and CR, LF and NUL in a value become spaces: whatever a handler
/// put in a header, it cannot split the message.
#[inline]
pub fn encode_field(name: &[u8], value: &[u8], out: &mut Vec<u8>) {
    if !crate::chars::is_token(name) {
        return;
    }
    out.reserve(name.len() + value.len() + 4);
    out.extend_from_slice(name);
    out.extend_from_slice(b": ");
    if crate::chars::has_line_break_or_nul(value) {
        out.extend(value.iter().map(|&b| {
            if matches!(b, b'\r' | b'\n' | 0) {
                b' '
            } else {
                b
            }
        }));
    } else {
        out.extend_from_slice(value);
    }
    out.extend_from_slice(b"\r\n");
}

fn encode_fields(headers: &Headers, out: &mut Vec<u8>) {
    // One reservation for the whole block: the head never reallocates.
    out.reserve(headers.data_len() + 4 * headers.len() + 2);
    for (name, value) in headers.iter_bytes() {
        encode_field(name, value, out);
    }
}

/// Appends a status line (`HTTP/1.1 200 OK` CRLF). With [`encode_field`]
/// and a final CRLF, a server writes a head field by field, adding its own
/// framing fields to a handler's without building a second `Headers`.
#[inline]
pub fn encode_status_line(version: Version, status: StatusCode, out: &mut Vec<u8>) {
    match (version, status.http11_line()) {
        (Version::Http11, Some(line)) => out.extend_from_slice(line.as_bytes()),
        _ => format_status_line(version, status, out),
    }
}

/// [`encode_status_line`] for HTTP/1.0 and unregistered codes.
#[cold]
fn format_status_line(version: Version, status: StatusCode, out: &mut Vec<u8>) {
    out.extend_from_slice(version.as_str().as_bytes());
    out.push(b' ');
    let code = status.as_u16();
    out.extend_from_slice(&[
        b'0' + (code / 100 % 10) as u8,
        b'0' + (code / 10 % 10) as u8,
        b'0' + (code % 10) as u8,
    ]);
    out.push(b' ');
    out.extend_from_slice(status.reason().as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Appends a status line, the fields and the blank line to `out`.
pub fn encode_response_head(
    version: Version,
    status: StatusCode,
    headers: &Headers,
    out: &mut Vec<u8>,
) {
    encode_status_line(version, status, out);
    encode_fields(headers, out);
    out.extend_from_slice(b"\r\n");
}

/// Appends a request line, the fields and the blank line to `out`.
pub fn encode_request_head(
    method: &Method,
    target: &str,
    version: Version,
    headers: &Headers,
    out: &mut Vec<u8>,
) {
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.push(b' ');
    out.extend_from_slice(version.as_str().as_bytes());
    out.extend_from_slice(b"\r\n");
    encode_fields(headers, out);
    out.extend_from_slice(b"\r\n");
}

/// Formats a time as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn fmt_http_date(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

/// Parses any of the three HTTP date formats (IMF-fixdate, RFC 850,
/// asctime); `None` for anything else.
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(s.trim()).ok()
}

/// The `Date` value, formatted at most once per second. The clock is the
/// caller's: pass the current time in.
#[derive(Debug, Clone)]
pub struct DateCache {
    /// The second `value` was formatted for: `from` up to `until`.
    from: SystemTime,
    until: SystemTime,
    value: String,
}

impl Default for DateCache {
    fn default() -> Self {
        DateCache::new()
    }
}

impl DateCache {
    /// An empty cache; the first `get` formats.
    pub fn new() -> DateCache {
        DateCache {
            from: UNIX_EPOCH,
            until: UNIX_EPOCH,
            value: String::new(),
        }
    }

    /// The IMF-fixdate for `now`, recomputed only when the second changed.
    /// The common case is two comparisons of `now` with the cached second's
    /// bounds, not a subtraction from the epoch per call.
    pub fn get(&mut self, now: SystemTime) -> &str {
        if now < self.from || now >= self.until {
            self.refresh(now);
        }
        &self.value
    }

    #[cold]
    fn refresh(&mut self, now: SystemTime) {
        let second = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs();
        self.from = UNIX_EPOCH + Duration::from_secs(second);
        // (At the clock's very end the range stays empty: always refresh.)
        self.until = self
            .from
            .checked_add(Duration::from_secs(1))
            .unwrap_or(self.from);
        self.value = fmt_http_date(self.from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_head() {
        let mut h = Headers::new();
        h.append("Content-Length", "5");
        h.append("X-Evil", "a\r\nSet-Cookie: x");
        h.append("Bad Name", "v");
        let mut out = Vec::new();
        encode_response_head(Version::Http11, StatusCode::NOT_FOUND, &h, &mut out);
        assert_eq!(
            out,
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\nX-Evil: a  Set-Cookie: x\r\n\r\n"
        );
    }

    /// The constant lines are the formatted ones, for every code.
    #[test]
    fn status_lines() {
        for code in 100..=999 {
            let status = StatusCode::new(code).unwrap();
            let mut out = Vec::new();
            encode_status_line(Version::Http11, status, &mut out);
            let want = format!("HTTP/1.1 {code} {}\r\n", status.reason());
            assert_eq!(String::from_utf8(out).unwrap(), want);
        }
        let mut out = Vec::new();
        encode_status_line(Version::Http10, StatusCode::OK, &mut out);
        assert_eq!(out, b"HTTP/1.0 200 OK\r\n");
    }

    #[test]
    fn request_head() {
        let mut h = Headers::new();
        h.append("Host", "example.com");
        let mut out = Vec::new();
        encode_request_head(&Method::Get, "/x?y", Version::Http11, &h, &mut out);
        assert_eq!(out, b"GET /x?y HTTP/1.1\r\nHost: example.com\r\n\r\n");
    }

    #[test]
    fn dates() {
        let t = UNIX_EPOCH + Duration::from_secs(784111777);
        assert_eq!(fmt_http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        for s in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(parse_http_date(s), Some(t), "{s}");
        }
        assert_eq!(parse_http_date("yesterday"), None);
        let mut cache = DateCache::new();
        assert_eq!(
            cache.get(t + Duration::from_millis(500)),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(
            cache.get(t + Duration::from_secs(1)),
            "Sun, 06 Nov 1994 08:49:38 GMT"
        );
        // A clock that steps back is followed too.
        assert_eq!(cache.get(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(
            cache.get(t + Duration::from_nanos(999_999_999)),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
    }
}
