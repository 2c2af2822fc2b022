//! The response parser's leniencies, asked for one by one: bare LF line
//! ends and obs-fold, each refused where it was not asked for.

use super::*;

/// The fields of `h` as text, in order.
fn field_strs(h: &Headers) -> Vec<(&str, &str)> {
    h.iter()
        .map(|(n, v)| (n, std::str::from_utf8(v).unwrap_or("?")))
        .collect()
}

/// Each head of `cases` fails with its error, however it is split.
fn assert_refused(fresh: impl Fn() -> ResponseParser + Copy, cases: &[(&[u8], ParseError)]) {
    for (buf, want) in cases {
        let what = String::from_utf8_lossy(buf);
        assert_eq!(
            resp_fed_byte_by_byte(fresh, buf).err(),
            Some(*want),
            "{what:?}"
        );
    }
}

fn bare_lf() -> ResponseParser {
    ResponseParser::new(Limits::default()).bare_lf(true)
}

#[test]
fn bare_lf_responses_when_asked() {
    let cases: &[(&[u8], u16, &str, &[(&str, &str)])] = &[
        (b"HTTP/1.1 200 OK\nX: y\n\n", 200, "OK", &[("X", "y")]),
        (b"HTTP/1.0 404 Not Found\n\n", 404, "Not Found", &[]),
        (b"HTTP/1.1 200\n\n", 200, "", &[]),
        (b"HTTP/1.1 204 \n\n", 204, "", &[]),
        // Mixed line ends, trailing OWS before a bare LF, an empty value.
        (
            b"HTTP/1.1 200 OK\r\nA: 1 \t\nB:\nC: 3\r\n\n",
            200,
            "OK",
            &[("A", "1"), ("B", ""), ("C", "3")],
        ),
        (b"HTTP/1.1 200 OK\nA: 1\n\r\n", 200, "OK", &[("A", "1")]),
        // Plain CRLF heads parse as before.
        (
            RESPONSE,
            200,
            "OK",
            &[("Server", "nginx"), ("Content-Length", "5")],
        ),
    ];
    for (buf, code, reason, fields) in cases {
        let body = b"hello";
        let wire = [buf, &body[..]].concat();
        let what = String::from_utf8_lossy(buf);
        let (head, n) =
            resp_fed_byte_by_byte(bare_lf, &wire).unwrap_or_else(|e| panic!("{what:?}: {e}"));
        let head_len = if *buf == RESPONSE {
            buf.len() - 5
        } else {
            buf.len()
        };
        assert_eq!(n, head_len, "{what:?}: the head's bytes as sent");
        assert_eq!(head.status.as_u16(), *code, "{what:?}");
        assert_eq!(head.reason, *reason, "{what:?}");
        assert_eq!(&field_strs(&head.headers), fields, "{what:?}");
    }
}

#[test]
fn bare_lf_leniency_is_only_for_responses_that_ask() {
    use ParseError::*;
    // Without the option, responses stay strict.
    for buf in [
        &b"HTTP/1.1 200 OK\nX: y\n\n"[..],
        b"HTTP/1.1 200 OK\r\nX: y\n\r\n",
        b"HTTP/1.1 200 OK\r\n\n",
    ] {
        let mut parser = ResponseParser::new(Limits::default());
        let mut slots = [EMPTY_HEADER; 8];
        assert_eq!(
            parser.parse(buf, &mut slots).err(),
            Some(LineEnding),
            "{buf:?}"
        );
        assert_eq!(resp(buf).err(), Some(LineEnding), "one-shot {buf:?}");
    }
    // Requests never accept it.
    for buf in [
        &b"GET / HTTP/1.1\nHost: t\n\n"[..],
        b"GET / HTTP/1.1\r\nHost: t\n\r\n",
        b"GET / HTTP/1.1\r\nHost: t\r\n\n",
    ] {
        assert_eq!(req(buf).err(), Some(LineEnding), "{buf:?}");
    }
    // With it, what is not a bare LF is still refused.
    let cases: &[(&[u8], ParseError)] = &[
        (b"HTTP/1.1 200 OK\rX: y\n\n", LineEnding),
        (b"HTTP/1.1 200 OK\nX: a\rb\n\n", LineEnding),
        (b"HTTP/1.1 200 OK\n\r\r\n", LineEnding),
        (b"HTTP/1.1 200 OK\nX: y\n z\n\n", ObsFold),
        (b"HTTP/1.1 200 OK\nX : y\n\n", HeaderName),
        (b"HTTP/1.1 200 OK\nX\n\n", HeaderName),
        (b"HTTP/1.1 200 OK\nX: a\x01\n\n", HeaderValue),
        (b"HTTP/1.1 20\n\n", StatusLine),
        (b"HTTP/1.1 200 O\x01K\n\n", StatusLine),
    ];
    assert_refused(bare_lf, cases);
}

