//! Differential tests against `httparse`: on valid heads both parsers give
//! the same method, target, version and fields; on heads our strict rules
//! refuse, httparse must refuse too unless it is documented as lenient
//! there (bare LF, obs-fold opt-in), in which case we only check that we
//! refuse.

use brisk_core::{
    parse_request, parse_response, Limits, RequestParser, Status, Version, EMPTY_HEADER,
};
use proptest::prelude::*;

fn ours_req(buf: &[u8]) -> Option<Result<(String, String, u8, Vec<(String, Vec<u8>)>, usize), ()>> {
    let mut slots = [EMPTY_HEADER; 64];
    match parse_request(buf, &mut slots, &Limits::default()) {
        Ok(Status::Complete((v, n))) => Some(Ok((
            v.method.to_owned(),
            v.target.to_owned(),
            match v.version {
                Version::Http10 => 0,
                Version::Http11 => 1,
            },
            v.headers
                .iter()
                .map(|h| (h.name_str().to_owned(), h.value.to_vec()))
                .collect(),
            n,
        ))),
        Ok(Status::Partial) => None,
        Err(_) => Some(Err(())),
    }
}

fn theirs_req(
    buf: &[u8],
) -> Option<Result<(String, String, u8, Vec<(String, Vec<u8>)>, usize), ()>> {
    let mut slots = [httparse::EMPTY_HEADER; 64];
    let mut r = httparse::Request::new(&mut slots);
    match r.parse(buf) {
        Ok(httparse::Status::Complete(n)) => Some(Ok((
            r.method.unwrap_or_default().to_owned(),
            r.path.unwrap_or_default().to_owned(),
            r.version.unwrap_or(9),
            r.headers
                .iter()
                .map(|h| (h.name.to_owned(), h.value.to_vec()))
                .collect(),
            n,
        ))),
        Ok(httparse::Status::Partial) => None,
        Err(_) => Some(Err(())),
    }
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}"
}

fn value() -> impl Strategy<Value = String> {
    // Visible ASCII and inner spaces/tabs; no leading or trailing whitespace
    // (both parsers trim it, tested separately).
    "([!-~]([ \t!-~]{0,40}[!-~])?)?"
}

fn target() -> impl Strategy<Value = String> {
    "/[!-~&&[^#]]{0,60}"
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_owned()),
        Just("POST".to_owned()),
        Just("HEAD".to_owned()),
        "[A-Z]{1,10}"
    ]
}

