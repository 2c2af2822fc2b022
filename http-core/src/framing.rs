//! Body framing and connection reuse, decided from heads alone (RFC 9112 6).

use crate::headers::trim_ows;
use crate::{is_valid_host, FieldNotes, Headers, Method, ParseError, RequestHead, Version};

/// How a message body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// No body at all.
    Empty,
    /// Exactly this many bytes follow the head.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// The body runs until the server closes (responses only).
    CloseDelimited,
}

/// Transfer codings we know the name of; only `chunked` is implemented.
const KNOWN_CODINGS: [&[u8]; 6] = [
    b"chunked",
    b"gzip",
    b"x-gzip",
    b"deflate",
    b"compress",
    b"x-compress",
];

/// The transfer codings of every `Transfer-Encoding` field, in order
/// (empty list elements skipped), or `None` when there is no such field.
/// Each is the coding's name, and whether parameters followed it.
fn transfer_codings(headers: &Headers) -> Option<Vec<(&[u8], bool)>> {
    if !headers.contains("transfer-encoding") {
        return None;
    }
    Some(
        headers
            .get_all("transfer-encoding")
            .flat_map(|v| v.split(|&b| b == b','))
            .map(|c| {
                let mut parts = c.splitn(2, |&b| b == b';');
                let name = trim_ows(parts.next().unwrap_or_default());
                (name, parts.next().is_some())
            })
            .filter(|(name, _)| !name.is_empty())
            .collect(),
    )
}

/// A request's `Content-Length`: at most one field, and its value one run
/// of digits, or [`ParseError::ContentLength`] (400). RFC 9110 8.6 allows
/// a recipient to collapse a list of equal values (`5, 5`, or two fields
/// of `5`); we refuse it as nginx does, because a proxy in front that reads
/// such a list differently is how request smuggling starts.
fn request_content_length(headers: &Headers) -> Result<Option<u64>, ParseError> {
    let mut values = headers.get_all("content-length");
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ParseError::ContentLength);
    }
    parse_length(trim_ows(value)).map(Some)
}

/// A response's `Content-Length` as a client reads it: plain digits, a
/// list or several fields of equal values collapsed to one (`5, 5`, as
/// RFC 9110 8.6 allows and curl does), different values an error. The
/// leniency is deliberate: a client reads what one server sends, and a
/// list of equal values frames the body the same either way.
fn response_content_length(headers: &Headers) -> Result<Option<u64>, ParseError> {
    let mut found: Option<u64> = None;
    for value in headers.get_all("content-length") {
        for item in value.split(|&b| b == b',') {
            let n = parse_length(trim_ows(item))?;
            if found.is_some_and(|f| f != n) {
                return Err(ParseError::ContentLength);
            }
            found = Some(n);
        }
    }
    Ok(found)
}

/// `Content-Length = 1*DIGIT`, without overflow.
fn parse_length(digits: &[u8]) -> Result<u64, ParseError> {
    if digits.is_empty() || digits.len() > 19 {
        return Err(ParseError::ContentLength);
    }
    let mut n: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return Err(ParseError::ContentLength);
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .ok_or(ParseError::ContentLength)?;
    }
    Ok(n)
}

/// Whether a request asks for `100 Continue` before sending its body
/// (RFC 9110 10.1.1). `Expect: 100-continue` (any case) is the only
/// expectation defined; any other is refused with
/// [`ParseError::Expectation`] (417).
pub fn expects_continue(headers: &Headers) -> Result<bool, ParseError> {
    match headers.get("expect") {
        None => Ok(false),
        Some(v) if v.eq_ignore_ascii_case(b"100-continue") => Ok(true),
        Some(_) => Err(ParseError::Expectation),
    }
}

