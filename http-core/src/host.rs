//! The `Host` field value (RFC 9112 3.2, RFC 3986 3.2.2 and 3.2.3):
//!
//! ```text
//! Host        = uri-host [ ":" port ]
//! uri-host    = IP-literal / IPv4address / reg-name
//! IP-literal  = "[" ( IPv6address / IPvFuture ) "]"
//! IPvFuture   = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
//! reg-name    = *( unreserved / pct-encoded / sub-delims )
//! port        = *DIGIT
//! ```
//!
//! An IPv4address is made of digits and dots, so it is also a reg-name and
//! needs no rule of its own here. A reg-name may be empty (RFC 9112 3.2: a
//! client with no authority sends an empty `Host`), and so may the port
//! (RFC 3986 3.2.3: `port = *DIGIT`, "URI producers and normalizers should
//! omit the port component and its ':' delimiter if port is empty"). A
//! port above 65535 names no TCP port, so it is refused too.

use crate::chars::alphanumeric_and;
use std::net::Ipv6Addr;

/// `reg-name` bytes but `pct-encoded`: `unreserved = ALPHA / DIGIT / "-" /
/// "." / "_" / "~"` and `sub-delims = "!" / "$" / "&" / "'" / "(" / ")" /
/// "*" / "+" / "," / ";" / "="` (RFC 3986 2.2, 2.3).
static REG_NAME: [bool; 256] = alphanumeric_and(b"-._~!$&'()*+,;=");

/// True when `value` (a `Host` field value, without the surrounding
/// whitespace the parser strips) is `uri-host [ ":" port ]`. What it
/// refuses: userinfo (`a@b`), paths and queries (`a/b`, `a?b`), spaces
/// and control bytes, non-ASCII, a `%` not followed by two hex digits,
/// brackets that are unbalanced or hold no IPv6 or IPvFuture address, and
/// ports that are not digits or exceed 65535.
pub fn is_valid_host(value: &[u8]) -> bool {
    // The common case in one pass: reg-name bytes, then nothing or ":port".
    let plain = reg_name_len(value);
    match value.get(plain) {
        None => true,
        Some(b':') => is_port(&value[plain + 1..]),
        // Percent-encoding or an IP literal: the full rules.
        Some(b'%' | b'[') => is_valid_host_by_rules(value),
        Some(_) => false,
    }
}

/// The length of the run of `REG_NAME` bytes that `value` starts with.
/// Four bytes per test while four remain (the `&` of their classes: one
/// branch for four), then byte by byte from the first group that fails.
#[inline]
fn reg_name_len(value: &[u8]) -> usize {
    let class = |b: u8| REG_NAME[usize::from(b)];
    let mut i = 0;
    while let Some(&[a, b, c, d]) = value.get(i..i + 4) {
        if !(class(a) & class(b) & class(c) & class(d)) {
            break;
        }
        i += 4;
    }
    while value.get(i).is_some_and(|&b| class(b)) {
        i += 1;
    }
    i
}

/// [`is_valid_host`] for a value with a `%` or a `[`: kept out of line, so
/// that the common case saves no registers for it.
#[cold]
#[inline(never)]
fn is_valid_host_by_rules(value: &[u8]) -> bool {
    let (host, port) = match value.strip_prefix(b"[") {
        Some(literal) => {
            let Some(close) = literal.iter().position(|&b| b == b']') else {
                return false;
            };
            if !is_ip_literal(&literal[..close]) {
                return false;
            }
            match &literal[close + 1..] {
                [] => return true,
                [b':', port @ ..] => (&[][..], port),
                _ => return false,
            }
        }
        None => match value.iter().position(|&b| b == b':') {
            Some(colon) => (&value[..colon], &value[colon + 1..]),
            None => return is_reg_name(value),
        },
    };
    is_reg_name(host) && is_port(port)
}

/// `reg-name = *( unreserved / pct-encoded / sub-delims )`.
fn is_reg_name(s: &[u8]) -> bool {
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3);
                if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                    return false;
                }
                i += 3;
            }
            b if REG_NAME[usize::from(b)] => i += 1,
            _ => return false,
        }
    }
    true
}

/// `port = *DIGIT`, at most 65535.
#[inline]
fn is_port(s: &[u8]) -> bool {
    // Up to four digits cannot exceed it, and five compare as bytes as
    // they do as numbers.
    match s {
        [a, b, c, d] => are_four_digits([*a, *b, *c, *d]),
        [a, b, c, d, e] => are_four_digits([*a, *b, *c, *d]) && e.is_ascii_digit() && s <= b"65535",
        _ if s.len() < 4 => s.iter().all(u8::is_ascii_digit),
        _ => is_long_port(s),
    }
}

/// Whether all four bytes are ASCII digits, in one word: every byte is
/// 0x3_, and stays 0x3_ when 6 is added (0x3A..=0x3F become 0x4_; no
/// carry crosses bytes once they are all 0x3_).
#[inline]
fn are_four_digits(bytes: [u8; 4]) -> bool {
    let x = u32::from_le_bytes(bytes);
    x & 0xF0F0_F0F0 == 0x3030_3030 && (x + 0x0606_0606) & 0xF0F0_F0F0 == 0x3030_3030
}

/// [`is_port`] for more than five digits (leading zeros are allowed).
#[cold]
fn is_long_port(s: &[u8]) -> bool {
    s.iter()
        .try_fold(0u32, |n, &d| {
            let n = n * 10 + u32::from(d.wrapping_sub(b'0'));
            (d.is_ascii_digit() && n <= u32::from(u16::MAX)).then_some(n)
        })
        .is_some()
}

