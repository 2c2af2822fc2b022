use super::*;

/// Parses `buf` into a view and, with `parse_into`, into a head that held
/// another request; checks that the two agree and returns the answer.
fn req(buf: &[u8]) -> Result<Status<(RequestHead, usize)>, ParseError> {
    req_with(buf, &Limits::default())
}

fn req_with(buf: &[u8], limits: &Limits) -> Result<Status<(RequestHead, usize)>, ParseError> {
    let mut slots = vec![EMPTY_HEADER; limits.max_headers.min(1024)];
    let viewed = parse_request(buf, &mut slots, limits).map(|s| match s {
        Status::Complete((v, n)) => Status::Complete((v.to_head(), n)),
        Status::Partial => Status::Partial,
    });
    let mut head = used_head();
    let owned = match RequestParser::new(*limits).parse_into(buf, &mut head) {
        Ok(Status::Complete((n, notes))) => {
            assert_eq!(notes, FieldNotes::of(&head.headers));
            Ok(Status::Complete((head.clone(), n)))
        }
        Ok(Status::Partial) => Ok(Status::Partial),
        Err(e) => Err(e),
    };
    assert_eq!(owned, viewed, "{:?}", String::from_utf8_lossy(buf));
    if !matches!(owned, Ok(Status::Complete(_))) {
        assert!(head.headers.is_empty(), "no fields left behind");
    }
    viewed
}

/// A head as a connection's previous request leaves it.
fn used_head() -> RequestHead {
    let mut head = RequestHead {
        method: Method::Other("PROPFIND".into()),
        target: "/an/older/and/longer/target?with=query".into(),
        version: Version::Http10,
        headers: Headers::new(),
    };
    for k in 0..10 {
        head.headers.append(&format!("X-Old-{k}"), "an older value");
    }
    head
}

fn resp(buf: &[u8]) -> Result<Status<(ResponseHead, usize)>, ParseError> {
    let mut slots = [EMPTY_HEADER; 32];
    Ok(match parse_response(buf, &mut slots, &Limits::default())? {
        Status::Complete((v, n)) => Status::Complete((v.to_head(), n)),
        Status::Partial => Status::Partial,
    })
}

const CURL_GET: &[u8] = b"GET /index.html?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";

#[test]
fn valid_request() {
    let Status::Complete((h, n)) = req(CURL_GET).unwrap() else {
        panic!("partial")
    };
    assert_eq!(n, CURL_GET.len());
    assert_eq!(h.method, Method::Get);
    assert_eq!(h.target, "/index.html?x=1");
    assert_eq!(h.version, Version::Http11);
    assert_eq!(h.headers.len(), 3);
    assert_eq!(h.headers.get_str("user-agent"), Some("curl/7.88.1"));
}

#[test]
fn valid_request_variants() {
    let cases: &[(&[u8], &str, &[(&str, &[u8])])] = &[
        (b"GET / HTTP/1.0\r\n\r\n", "/", &[]),
        (
            b"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
            "/",
            &[("Host", b"a")],
        ),
        (
            b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
            "*",
            &[("Host", b"a")],
        ),
        (
            b"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
            "a:443",
            &[("Host", b"a:443")],
        ),
        (
            b"GET / HTTP/1.1\r\nX:  padded \t \r\n\r\n",
            "/",
            &[("X", b"padded")],
        ),
        (b"GET / HTTP/1.1\r\nX:\r\n\r\n", "/", &[("X", b"")]),
        (b"GET / HTTP/1.1\r\nX: a\tb\r\n\r\n", "/", &[("X", b"a\tb")]),
        (
            b"GET / HTTP/1.1\r\nX: caf\xc3\xa9 \xff\r\n\r\n",
            "/",
            &[("X", b"caf\xc3\xa9 \xff")],
        ),
        (b"GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n", "/caf\u{e9}", &[]),
        // The four forms of RFC 9112 3.2.
        (b"GET http://a/b?c HTTP/1.1\r\n\r\n", "http://a/b?c", &[]),
        (b"GET h+t.t-p://a HTTP/1.1\r\n\r\n", "h+t.t-p://a", &[]),
        (b"CONNECT [::1]:443 HTTP/1.1\r\n\r\n", "[::1]:443", &[]),
        (b"OPTIONS * HTTP/1.0\r\n\r\n", "*", &[]),
        // A deliberate leniency: a fragment in origin-form is not looked for.
        (b"GET /a#b HTTP/1.1\r\n\r\n", "/a#b", &[]),
    ];
    for (buf, target, fields) in cases {
        let Status::Complete((h, n)) = req(buf).unwrap_or_else(|e| panic!("{buf:?}: {e}")) else {
            panic!("{buf:?}: partial")
        };
        assert_eq!(n, buf.len());
        assert_eq!(h.target, *target);
        let got: Vec<(&str, &[u8])> = h.headers.iter().collect();
        assert_eq!(&got[..], *fields, "{buf:?}");
    }
}

