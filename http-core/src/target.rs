//! Request targets (RFC 9112 3.2), percent-decoding and query pairs.

use crate::{Method, ParseError};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::borrow::Cow;

/// The four forms of request target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// `/path?query`: every method but CONNECT and `OPTIONS *`.
    Origin {
        path: &'a str,
        query: Option<&'a str>,
    },
    /// `http://host:port/path?query`: requests to a proxy (servers must
    /// accept it too).
    Absolute {
        scheme: &'a str,
        authority: &'a str,
        path: &'a str,
        query: Option<&'a str>,
    },
    /// `host:port`: CONNECT only.
    Authority(&'a str),
    /// `*`: OPTIONS only.
    Asterisk,
}

impl<'a> Target<'a> {
    /// The path of origin and absolute forms (`/` when absolute-form has none).
    pub fn path(&self) -> &'a str {
        match self {
            Target::Origin { path, .. } => path,
            Target::Absolute { path: "", .. } => "/",
            Target::Absolute { path, .. } => path,
            Target::Authority(_) | Target::Asterisk => "",
        }
    }

    /// The query of origin and absolute forms, without the `?`.
    pub fn query(&self) -> Option<&'a str> {
        match self {
            Target::Origin { query, .. } | Target::Absolute { query, .. } => *query,
            Target::Authority(_) | Target::Asterisk => None,
        }
    }
}

fn split_query(s: &str) -> (&str, Option<&str>) {
    match s.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (s, None),
    }
}

/// Splits an origin-form target at its first `?` with one look at each
/// byte (request targets are short: a loop beats two searches), refusing
/// a `#` anywhere.
fn split_origin(target: &str) -> Result<(&str, Option<&str>), ParseError> {
    let bytes = target.as_bytes();
    let mut query = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'#' => return Err(ParseError::Target),
            b'?' if query.is_none() => query = Some(i),
            _ => {}
        }
    }
    Ok(match query {
        Some(q) => (&target[..q], Some(&target[q + 1..])),
        None => (target, None),
    })
}

/// Where the path of an origin-form target (one that starts with `/`)
/// ends: at its first `?` or at its end, and whether the path holds a
/// `%` (so that it needs decoding). One pass, a word at a time; unlike
/// [`parse_target`] it checks nothing (for a target the parser accepted).
pub fn origin_path_end(target: &str) -> (usize, bool) {
    let (query, escaped) = crate::chars::query_start(target.as_bytes());
    (query.unwrap_or(target.len()), escaped)
}

/// Whether `target` is one of the four forms of RFC 9112 3.2 that fits
/// `method`: origin-form (`/...`) for any method but CONNECT,
/// absolute-form (`scheme://authority...`), authority-form (`host:port`)
/// for CONNECT only, asterisk-form (`*`) for OPTIONS only. Anything else
/// (`GET ! HTTP/1.1`) is [`ParseError::Target`] (400): the parser refuses
/// it before a handler sees it. The common case, `/` and not CONNECT, is
/// decided by its first byte.
///
/// Deliberate leniencies, with the reason: an origin-form target is not
/// scanned for a `#` (a browser never sends one; nginx and httparse accept
/// it too, and it moves no message boundary: it reaches the handler as
/// part of the path), and its bytes may be any UTF-8 (raw non-ASCII
/// characters, which nginx accepts; the grammar wants them
/// percent-encoded). Control bytes, spaces and DEL never get this far.
#[inline(always)]
pub fn check_target_form(target: &str, method: &Method) -> Result<(), ParseError> {
    if target.as_bytes().first() == Some(&b'/') && *method != Method::Connect {
        return Ok(());
    }
    parse_target(target, method).map(|_| ())
}