/// How a request's body is framed (RFC 9112 6.3), or why it cannot be.
///
/// - `Transfer-Encoding` with `Content-Length`: 400 (smuggling guard).
/// - A coding we have never heard of: 501. `chunked` not last, twice, or
///   with parameters (RFC 9112 7.1: it defines none, and their presence
///   SHOULD be treated as an error): 400.
///   A known coding before `chunked` (`gzip, chunked`): 501, we do not decode it.
/// - `Content-Length` not one run of digits (a list, even of equal
///   values), or more than one `Content-Length` field: 400.
pub fn request_body_kind(headers: &Headers) -> Result<BodyKind, ParseError> {
    let codings = transfer_codings(headers);
    let length = request_content_length(headers)?;
    match (codings, length) {
        (Some(_), Some(_)) => Err(ParseError::LengthAndTransferEncoding),
        (Some(codings), None) => {
            if codings
                .iter()
                .any(|&(c, params)| params && c.eq_ignore_ascii_case(b"chunked"))
            {
                return Err(ParseError::ChunkedNotLast);
            }
            let codings: Vec<&[u8]> = codings.into_iter().map(|(c, _)| c).collect();
            if codings
                .iter()
                .any(|c| !KNOWN_CODINGS.iter().any(|k| c.eq_ignore_ascii_case(k)))
            {
                return Err(ParseError::UnknownTransferCoding);
            }
            let is_chunked = |c: &&[u8]| c.eq_ignore_ascii_case(b"chunked");
            match codings.split_last() {
                Some((last, rest)) if is_chunked(last) => {
                    if rest.iter().any(is_chunked) {
                        Err(ParseError::ChunkedNotLast)
                    } else if !rest.is_empty() {
                        Err(ParseError::UnknownTransferCoding)
                    } else {
                        Ok(BodyKind::Chunked)
                    }
                }
                _ => Err(ParseError::ChunkedNotLast),
            }
        }
        (None, length) => Ok(length_kind(length)),
    }
}

/// The body of a request framed by `Content-Length` alone (or nothing).
fn length_kind(length: Option<u64>) -> BodyKind {
    match length {
        None | Some(0) => BodyKind::Empty,
        Some(n) => BodyKind::Length(n),
    }
}

/// How a response's body is framed, given the request it answers
/// (RFC 9112 6.3): nothing after HEAD, 1xx, 204, 304 or a 2xx to CONNECT;
/// chunked when it is the last coding; otherwise `Content-Length`; and
/// without either, until the server closes.
pub fn response_body_kind(
    request_method: &Method,
    status: u16,
    headers: &Headers,
) -> Result<BodyKind, ParseError> {
    if *request_method == Method::Head
        || (100..200).contains(&status)
        || status == 204
        || status == 304
        || (*request_method == Method::Connect && (200..300).contains(&status))
    {
        return Ok(BodyKind::Empty);
    }
    if let Some(codings) = transfer_codings(headers) {
        // Transfer-Encoding overrides Content-Length (RFC 9112 6.3 item 3).
        // Parameters are ignored here: a response is read as sent.
        return Ok(match codings.last() {
            Some((c, _)) if c.eq_ignore_ascii_case(b"chunked") => BodyKind::Chunked,
            _ => BodyKind::CloseDelimited,
        });
    }
    Ok(match response_content_length(headers)? {
        Some(n) => BodyKind::Length(n),
        None => BodyKind::CloseDelimited,
    })
}

/// Whether the connection may carry another message after this one
/// (RFC 9112 9.3): HTTP/1.1 unless `Connection: close`; HTTP/1.0 only
/// with `Connection: keep-alive`, and never after an HTTP/1.0 message
/// with `Transfer-Encoding` (RFC 9112 6.1: its framing is faulty, close
/// after processing it).
pub fn keep_alive(version: Version, headers: &Headers) -> bool {
    if headers.has_token("connection", "close") {
        return false;
    }
    if version == Version::Http10 && headers.contains("transfer-encoding") {
        return false;
    }
    match version {
        Version::Http11 => true,
        Version::Http10 => headers.has_token("connection", "keep-alive"),
    }
}

/// Checks the request rules that go beyond syntax: an HTTP/1.1 request
/// has exactly one `Host`, an HTTP/1.0 request at most one
/// ([`ParseError::Host`]), and its value is `uri-host [ ":" port ]`
/// ([`ParseError::InvalidHost`], see [`is_valid_host`]); a server MUST
/// answer 400 to each (RFC 9112 3.2). An HTTP/1.0 request with
/// `Transfer-Encoding` is refused too
/// ([`ParseError::TransferEncodingInHttp10`]): RFC 9112 6.1 says to treat
/// its framing as faulty, and a 400 closes the connection.
pub fn validate_request(head: &RequestHead) -> Result<(), ParseError> {
    if head.version == Version::Http10 && head.headers.contains("transfer-encoding") {
        return Err(ParseError::TransferEncodingInHttp10);
    }
    let hosts = head.headers.count("host");
    match (head.version, hosts) {
        (_, 2..) => Err(ParseError::Host),
        (Version::Http11, 0) => Err(ParseError::Host),
        _ => match head.headers.get("host") {
            Some(value) if !is_valid_host(trim_ows(value)) => Err(ParseError::InvalidHost),
            _ => Ok(()),
        },
    }
}