#[test]
fn invalid_requests() {
    use ParseError::*;
    let cases: &[(&[u8], ParseError)] = &[
        (b"GET / HTTP/1.1\nHost: a\r\n\r\n", LineEnding),
        (b"GET / HTTP/1.1\r\nHost: a\n\r\n", LineEnding),
        (b"GET / HTTP/1.1\r\nHost: a\r\n\n", LineEnding),
        (b"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", LineEnding),
        (b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", HeaderName),
        (b"GET / HTTP/1.1\r\n: a\r\n\r\n", HeaderName),
        (b"GET / HTTP/1.1\r\nHo\"st: a\r\n\r\n", HeaderName),
        (b"GET / HTTP/1.1\r\nHost a\r\n\r\n", HeaderName),
        (b"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", ObsFold),
        (b"GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n", HeaderValue),
        (b"GET / HTTP/1.1\r\nX: a\x7fb\r\n\r\n", HeaderValue),
        (b"GET / HTTP/2.0\r\n\r\n", UnsupportedVersion),
        (b"GET / HTTP/0.9\r\n\r\n", UnsupportedVersion),
        (b"GET / HTTP/1.10\r\n\r\n", Version),
        (b"GET / http/1.1\r\n\r\n", Version),
        (b"GET /\r\n\r\n", Target),
        (b"GET  / HTTP/1.1\r\n\r\n", Target),
        (b"GET / HTTP/1.1 \r\n\r\n", Version),
        (b"GET /a b HTTP/1.1\r\n\r\n", Version),
        (b"GET /\x01 HTTP/1.1\r\n\r\n", Target),
        (b"GET /\xff HTTP/1.1\r\n\r\n", Target),
        (b"G(T / HTTP/1.1\r\n\r\n", Method),
        (b" GET / HTTP/1.1\r\n\r\n", Method),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", Method),
        // None of the four forms of RFC 9112 3.2, or a form the method
        // does not take.
        (b"GET ! HTTP/1.1\r\n\r\n", Target),
        (b"GET a HTTP/1.1\r\n\r\n", Target),
        (b"GET ?a=1 HTTP/1.1\r\n\r\n", Target),
        (b"GET * HTTP/1.1\r\n\r\n", Target),
        (b"M-SEARCH * HTTP/1.1\r\n\r\n", Target),
        (b"OPTIONS *x HTTP/1.1\r\n\r\n", Target),
        (b"GET a:443 HTTP/1.1\r\n\r\n", Target),
        (b"GET http:/a HTTP/1.1\r\n\r\n", Target),
        (b"GET http:// HTTP/1.1\r\n\r\n", Target),
        (b"GET 1http://a/ HTTP/1.1\r\n\r\n", Target),
        (b"GET ://a/ HTTP/1.1\r\n\r\n", Target),
        (b"GET http://a/#f HTTP/1.1\r\n\r\n", Target),
        (b"CONNECT / HTTP/1.1\r\n\r\n", Target),
        (b"CONNECT a HTTP/1.1\r\n\r\n", Target),
        (b"CONNECT http://a:1/ HTTP/1.1\r\n\r\n", Target),
        (b"CONNECT * HTTP/1.1\r\n\r\n", Target),
        (b"GET / HTTP/3.0\r\n\r\n", UnsupportedVersion),
        (b"GET / HTTP/2.1\r\n\r\n", UnsupportedVersion),
    ];
    for (buf, want) in cases {
        assert_eq!(
            req(buf).err(),
            Some(*want),
            "{:?}",
            String::from_utf8_lossy(buf)
        );
    }
}

#[test]
fn limits_give_distinct_errors() {
    let limits = Limits {
        max_head_bytes: 256,
        max_request_line: 64,
        max_headers: 3,
    };
    let mut slots = [EMPTY_HEADER; 8];
    // The owned parse meets the same limits.
    for (buf, want) in [
        (
            format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(100)),
            ParseError::RequestLineTooLong,
        ),
        (
            "GET / HTTP/1.1\r\na: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\n\r\n".into(),
            ParseError::TooManyHeaders,
        ),
        (
            format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "v".repeat(300)),
            ParseError::HeadTooLarge,
        ),
        (
            format!("GET / HTTP/1.1\r\nX: {}", "v".repeat(300)),
            ParseError::HeadTooLarge,
        ),
        ("\r\n".repeat(100), ParseError::RequestLineTooLong),
    ] {
        assert_eq!(
            req_with(buf.as_bytes(), &limits).err(),
            Some(want),
            "{buf:?}"
        );
    }
    let long_line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(100));
    assert_eq!(
        parse_request(long_line.as_bytes(), &mut slots, &limits).err(),
        Some(ParseError::RequestLineTooLong)
    );
    // Also before the line is complete.
    let partial = format!("GET /{}", "a".repeat(100));
    assert_eq!(
        parse_request(partial.as_bytes(), &mut slots, &limits).err(),
        Some(ParseError::RequestLineTooLong)
    );
    let many = b"GET / HTTP/1.1\r\na: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\n\r\n";
    assert_eq!(
        parse_request(many, &mut slots, &limits).err(),
        Some(ParseError::TooManyHeaders)
    );
    let big = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "v".repeat(300));
    assert_eq!(
        parse_request(big.as_bytes(), &mut slots, &limits).err(),
        Some(ParseError::HeadTooLarge)
    );
    let big_partial = format!("GET / HTTP/1.1\r\nX: {}", "v".repeat(300));
    assert_eq!(
        parse_request(big_partial.as_bytes(), &mut slots, &limits).err(),
        Some(ParseError::HeadTooLarge)
    );
    // Fewer slots than fields is also "too many".
    let mut two = [EMPTY_HEADER; 2];
    assert_eq!(
        parse_request(many, &mut two, &Limits::default()).err(),
        Some(ParseError::TooManyHeaders)
    );
    // Endless empty lines before a request still hit a limit.
    let crlfs = "\r\n".repeat(100);
    assert_eq!(
        parse_request(crlfs.as_bytes(), &mut slots, &limits).err(),
        Some(ParseError::RequestLineTooLong)
    );
}