/// Splits a request target into its form, checking that the form fits the
/// method. A fragment (`#`) is never valid in a request target.
pub fn parse_target<'a>(target: &'a str, method: &Method) -> Result<Target<'a>, ParseError> {
    if target.is_empty() {
        return Err(ParseError::Target);
    }
    if target.starts_with('/') && *method != Method::Connect {
        // The common form, in one pass: the first `?` and any `#`.
        let (path, query) = split_origin(target)?;
        return Ok(Target::Origin { path, query });
    }
    if target.contains('#') {
        return Err(ParseError::Target);
    }
    if *method == Method::Connect {
        return parse_authority(target).map(|_| Target::Authority(target));
    }
    if target == "*" {
        return if *method == Method::Options {
            Ok(Target::Asterisk)
        } else {
            Err(ParseError::Target)
        };
    }
    let (scheme, rest) = target.split_once("://").ok_or(ParseError::Target)?;
    let scheme_ok = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok {
        return Err(ParseError::Target);
    }
    let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..auth_end];
    if authority.is_empty() {
        return Err(ParseError::Target);
    }
    let (path, query) = split_query(&rest[auth_end..]);
    Ok(Target::Absolute {
        scheme,
        authority,
        path,
        query,
    })
}

/// Splits `host:port` (IPv6 in brackets) for CONNECT; the port is required.
pub fn parse_authority(authority: &str) -> Result<(&str, u16), ParseError> {
    let (host, port) = authority.rsplit_once(':').ok_or(ParseError::Target)?;
    let host = match host.strip_prefix('[') {
        Some(h) => h.strip_suffix(']').ok_or(ParseError::Target)?,
        None if host.contains(':') => return Err(ParseError::Target),
        None => host,
    };
    if host.is_empty() || host.contains(['/', '@', '[', ']']) {
        return Err(ParseError::Target);
    }
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::Target);
    }
    let port = port.parse().map_err(|_| ParseError::Target)?;
    Ok((host, port))
}

/// Percent-decodes `s` into bytes. A `%` not followed by two hex digits is
/// kept as it is.
pub fn percent_decode(s: &str) -> Vec<u8> {
    percent_decode_str(s).collect()
}

/// Percent-decodes a path for display and routing; invalid UTF-8 becomes
/// U+FFFD. (A file server must decode segment by segment instead, so that
/// `%2F` never becomes a separator.)
pub fn decode_path(path: &str) -> Cow<'_, str> {
    percent_decode_str(path).decode_utf8_lossy()
}

/// Decodes `application/x-www-form-urlencoded` data, which is also how
/// query strings are read: pairs split on `&`, name and value on the first
/// `=`, `+` is a space, then percent-decoding; empty pairs are skipped.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    form_pairs(query.as_bytes())
}

/// [`query_pairs`] over a request body.
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    body.split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            (form_decode(name), form_decode(value))
        })
        .collect()
}

fn form_decode(s: &[u8]) -> String {
    let plus_as_space: Vec<u8> = s
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    let decoded: Vec<u8> = percent_encoding::percent_decode(&plus_as_space).collect();
    String::from_utf8_lossy(&decoded).into_owned()
}

/// The bytes escaped in one path segment; everything else stays literal.
///
/// RFC 3986 3.3: `segment = *pchar`, `pchar = unreserved / pct-encoded /
/// sub-delims / ":" / "@"`. What stays literal is therefore `ALPHA DIGIT -
/// . _ ~`, the sub-delims `! $ ( ) * + , ; =`, `:` and `@`; escaped are
/// controls, space, non-ASCII (as its UTF-8 bytes), `%` (else a name like
/// `100%` would read as an escape), the gen-delims `/ ? # [ ]` that would end
/// or restructure the segment, and the bytes RFC 3986 never allows in a URI
/// (`"`, `<`, `>`, `\`, `^`, the backtick, `{`, `|`, `}`). Two sub-delims are escaped although a segment
/// may hold them, `&` and `'`: the result is also written into HTML
/// attributes (listing links), where an escaped byte is equivalent for a
/// server that decodes each segment once and a literal one could end a
/// single-quoted attribute or start an entity. With `"`, `<`, `>` and the
/// backtick escaped too, the output is safe inside any quoted attribute.
///
/// A segment with `:` must not be the first segment of a relative
/// reference (RFC 3986 4.2: `a:b` reads as a scheme); such callers write
/// `./` before it, as the directory listing does.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    // unreserved
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    // sub-delims but `&` and `'`
    .remove(b'!')
    .remove(b'$')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    // the rest of pchar
    .remove(b':')
    .remove(b'@');

/// `SEGMENT` with `/` kept: a whole path of such segments.
const PATH: &AsciiSet = &SEGMENT.remove(b'/');