/// What a server needs from a request head before its body: how the body
/// is framed, whether `100 Continue` is asked for, and whether the client
/// allows the connection to stay open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestFacts {
    pub body: BodyKind,
    pub expects_continue: bool,
    pub keep_alive: bool,
}

/// [`validate_request`], [`request_body_kind`], [`expects_continue`] and
/// [`keep_alive`] at once, with the same results and the same first
/// error: [`check_noted`] with the notes of `head`'s fields.
pub fn check_request(head: &RequestHead) -> Result<RequestFacts, ParseError> {
    check_noted(head, &FieldNotes::of(&head.headers))
}

/// [`check_request`] from `notes` taken of `head`'s fields (by
/// [`crate::RequestParser::parse_into`] as it parsed them, or by
/// [`FieldNotes::of`]): the common head (a `Host`, at most one
/// `Content-Length`, nothing else that frames) is decided from the noted
/// fields alone; any other goes through the four rules one by one. Notes
/// of another head give that head's answer, not this one's.
#[inline]
pub fn check_noted(head: &RequestHead, notes: &FieldNotes) -> Result<RequestFacts, ParseError> {
    debug_assert_eq!(
        *notes,
        FieldNotes::of(&head.headers),
        "notes of another head"
    );
    if notes.unusual {
        return check_request_rule_by_rule(head);
    }
    let value = |index: Option<usize>| index.and_then(|i| head.headers.value_at(i));
    if notes.hosts > 1 || (notes.hosts == 0 && head.version == Version::Http11) {
        return Err(ParseError::Host);
    }
    if value(notes.host).is_some_and(|v| !is_valid_host(trim_ows(v))) {
        return Err(ParseError::InvalidHost);
    }
    // Not unusual: at most one Content-Length field.
    let length = match value(notes.length) {
        Some(v) => Some(parse_length(trim_ows(v))?),
        None => None,
    };
    let body = length_kind(length);
    let keep_alive = if notes.connection {
        keep_alive(head.version, &head.headers)
    } else {
        head.version == Version::Http11
    };
    Ok(RequestFacts {
        body,
        expects_continue: false,
        keep_alive,
    })
}