/// What stands between the brackets: `IPv6address / IPvFuture`.
fn is_ip_literal(s: &[u8]) -> bool {
    if let [b'v' | b'V', rest @ ..] = s {
        return is_ipv_future(rest);
    }
    // RFC 3986's IPv6address is the textual form std parses (no zone id:
    // RFC 6874 is not part of RFC 9112's Host).
    std::str::from_utf8(s).is_ok_and(|a| a.parse::<Ipv6Addr>().is_ok())
}

/// `IPvFuture` after its `v`: `1*HEXDIG "." 1*( unreserved / sub-delims /
/// ":" )`.
fn is_ipv_future(s: &[u8]) -> bool {
    let Some(dot) = s.iter().position(|&b| b == b'.') else {
        return false;
    };
    let (version, rest) = (&s[..dot], &s[dot + 1..]);
    !version.is_empty()
        && version.iter().all(u8::is_ascii_hexdigit)
        && !rest.is_empty()
        && rest.iter().all(|&b| b == b':' || REG_NAME[usize::from(b)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_hosts() {
        for ok in [
            "example.com",
            "example.com:8080",
            "EXAMPLE.com:80",
            "localhost",
            "127.0.0.1",
            "127.0.0.1:0",
            "127.0.0.1:65535",
            "example.com:000080",
            "a-b_c~d.e",
            "caf%C3%A9.example",
            "!$&'()*+,;=",
            "host:",
            "host:0080",
            "",
            ":80",
            "[::1]",
            "[::1]:8080",
            "[::1]:",
            "[2001:db8::7]:443",
            "[::ffff:192.0.2.1]",
            "[v1.fe80::a+en1]",
            "[V7.x:y]",
            "999.999.999.999",
        ] {
            assert!(is_valid_host(ok.as_bytes()), "{ok:?} is valid");
        }
    }

    #[test]
    fn reg_name_len_matches_the_byte_loop() {
        // Every byte value at every place of values up to three groups of
        // four and a tail long.
        for len in 0..=14 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut v = vec![b'a'; len];
                    v[at] = b;
                    let want = v.iter().position(|&b| !REG_NAME[usize::from(b)]);
                    assert_eq!(reg_name_len(&v), want.unwrap_or(len), "{v:?}");
                }
            }
        }
    }

    #[test]
    fn four_and_five_digit_ports_every_byte() {
        for port in [&b"8080"[..], b"0000", b"65535", b"99999", b"12345"] {
            for at in 0..port.len() {
                for b in 0..=255u8 {
                    let mut v = port.to_vec();
                    v[at] = b;
                    let digits = v.iter().all(u8::is_ascii_digit);
                    let want = digits && (v.len() < 5 || v.as_slice() <= &b"65535"[..]);
                    assert_eq!(is_port(&v), want, "{v:?}");
                }
            }
        }
    }

    #[test]
    fn ports_agree_with_their_numbers() {
        // Every number up to past 65535, with and without leading zeros,
        // and a digit swapped for a non-digit at each place.
        for n in 0..100_000u32 {
            for zeros in ["", "0", "00"] {
                let port = format!("{zeros}{n}");
                assert_eq!(is_port(port.as_bytes()), n <= 65535, "{port}");
                let mut bad = port.clone().into_bytes();
                let at = n as usize % bad.len();
                bad[at] = b"x/:"[n as usize % 3];
                assert!(!is_port(&bad), "{bad:?}");
            }
        }
        assert!(is_port(b""));
        assert!(!is_port(b"4294967296"));
    }

    #[test]
    fn invalid_hosts() {
        let cases: &[(&str, &[u8])] = &[
            ("userinfo", b"user@example.com"),
            ("userinfo with password", b"u:p@example.com"),
            ("path", b"example.com/path"),
            ("path after port", b"example.com:80/"),
            ("query", b"example.com?x"),
            ("fragment", b"example.com#x"),
            ("space", b"exa mple.com"),
            ("tab", b"example.com\t:80"),
            ("control byte", b"exa\x01mple.com"),
            ("DEL", b"example\x7f.com"),
            ("NUL", b"example.com\0"),
            ("non-ASCII", "café.example".as_bytes()),
            ("bare percent", b"100%.example"),
            ("short escape", b"a%4"),
            ("non-hex escape", b"a%zz"),
            ("backslash", b"a\\b"),
            ("quote", b"a\"b"),
            ("angle brackets", b"<a>"),
            ("open bracket only", b"[::1"),
            ("close bracket only", b"::1]"),
            ("not an address", b"[zz]"),
            ("IPv4 in brackets", b"[127.0.0.1]"),
            ("empty brackets", b"[]"),
            ("zone id", b"[fe80::1%25eth0]"),
            ("IPvFuture without version", b"[v.x]"),
            ("IPvFuture without address", b"[v1.]"),
            ("bytes after the literal", b"[::1]x"),
            ("two literals", b"[::1][::2]"),
            ("bare IPv6", b"::1"),
            ("two ports", b"example.com:80:81"),
            ("port out of range", b"example.com:65536"),
            ("huge port", b"example.com:99999999999999999999"),
            ("letters in port", b"example.com:http"),
            ("sign in port", b"example.com:+80"),
            ("space in port", b"example.com: 80"),
            ("bracket in reg-name", b"exa[mple"),
        ];
        for (what, bad) in cases {
            assert!(!is_valid_host(bad), "{what}: {bad:?} is invalid");
        }
    }
}