prop_compose! {
    fn valid_request()(
        m in method(),
        t in target(),
        v in prop_oneof![Just("HTTP/1.1"), Just("HTTP/1.0")],
        fields in prop::collection::vec((token(), value()), 0..20),
    ) -> Vec<u8> {
        let mut s = format!("{m} {t} {v}\r\n");
        for (n, val) in &fields {
            s.push_str(&format!("{n}: {val}\r\n"));
        }
        s.push_str("\r\n");
        s.into_bytes()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn valid_requests_agree(buf in valid_request()) {
        let ours = ours_req(&buf);
        prop_assert!(matches!(ours, Some(Ok(_))), "we refused {:?}", String::from_utf8_lossy(&buf));
        prop_assert_eq!(ours, theirs_req(&buf));
    }

    #[test]
    fn valid_prefixes_are_partial_for_both(buf in valid_request(), cut in any::<prop::sample::Index>()) {
        let end = cut.index(buf.len());
        prop_assert_eq!(ours_req(&buf[..end]), None);
        prop_assert_eq!(theirs_req(&buf[..end]), None);
    }

    /// One byte of a valid head replaced by a byte that no rule allows at
    /// that place: when httparse refuses, so do we.
    #[test]
    fn mutations_never_accepted_by_us_alone(buf in valid_request(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bad = buf.clone();
        let i = at.index(bad.len());
        bad[i] = byte;
        let ours = ours_req(&bad);
        let theirs = theirs_req(&bad);
        // HTTP/1.2 to 1.9 are read as HTTP/1.1 (RFC 9110 2.5), a
        // deliberate difference: httparse refuses them.
        let newer_minor = bad.windows(8).any(|w| w.starts_with(b"HTTP/1.") && (b'2'..=b'9').contains(&w[7]));
        if newer_minor {
            return Ok(());
        }
        if theirs == Some(Err(())) {
            prop_assert!(!matches!(ours, Some(Ok(_))), "httparse refused, we accepted {:?}", String::from_utf8_lossy(&bad));
        }
        if let Some(Ok(ours_ok)) = &ours {
            // When we accept a mutated head, httparse must read it the same way.
            prop_assert_eq!(Some(Ok(ours_ok.clone())), theirs);
        }
    }

    /// The incremental parser fed the same bytes in two calls, split
    /// anywhere, accepts exactly what the one-shot parser accepts.
    #[test]
    fn split_parses_agree_with_one_shot(
        buf in valid_request(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        mutate in any::<bool>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut buf = buf;
        if mutate {
            let i = at.index(buf.len());
            buf[i] = byte;
        }
        let one_shot = ours_req(&buf);
        let split = cut.index(buf.len() + 1);
        let mut parser = RequestParser::new(Limits::default());
        let mut slots = [EMPTY_HEADER; 64];
        let first = parser.parse(&buf[..split], &mut slots);
        if matches!(first, Ok(Status::Partial)) {
            let mut slots = [EMPTY_HEADER; 64];
            let again = match parser.parse(&buf, &mut slots) {
                Ok(Status::Complete((v, n))) => Some(Ok((
                    v.method.to_owned(),
                    v.target.to_owned(),
                    if v.version == Version::Http10 { 0 } else { 1 },
                    v.headers.iter().map(|h| (h.name_str().to_owned(), h.value.to_vec())).collect(),
                    n,
                ))),
                Ok(Status::Partial) => None,
                Err(_) => Some(Err(())),
            };
            match (&one_shot, &again) {
                (Some(Ok(a)), Some(Ok(b))) => prop_assert_eq!(a, b),
                // Both refuse, or the one-shot parse saw an error inside a
                // line that is not complete yet.
                (Some(Err(())), Some(Err(()))) | (Some(Err(())), None) | (None, None) => {}
                _ => prop_assert!(false, "one-shot {:?} vs split {:?}", one_shot, again),
            }
        }
    }

    #[test]
    fn valid_responses_agree(
        code in 100u16..=999,
        reason in "[A-Za-z ]{0,20}",
        fields in prop::collection::vec((token(), value()), 0..20),
    ) {
        let mut s = format!("HTTP/1.1 {code} {reason}\r\n");
        for (n, v) in &fields {
            s.push_str(&format!("{n}: {v}\r\n"));
        }
        s.push_str("\r\n");
        let buf = s.into_bytes();
        let mut slots = [EMPTY_HEADER; 64];
        let Ok(Status::Complete((ours, n))) = parse_response(&buf, &mut slots, &Limits::default()) else {
            return Err(TestCaseError::fail(format!("we refused {s:?}", s = String::from_utf8_lossy(&buf))));
        };
        let mut theirs_slots = [httparse::EMPTY_HEADER; 64];
        let mut theirs = httparse::Response::new(&mut theirs_slots);
        let Ok(httparse::Status::Complete(tn)) = theirs.parse(&buf) else {
            return Err(TestCaseError::fail("httparse refused"));
        };
        prop_assert_eq!(n, tn);
        prop_assert_eq!(Some(ours.status), theirs.code);
        prop_assert_eq!(Some(ours.reason), theirs.reason);
        prop_assert_eq!(ours.headers.len(), theirs.headers.len());
        for (a, b) in ours.headers.iter().zip(theirs.headers.iter()) {
            prop_assert_eq!(a.name, b.name.as_bytes());
            prop_assert_eq!(a.value, b.value);
        }
    }
}

/// Heads that break a rule: we must refuse all of them; httparse refuses
/// those it is strict about too.
#[test]
fn invalid_heads_both_refuse() {
    let both: &[&[u8]] = &[
        b"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
        b"GET / HTTP/1.1\r\nHo\"st: a\r\n\r\n",
        b"GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n",
        b"GET / HTTP/2.0\r\n\r\n",
        b"GET / HTTP/1.1\r\n: a\r\n\r\n",
        b"G(T / HTTP/1.1\r\n\r\n",
        b"GET /\x01 HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
    ];
    for buf in both {
        assert_eq!(ours_req(buf), Some(Err(())), "we accepted {buf:?}");
        assert_eq!(theirs_req(buf), Some(Err(())), "httparse accepted {buf:?}");
    }
    // httparse accepts bare LF line endings; DESIGN.md says CRLF only.
    for buf in [
        &b"GET / HTTP/1.1\nHost: a\n\n"[..],
        b"GET / HTTP/1.1\r\nHost: a\n\r\n",
    ] {
        assert_eq!(ours_req(buf), Some(Err(())), "we accepted {buf:?}");
    }
}