/// Percent-encodes a path for a URL: each segment as [`encode_segment`]
/// does, the `/` between them kept.
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// Percent-encodes one path segment (a file name) so that it is a valid
/// `segment` of RFC 3986 and safe inside a quoted HTML attribute: a `/`
/// inside it is escaped too. The set, and why, is documented on the
/// private `SEGMENT` constant of this module; in short: RFC 3986 `pchar`
/// stays literal except `&` and `'`.
pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_forms() {
        let get = Method::Get;
        assert_eq!(
            parse_target("/a/b?x=1", &get),
            Ok(Target::Origin {
                path: "/a/b",
                query: Some("x=1")
            })
        );
        assert_eq!(
            parse_target("/", &get),
            Ok(Target::Origin {
                path: "/",
                query: None
            })
        );
        assert_eq!(
            parse_target("http://example.com:8080/p?q", &get),
            Ok(Target::Absolute {
                scheme: "http",
                authority: "example.com:8080",
                path: "/p",
                query: Some("q")
            })
        );
        let abs = parse_target("http://example.com", &get).unwrap();
        assert_eq!(abs.path(), "/");
        assert_eq!(
            parse_target("example.com:443", &Method::Connect),
            Ok(Target::Authority("example.com:443"))
        );
        assert_eq!(
            parse_target("[::1]:80", &Method::Connect),
            Ok(Target::Authority("[::1]:80"))
        );
        assert_eq!(parse_target("*", &Method::Options), Ok(Target::Asterisk));
        for bad in ["*", "", "a/b", "/a#frag", "http://", "://x/", "1http://x/"] {
            assert_eq!(parse_target(bad, &get), Err(ParseError::Target), "{bad}");
        }
        for bad in [
            "example.com",
            "/x",
            "host:",
            "host:x",
            "::1:80",
            "[::1]",
            "a@b:1",
        ] {
            assert_eq!(
                parse_target(bad, &Method::Connect),
                Err(ParseError::Target),
                "{bad}"
            );
        }
    }

    #[test]
    fn authority_split() {
        assert_eq!(parse_authority("h:1"), Ok(("h", 1)));
        assert_eq!(parse_authority("[::1]:8080"), Ok(("::1", 8080)));
        assert_eq!(parse_authority("h:70000"), Err(ParseError::Target));
    }

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("a%20b%2Fc%zz%"), b"a b/c%zz%");
        assert_eq!(decode_path("/caf%C3%A9"), "/café");
        assert_eq!(decode_path("/%FF"), "/\u{FFFD}");
        assert_eq!(
            query_pairs("a=1&b=x+y&&c&d=%26%3D&e=%E2%82%AC"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y".into()),
                ("c".into(), "".into()),
                ("d".into(), "&=".into()),
                ("e".into(), "€".into()),
            ]
        );
        assert_eq!(form_pairs(b"k=a%2Bb+c"), vec![("k".into(), "a+b c".into())]);
    }

    #[test]
    fn encoding() {
        assert_eq!(
            encode_path("/a b/%/?#\"<é"),
            "/a%20b/%25/%3F%23%22%3C%C3%A9"
        );
        assert_eq!(encode_segment("a/b"), "a%2Fb");
        assert_eq!(encode_path("/Az09-._~"), "/Az09-._~");
        // pchar stays literal, except `&` and `'` (HTML attributes).
        assert_eq!(encode_segment("!$()*+,;=:@"), "!$()*+,;=:@");
        let table = [
            ("a&b", "a%26b"),
            ("it's", "it%27s"),
            ("\"<>`", "%22%3C%3E%60"),
            ("a b\tc\x7f", "a%20b%09c%7F"),
            ("#?%/\\", "%23%3F%25%2F%5C"),
            ("[::1]", "%5B::1%5D"),
            ("^{|}", "%5E%7B%7C%7D"),
            ("été", "%C3%A9t%C3%A9"),
        ];
        for (raw, encoded) in table {
            assert_eq!(encode_segment(raw), encoded, "{raw:?}");
            assert_eq!(percent_decode(encoded), raw.as_bytes(), "{raw:?}");
        }
    }
}
