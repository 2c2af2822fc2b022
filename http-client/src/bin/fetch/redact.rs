//! The one list of headers whose values are credentials (the request's
//! `Authorization`, `Proxy-Authorization` and `Cookie`, the response's
//! `Set-Cookie`: a session cookie is a credential), and the function that
//! hides them: used by `-v` and by `--trace`/`--trace-ascii` alike, for
//! request and response heads, so neither can show what the other hides.
//! Deliberately unlike curl, which prints these values in full.

/// What stands in for a credential's value.
pub const REDACTED: &str = "[redacted]";
/// Headers whose values are credentials (lowercase).
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// `head` with the values of [`SECRET_HEADERS`] replaced by [`REDACTED`];
/// every other line as it was.
pub fn redact_head(head: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(head.len());
    for line in head.split_inclusive(|b| *b == b'\n') {
        match secret_colon(line) {
            Some(colon) => {
                out.extend_from_slice(&line[..=colon]);
                out.extend_from_slice(b" ");
                out.extend_from_slice(REDACTED.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            None => out.extend_from_slice(line),
        }
    }
    out
}

/// Where the colon of `line` is, if `line` is a header with a secret value.
fn secret_colon(line: &[u8]) -> Option<usize> {
    let colon = line.iter().position(|b| *b == b':')?;
    // A request line ("CONNECT h:443 HTTP/1.1") has a colon too; what
    // precedes it is no header name, so it never matches.
    let name = String::from_utf8_lossy(&line[..colon]);
    SECRET_HEADERS
        .iter()
        .any(|s| name.trim().eq_ignore_ascii_case(s))
        .then_some(colon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_redacted() {
        let head = b"GET / HTTP/1.1\r\nAuthorization: Basic dXNlcjpwdw==\r\ncookie: a=1\r\n\
            PROXY-AUTHORIZATION: Basic eDp5\r\nX: y\r\nX-Cookie: kept\r\n\r\n";
        let got = String::from_utf8(redact_head(head)).expect("text");
        assert_eq!(
            got,
            "GET / HTTP/1.1\r\nAuthorization: [redacted]\r\ncookie: [redacted]\r\n\
             PROXY-AUTHORIZATION: [redacted]\r\nX: y\r\nX-Cookie: kept\r\n\r\n"
        );
    }

    #[test]
    fn a_response_cookie_is_redacted() {
        let head =
            b"HTTP/1.1 200 OK\r\nSet-Cookie: sid=s3cret; Path=/\r\nX-Set-Cookie: kept\r\n\r\n";
        let got = String::from_utf8(redact_head(head)).expect("text");
        assert_eq!(
            got,
            "HTTP/1.1 200 OK\r\nSet-Cookie: [redacted]\r\nX-Set-Cookie: kept\r\n\r\n"
        );
    }

    #[test]
    fn a_request_line_with_a_colon_is_kept() {
        let head = b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n";
        assert_eq!(redact_head(head), head.to_vec());
    }
}