/// [`check_request`] for any head, one rule after the other.
fn check_request_rule_by_rule(head: &RequestHead) -> Result<RequestFacts, ParseError> {
    validate_request(head)?;
    Ok(RequestFacts {
        body: request_body_kind(&head.headers)?,
        expects_continue: expects_continue(&head.headers)?,
        keep_alive: keep_alive(head.version, &head.headers),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(fields: &[(&str, &str)]) -> Headers {
        let mut h = Headers::new();
        for (n, v) in fields {
            h.append(n, v);
        }
        h
    }

    #[test]
    fn expectations() {
        assert_eq!(expects_continue(&h(&[])), Ok(false));
        assert_eq!(
            expects_continue(&h(&[("Expect", "100-continue")])),
            Ok(true)
        );
        assert_eq!(
            expects_continue(&h(&[("expect", "100-Continue")])),
            Ok(true)
        );
        for bad in ["200-ok", "100-continue, foo", ""] {
            let err = expects_continue(&h(&[("Expect", bad)])).unwrap_err();
            assert_eq!(err.status().as_u16(), 417, "{bad:?}");
        }
    }

    #[test]
    fn request_kinds() {
        use BodyKind::*;
        use ParseError::*;
        let cases: &[(&[(&str, &str)], Result<BodyKind, ParseError>)] = &[
            (&[], Ok(Empty)),
            (&[("Content-Length", "0")], Ok(Empty)),
            (&[("Content-Length", "42")], Ok(Length(42))),
            // A list, or several fields, even of equal values: refused
            // (RFC 9110 8.6 allows it; nginx does it).
            (
                &[("Content-Length", "42"), ("content-length", "42")],
                Err(ContentLength),
            ),
            (&[("Content-Length", "42, 42")], Err(ContentLength)),
            (&[("Content-Length", "1000,1000")], Err(ContentLength)),
            (&[("Content-Length", "42,")], Err(ContentLength)),
            (&[("Content-Length", " 42 ")], Ok(Length(42))),
            (
                &[("Content-Length", "42"), ("Content-Length", "43")],
                Err(ContentLength),
            ),
            (&[("Content-Length", "+42")], Err(ContentLength)),
            (&[("Content-Length", "-1")], Err(ContentLength)),
            (&[("Content-Length", "0x10")], Err(ContentLength)),
            (&[("Content-Length", "4 2")], Err(ContentLength)),
            (&[("Content-Length", "")], Err(ContentLength)),
            (
                &[("Content-Length", "99999999999999999999")],
                Err(ContentLength),
            ),
            (&[("Transfer-Encoding", "chunked")], Ok(Chunked)),
            (&[("Transfer-Encoding", "Chunked")], Ok(Chunked)),
            (
                &[("Transfer-Encoding", "chunked"), ("Content-Length", "3")],
                Err(LengthAndTransferEncoding),
            ),
            (
                &[("Transfer-Encoding", "gzip, chunked")],
                Err(UnknownTransferCoding),
            ),
            (
                &[("Transfer-Encoding", "chunked, gzip")],
                Err(ChunkedNotLast),
            ),
            (&[("Transfer-Encoding", "gzip")], Err(ChunkedNotLast)),
            (
                &[("Transfer-Encoding", "chunked, chunked")],
                Err(ChunkedNotLast),
            ),
            (
                &[
                    ("Transfer-Encoding", "chunked"),
                    ("Transfer-Encoding", "chunked"),
                ],
                Err(ChunkedNotLast),
            ),
            (&[("Transfer-Encoding", "foo")], Err(UnknownTransferCoding)),
            (&[("Transfer-Encoding", "")], Err(ChunkedNotLast)),
            // chunked defines no parameters (RFC 9112 7.1).
            (&[("Transfer-Encoding", "chunked;x=1")], Err(ChunkedNotLast)),
            (&[("Transfer-Encoding", "chunked ; x")], Err(ChunkedNotLast)),
            (&[("Transfer-Encoding", "Chunked;")], Err(ChunkedNotLast)),
            (&[("Transfer-Encoding", " chunked ")], Ok(Chunked)),
        ];
        for (fields, want) in cases {
            assert_eq!(request_body_kind(&h(fields)), *want, "{fields:?}");
        }
    }

    #[test]
    fn response_kinds() {
        use BodyKind::*;
        let cl = h(&[("Content-Length", "5")]);
        let te = h(&[("Transfer-Encoding", "chunked"), ("Content-Length", "5")]);
        let none = h(&[]);
        assert_eq!(response_body_kind(&Method::Head, 200, &cl), Ok(Empty));
        assert_eq!(response_body_kind(&Method::Get, 204, &cl), Ok(Empty));
        assert_eq!(response_body_kind(&Method::Get, 304, &cl), Ok(Empty));
        assert_eq!(response_body_kind(&Method::Get, 101, &cl), Ok(Empty));
        assert_eq!(response_body_kind(&Method::Connect, 200, &cl), Ok(Empty));
        assert_eq!(
            response_body_kind(&Method::Connect, 407, &cl),
            Ok(Length(5))
        );
        assert_eq!(response_body_kind(&Method::Get, 200, &cl), Ok(Length(5)));
        assert_eq!(response_body_kind(&Method::Get, 200, &te), Ok(Chunked));
        assert_eq!(
            response_body_kind(&Method::Get, 200, &none),
            Ok(CloseDelimited)
        );
        let gz = h(&[("Transfer-Encoding", "gzip")]);
        assert_eq!(
            response_body_kind(&Method::Get, 200, &gz),
            Ok(CloseDelimited)
        );
        let bad = h(&[("Content-Length", "x")]);
        assert_eq!(
            response_body_kind(&Method::Get, 200, &bad),
            Err(ParseError::ContentLength)
        );
        // The client's deliberate leniency: equal values collapse, as curl
        // reads them; different ones do not.
        for equal in [
            h(&[("Content-Length", "5, 5")]),
            h(&[("Content-Length", "5"), ("Content-Length", "5")]),
        ] {
            assert_eq!(response_body_kind(&Method::Get, 200, &equal), Ok(Length(5)));
        }
        let differ = h(&[("Content-Length", "5, 6")]);
        assert_eq!(
            response_body_kind(&Method::Get, 200, &differ),
            Err(ParseError::ContentLength)
        );
    }

    /// The one-pass check agrees with the four rules applied one by one,
    /// results and first errors alike, over heads built from every
    /// combination of up to three of these fields.
    #[test]
    fn check_request_agrees_with_the_rules_one_by_one() {
        let fields: &[(&str, &str)] = &[
            ("Host", "a"),
            ("host", "b"),
            ("Host", "bad host"),
            ("Content-Length", "5"),
            ("content-length", "5, 5"),
            ("Content-Length", "6"),
            ("Content-Length", "x"),
            ("Content-Length", "0"),
            ("Transfer-Encoding", "chunked"),
            ("Transfer-Encoding", "gzip"),
            ("Expect", "100-continue"),
            ("Expect", "nope"),
            ("Connection", "close"),
            ("Connection", "keep-alive"),
            ("Accept", "*/*"),
            ("Hostx", "a"),
        ];
        let n = fields.len();
        let mut checked = 0;
        for version in [Version::Http10, Version::Http11] {
            for a in 0..=n {
                for b in 0..=n {
                    for c in 0..=n {
                        let chosen: Vec<_> = [a, b, c]
                            .iter()
                            .filter_map(|&i| fields.get(i).copied())
                            .collect();
                        let head = RequestHead {
                            method: Method::Post,
                            target: "/".into(),
                            version,
                            headers: h(&chosen),
                        };
                        assert_eq!(
                            check_request(&head),
                            check_request_rule_by_rule(&head),
                            "{version:?} {chosen:?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 2 * (n + 1).pow(3));
    }

    #[test]
    fn keep_alive_rules() {
        let none = h(&[]);
        let close = h(&[("Connection", "close")]);
        let ka = h(&[("Connection", "Keep-Alive")]);
        let both = h(&[("Connection", "keep-alive, close")]);
        assert!(keep_alive(Version::Http11, &none));
        assert!(!keep_alive(Version::Http11, &close));
        assert!(!keep_alive(Version::Http10, &none));
        assert!(keep_alive(Version::Http10, &ka));
        assert!(!keep_alive(Version::Http10, &both));
        assert!(!keep_alive(Version::Http11, &both));
        let te_ka = h(&[
            ("Transfer-Encoding", "chunked"),
            ("Connection", "keep-alive"),
        ]);
        assert!(!keep_alive(Version::Http10, &te_ka));
        assert!(keep_alive(Version::Http11, &te_ka));
    }

    #[test]
    fn host_rules() {
        let head = |version, fields: &[(&str, &str)]| RequestHead {
            method: Method::Get,
            target: "/".into(),
            version,
            headers: h(fields),
        };
        assert!(validate_request(&head(Version::Http11, &[("Host", "a")])).is_ok());
        assert_eq!(
            validate_request(&head(Version::Http11, &[])),
            Err(ParseError::Host)
        );
        assert_eq!(
            validate_request(&head(Version::Http11, &[("Host", "a"), ("host", "b")])),
            Err(ParseError::Host)
        );
        assert!(validate_request(&head(Version::Http10, &[])).is_ok());
        // The value itself (the whole table is in host.rs).
        for version in [Version::Http10, Version::Http11] {
            for (value, want) in [
                ("example.com:8080", Ok(())),
                ("[::1]:80", Ok(())),
                ("host:", Ok(())),
                ("a@b", Err(ParseError::InvalidHost)),
                ("a/b", Err(ParseError::InvalidHost)),
                ("[::1", Err(ParseError::InvalidHost)),
                ("h:65536", Err(ParseError::InvalidHost)),
            ] {
                assert_eq!(
                    validate_request(&head(version, &[("Host", value)])),
                    want,
                    "{version:?} {value:?}"
                );
            }
        }
        assert_eq!(ParseError::InvalidHost.status().as_u16(), 400);
        // RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 is faulty framing,
        // even next to Content-Length; in 1.1 it is request_body_kind's.
        for fields in [
            &[("Transfer-Encoding", "chunked")][..],
            &[("Transfer-Encoding", "chunked"), ("Content-Length", "5")],
        ] {
            assert_eq!(
                validate_request(&head(Version::Http10, fields)),
                Err(ParseError::TransferEncodingInHttp10)
            );
        }
        let te = [("Host", "a"), ("Transfer-Encoding", "chunked")];
        assert!(validate_request(&head(Version::Http11, &te)).is_ok());
    }
}
