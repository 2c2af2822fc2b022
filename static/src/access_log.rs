//! One access-log line per request in the combined log format (the format
//! of Apache's `combined` and nginx's default `access_log`):
//!
//! ```text
//! 127.0.0.1 - - [27/Nov/2026:03:49:17 +0000] "GET /a.txt HTTP/1.1" 200 1234 "-" "curl/7.88.1"
//! ```
//!
//! Request-controlled fields are escaped the way nginx does it (`"`, `\`,
//! controls and non-ASCII bytes as `\xHH`), so a request cannot forge a
//! second log line or break the quoting.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::time::SystemTime;

use crate::timefmt;

/// The fields of one log line.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub peer: IpAddr,
    pub time: SystemTime,
    pub method: &'a str,
    pub target: &'a str,
    pub version: &'a str,
    pub status: u16,
    /// Bytes of the response body sent (`%b`, nginx's `$body_bytes_sent`);
    /// 0 is written `-` as in the common log format.
    pub bytes: u64,
    pub referer: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// Formats `e` as one line, without the trailing newline.
pub fn format(e: &Entry<'_>) -> String {
    let mut line = String::with_capacity(160);
    // Writing into a String cannot fail; the results are ignored for that reason.
    let _ = write!(line, "{} - - [{}] \"", e.peer, timefmt::log_time(e.time));
    escape_into(&mut line, e.method);
    line.push(' ');
    escape_into(&mut line, e.target);
    line.push(' ');
    escape_into(&mut line, e.version);
    let _ = write!(line, "\" {} ", e.status);
    if e.bytes == 0 {
        line.push('-');
    } else {
        let _ = write!(line, "{}", e.bytes);
    }
    for field in [e.referer, e.user_agent] {
        line.push_str(" \"");
        escape_into(&mut line, field.unwrap_or("-"));
        line.push('"');
    }
    line
}

fn escape_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b) {
            let _ = write!(out, "\\x{b:02X}");
        } else {
            out.push(char::from(b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn entry() -> Entry<'static> {
        Entry {
            peer: IpAddr::from([127, 0, 0, 1]),
            time: UNIX_EPOCH + Duration::from_secs(1_798_343_357),
            method: "GET",
            target: "/a.txt",
            version: "HTTP/1.1",
            status: 200,
            bytes: 1234,
            referer: None,
            user_agent: Some("curl/7.88.1"),
        }
    }

    #[test]
    fn plain_line() {
        assert_eq!(
            format(&entry()),
            "127.0.0.1 - - [27/Dec/2026:03:49:17 +0000] \"GET /a.txt HTTP/1.1\" 200 1234 \"-\" \"curl/7.88.1\""
        );
    }

    #[test]
    fn zero_bytes_is_dash_and_ipv6() {
        let e = Entry {
            bytes: 0,
            status: 304,
            peer: "::1".parse().expect("ipv6 literal"),
            ..entry()
        }; // ok: literal
        assert!(format(&e).starts_with("::1 - - ["));
        assert!(format(&e).contains("\" 304 - \"-\""));
    }

    #[test]
    fn hostile_fields_are_escaped() {
        let e = Entry {
            target: "/x\"y\\z\n127.0.0.1 - - fake",
            referer: Some("é"),
            user_agent: Some("a\"b"),
            ..entry()
        };
        let line = format(&e);
        assert!(!line.contains('\n'));
        assert!(
            line.contains("\"GET /x\\x22y\\x5Cz\\x0A127.0.0.1 - - fake HTTP/1.1\""),
            "{line}"
        );
        assert!(line.ends_with("\"\\xC3\\xA9\" \"a\\x22b\""), "{line}");
    }
}