#[test]
fn every_prefix_is_partial() {
    for buf in [CURL_GET, BROWSER_GET, b"\r\nGET / HTTP/1.0\r\n\r\n"] {
        for end in 0..buf.len() {
            assert_eq!(req(&buf[..end]), Ok(Status::Partial), "prefix {end}");
        }
        assert!(req(buf).unwrap().is_complete());
    }
    for end in 0..RESPONSE.len() - 5 {
        assert_eq!(resp(&RESPONSE[..end]), Ok(Status::Partial), "prefix {end}");
    }
}

#[test]
fn byte_at_a_time_resumes() {
    let mut parser = RequestParser::new(Limits::default());
    let mut buf = Vec::new();
    for (i, &b) in BROWSER_GET.iter().enumerate() {
        buf.push(b);
        let mut slots = [EMPTY_HEADER; 32];
        match parser.parse(&buf, &mut slots).unwrap() {
            Status::Partial => assert!(i + 1 < BROWSER_GET.len()),
            Status::Complete((v, n)) => {
                assert_eq!(i + 1, BROWSER_GET.len());
                assert_eq!(n, BROWSER_GET.len());
                assert_eq!(v.headers.len(), 12);
            }
        }
    }
    // An error in an early line surfaces as soon as that line is complete.
    let mut parser = RequestParser::new(Limits::default());
    let bad = b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n";
    let mut got = Ok(());
    for end in 1..=bad.len() {
        let mut slots = [EMPTY_HEADER; 4];
        if let Err(e) = parser.parse(&bad[..end], &mut slots) {
            got = Err(e);
            break;
        }
    }
    assert_eq!(got, Err(ParseError::HeaderName));
}

#[test]
fn pipelined_heads_consume_exactly_one() {
    let two = [CURL_GET, CURL_GET].concat();
    let Status::Complete((_, n)) = req(&two).unwrap() else {
        panic!()
    };
    assert_eq!(n, CURL_GET.len());
}

const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 5\r\n\r\nhello";
const BROWSER_GET: &[u8] = b"GET /static/app.js?v=3 HTTP/1.1\r\n\
Host: localhost:8080\r\n\
Connection: keep-alive\r\n\
sec-ch-ua: \"Chromium\";v=\"120\"\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\r\n\
Accept: */*\r\n\
Sec-Fetch-Site: same-origin\r\n\
Sec-Fetch-Mode: no-cors\r\n\
Sec-Fetch-Dest: script\r\n\
Referer: http://localhost:8080/\r\n\
Accept-Encoding: gzip, deflate, br\r\n\
Accept-Language: en-US,en;q=0.9\r\n\
Cookie: session=abc123; theme=dark\r\n\r\n";