/// Parses `buf` with parsers made by `fresh`, fed one more byte each call
/// (every proper prefix `Partial`) and cut in two at every byte; every
/// answer agrees with a fresh parser given the whole buffer at once.
fn resp_fed_byte_by_byte(
    fresh: impl Fn() -> ResponseParser,
    buf: &[u8],
) -> Result<(ResponseHead, usize), ParseError> {
    let mut whole_parser = fresh();
    let mut slots = [EMPTY_HEADER; 8];
    let whole = match whole_parser.parse(buf, &mut slots) {
        Ok(Status::Complete((v, n))) => Ok((v.to_head(), n)),
        Ok(Status::Partial) => panic!("{:?} is a whole head", String::from_utf8_lossy(buf)),
        Err(e) => Err(e),
    };
    // Cut in two at every byte: a first call that sees part of the head
    // (the full parse answers Partial), then the whole buffer (the resumed
    // scan).
    for cut in 1..buf.len() {
        let mut parser = fresh();
        let mut slots = [EMPTY_HEADER; 8];
        let first = match parser.parse(&buf[..cut], &mut slots) {
            Ok(Status::Complete(_)) => continue, // the head ends before the cut
            Ok(Status::Partial) => None,
            Err(e) => Some(Err(e)),
        };
        let got = first.unwrap_or_else(|| {
            let mut slots = [EMPTY_HEADER; 8];
            match parser.parse(buf, &mut slots) {
                Ok(Status::Complete((v, n))) => Ok((v.to_head(), n)),
                Ok(Status::Partial) => panic!(
                    "{:?}: Partial after cut {cut}",
                    String::from_utf8_lossy(buf)
                ),
                Err(e) => Err(e),
            }
        });
        assert_eq!(
            got,
            whole,
            "{:?} cut at {cut}",
            String::from_utf8_lossy(buf)
        );
    }
    let mut parser = fresh();
    for end in 1..=buf.len() {
        let mut slots = [EMPTY_HEADER; 8];
        match parser.parse(&buf[..end], &mut slots) {
            Ok(Status::Complete((v, n))) => {
                let got = Ok((v.to_head(), n));
                assert_eq!(got, whole, "{:?} at {end}", String::from_utf8_lossy(buf));
                return got;
            }
            Ok(Status::Partial) => {}
            Err(e) => {
                assert_eq!(Err(e), whole, "{:?} at {end}", String::from_utf8_lossy(buf));
                return Err(e);
            }
        }
    }
    panic!("{:?} never completed", String::from_utf8_lossy(buf))
}

#[test]
fn obs_fold_responses_when_asked() {
    let fold = || ResponseParser::new(Limits::default()).obs_fold(true);
    let both = || {
        ResponseParser::new(Limits::default())
            .obs_fold(true)
            .bare_lf(true)
    };
    let cases: &[(&[u8], &[(&str, &str)])] = &[
        (b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", &[("X", "a   b")]),
        (
            b"HTTP/1.1 200 OK\r\nX: a \r\n\t b \r\nY: c\r\n\r\n",
            &[("X", "a   \t b"), ("Y", "c")],
        ),
        (b"HTTP/1.1 200 OK\r\nX:\r\n b\r\n\r\n", &[("X", "b")]),
        (
            b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n  c\r\nY: d\r\n\r\n",
            &[("X", "a   b    c"), ("Y", "d")],
        ),
        (b"HTTP/1.1 200 OK\r\nX: a\r\n\r\n", &[("X", "a")]),
    ];
    for (buf, fields) in cases {
        let what = String::from_utf8_lossy(buf);
        let body = [buf, &b"body"[..]].concat();
        let (head, n) =
            resp_fed_byte_by_byte(fold, &body).unwrap_or_else(|e| panic!("{what:?}: {e}"));
        assert_eq!(n, buf.len(), "{what:?}");
        assert_eq!(&field_strs(&head.headers), fields, "{what:?}");
        // The same with bare LFs, given both options.
        let lf = String::from_utf8_lossy(&body).replace("\r\n", "\n");
        let (head_lf, n_lf) =
            resp_fed_byte_by_byte(both, lf.as_bytes()).unwrap_or_else(|e| panic!("{lf:?}: {e}"));
        assert_eq!(n_lf, lf.len() - 4, "{lf:?}");
        // One SP fewer per fold (LF, not CRLF); the same words.
        let words = |h: &Headers| -> Vec<(String, String)> {
            h.iter()
                .map(|(n, v)| {
                    let v = String::from_utf8_lossy(v);
                    (
                        n.to_owned(),
                        v.split_whitespace().collect::<Vec<_>>().join(" "),
                    )
                })
                .collect()
        };
        assert_eq!(words(&head_lf.headers), words(&head.headers), "{lf:?}");
    }
    use ParseError::*;
    let refused: &[(&[u8], ParseError)] = &[
        // Nothing to continue right after the status line.
        (b"HTTP/1.1 200 OK\r\n X: a\r\n\r\n", ObsFold),
        (b"HTTP/1.1 200 OK\r\nX: a\r\n b\x01\r\n\r\n", HeaderValue),
        (b"HTTP/1.1 200 OK\r\nX: a\r\n b\rc\r\n\r\n", LineEnding),
        (b"HTTP/1.1 200 OK\r\nX: a\r\n b\n\r\n", LineEnding),
    ];
    assert_refused(fold, refused);
    // Off by default, and never for requests.
    let folded = b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n";
    let strict = || ResponseParser::new(Limits::default());
    assert_eq!(resp_fed_byte_by_byte(strict, folded).err(), Some(ObsFold));
    assert_eq!(resp(folded).err(), Some(ObsFold));
    assert_eq!(
        req(b"GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n").err(),
        Some(ObsFold)
    );
}