/// RFC 9110 2.5: a higher minor version of HTTP/1 is processed as the
/// highest we implement, HTTP/1.1 (requests and responses alike).
#[test]
fn newer_http1_minor_versions_are_read_as_http11() {
    for minor in 2..=9 {
        let request = format!("GET / HTTP/1.{minor}\r\nHost: a\r\n\r\n");
        let Ok(Status::Complete((h, n))) = req(request.as_bytes()) else {
            panic!("{request:?}")
        };
        assert_eq!((h.version, n), (Version::Http11, request.len()));
        let response = format!("HTTP/1.{minor} 200 OK\r\n\r\n");
        let Ok(Status::Complete((h, _))) = resp(response.as_bytes()) else {
            panic!("{response:?}")
        };
        assert_eq!(h.version, Version::Http11);
    }
}

#[test]
fn valid_responses() {
    let Status::Complete((h, n)) = resp(RESPONSE).unwrap() else {
        panic!()
    };
    assert_eq!(n, RESPONSE.len() - 5);
    assert_eq!(h.status, StatusCode::OK);
    assert_eq!(h.reason, "OK");
    assert_eq!(h.headers.get_str("content-length"), Some("5"));
    for (buf, code, reason) in [
        (&b"HTTP/1.0 404 Not Found\r\n\r\n"[..], 404, "Not Found"),
        (b"HTTP/1.1 200 \r\n\r\n", 200, ""),
        (b"HTTP/1.1 200\r\n\r\n", 200, ""),
        (
            b"HTTP/1.1 599 Whatever You Like\r\n\r\n",
            599,
            "Whatever You Like",
        ),
        (
            b"HTTP/1.1 200 Connection established\r\n\r\n",
            200,
            "Connection established",
        ),
    ] {
        let Status::Complete((h, _)) = resp(buf).unwrap() else {
            panic!()
        };
        assert_eq!(h.status.as_u16(), code);
        assert_eq!(h.reason, reason);
    }
}

#[test]
fn invalid_responses() {
    use ParseError::*;
    let cases: &[(&[u8], ParseError)] = &[
        (b"HTTP/1.1 20 OK\r\n\r\n", StatusLine),
        (b"HTTP/1.1 2000 OK\r\n\r\n", StatusLine),
        (b"HTTP/1.1 099 OK\r\n\r\n", StatusLine),
        (b"HTTP/1.1 abc OK\r\n\r\n", StatusLine),
        (b"HTTP/1.1  200 OK\r\n\r\n", StatusLine),
        (b"HTTP/2 200 OK\r\n\r\n", Version),
        (b"HTTP/3.0 200 OK\r\n\r\n", UnsupportedVersion),
        (b"SSH-2.0-OpenSSH\r\n\r\n", Version),
        (b"HTTP/1.1 200 OK\r\nX : y\r\n\r\n", HeaderName),
        (b"HTTP/1.1 200 OK\nX: y\r\n\r\n", LineEnding),
    ];
    for (buf, want) in cases {
        assert_eq!(
            resp(buf).err(),
            Some(*want),
            "{:?}",
            String::from_utf8_lossy(buf)
        );
    }
}

#[test]
fn encode_then_parse_round_trip() {
    let mut h = Headers::new();
    h.append("Host", "example.com");
    h.append("X-Multi", "a");
    h.append("x-multi", "b");
    h.append("Empty", "");
    let mut out = Vec::new();
    crate::encode_request_head(&Method::Put, "/p?q=1", Version::Http10, &h, &mut out);
    let Status::Complete((back, n)) = req(&out).unwrap() else {
        panic!()
    };
    assert_eq!(n, out.len());
    assert_eq!(back.method, Method::Put);
    assert_eq!(back.target, "/p?q=1");
    assert_eq!(back.version, Version::Http10);
    assert_eq!(back.headers, h);

    let mut out = Vec::new();
    crate::encode_response_head(Version::Http11, StatusCode::PARTIAL_CONTENT, &h, &mut out);
    let Status::Complete((back, _)) = resp(&out).unwrap() else {
        panic!()
    };
    assert_eq!(back.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(back.reason, "Partial Content");
    assert_eq!(back.headers, h);
}

#[test]
fn names_past_64_kib_and_past_the_inline_slots() {
    let limits = Limits {
        max_head_bytes: 1 << 20,
        max_request_line: 1 << 20,
        max_headers: 200,
    };
    for target_len in [10, 70_000] {
        for fields in [3, 40, 150] {
            let mut head = format!("GET /{} HTTP/1.1\r\n", "a".repeat(target_len));
            for k in 0..fields {
                head.push_str(&format!("X-Field-{k}: value {k}\r\n"));
            }
            head.push_str("\r\n");
            let mut slots = vec![EMPTY_HEADER; 200];
            let Ok(Status::Complete((v, n))) = parse_request(head.as_bytes(), &mut slots, &limits)
            else {
                panic!("{target_len} {fields}")
            };
            assert_eq!(n, head.len());
            assert_eq!(v.headers.len(), fields);
            for (k, h) in v.headers.iter().enumerate() {
                assert_eq!(h.name_str(), format!("X-Field-{k}"));
                assert_eq!(h.value, format!("value {k}").as_bytes());
            }
        }
    }
}

#[test]
fn parse_into_reuses_one_head_for_every_request() {
    let browser: &[u8] = b"POST /form?a=1 HTTP/1.0\r\nHost: h\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0\r\nAccept: text/html\r\nCookie: a=b; c=d\r\nX-Long: 0123456789012345678901234567890123456789012345678901234567890123456789\r\n\r\n";
    let mut head = used_head();
    let mut parser = RequestParser::new(Limits::default());
    // Larger, then smaller, then an extension method, then a partial one
    // and an error: each answer replaces everything the previous one held.
    for buf in [
        browser,
        CURL_GET,
        b"\r\nPURGE /x HTTP/1.1\r\nHost: a\r\n\r\n".as_slice(),
        BROWSER_GET,
    ] {
        let mut slots = [EMPTY_HEADER; 32];
        let Status::Complete((view, n)) =
            parse_request(buf, &mut slots, &Limits::default()).unwrap()
        else {
            panic!("partial")
        };
        let Ok(Status::Complete((used, notes))) = parser.parse_into(buf, &mut head) else {
            panic!("not complete")
        };
        assert_eq!(used, n);
        assert_eq!(head, view.to_head());
        assert_eq!(notes, FieldNotes::of(&head.headers));
        let names: Vec<&str> = head.headers.iter().map(|(n, _)| n).collect();
        let want: Vec<&str> = view.headers.iter().map(|h| h.name_str()).collect();
        assert_eq!(names, want);
    }
    assert_eq!(
        head.headers.get_str("accept-language"),
        Some("en-US,en;q=0.9")
    );
    assert_eq!(
        parser.parse_into(&CURL_GET[..20], &mut head),
        Ok(Status::Partial)
    );
    assert!(head.headers.is_empty());
    assert_eq!(
        parser.parse_into(b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", &mut head),
        Err(ParseError::HeaderName)
    );
    assert!(head.headers.is_empty());
}

/// `parse_into` resumes as `parse` does: fed a growing buffer, split at
/// every byte, it answers as the view parser does at each step.
#[test]
fn parse_into_resumes_like_parse() {
    let crowded = {
        let mut h = String::from("GET /many HTTP/1.1\r\nHost: a\r\n");
        for k in 0..60 {
            h.push_str(&format!("X-F{k}: {k}\r\n"));
        }
        h + "\r\n"
    };
    let bufs: [&[u8]; 6] = [
        CURL_GET,
        BROWSER_GET,
        b"\r\n\r\nGET / HTTP/1.0\r\nX:  padded \t \r\n\r\nGET /next",
        b"GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n",
        b"GET /caf\xc3\xa9 HTTP/1.1\r\nX: caf\xc3\xa9 \xff\r\n\r\n",
        crowded.as_bytes(),
    ];
    for buf in bufs {
        for split in 0..=buf.len() {
            let (mut a, mut b) = (
                RequestParser::new(Limits::default()),
                RequestParser::new(Limits::default()),
            );
            let mut head = used_head();
            for part in [&buf[..split], buf] {
                let mut slots = [EMPTY_HEADER; 100];
                let viewed = a.parse(part, &mut slots).map(|s| match s {
                    Status::Complete((v, n)) => Status::Complete((v.to_head(), n)),
                    Status::Partial => Status::Partial,
                });
                let owned = b.parse_into(part, &mut head).map(|s| match s {
                    Status::Complete((n, _)) => Status::Complete((head.clone(), n)),
                    Status::Partial => Status::Partial,
                });
                assert_eq!(
                    owned,
                    viewed,
                    "split {split} of {:?}",
                    String::from_utf8_lossy(buf)
                );
                if viewed.is_err() {
                    break;
                }
            }
        }
    }
}

mod lenient_responses;
