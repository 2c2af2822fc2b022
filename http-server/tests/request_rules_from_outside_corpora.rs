//! The request rules that outside test corpora (an HTTP parser's request
//! cases, a request-smuggling corpus, a collection of real server bugs)
//! found lenient: a target that is none of RFC 9112's four forms, chunk
//! lines outside RFC 9112 7.1's grammar, a `Content-Length` list, and a
//! newer HTTP/1 minor version. Each case is sent whole and then cut at
//! every byte into two writes: the answer never depends on where TCP
//! splits the request. A refused request is never seen by the handler, and
//! the connection closes after the error; the request after it is never
//! answered.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What the handler saw: method, target, version, body.
fn describe(r: &Request) -> Response {
    let body = String::from_utf8_lossy(r.body()).into_owned();
    Response::text(
        StatusCode::OK,
        format!("{} {} {} [{body}]", r.method(), r.raw_target(), r.version()),
    )
}

/// Sends `raw` in two writes cut at `cut` (with a pause between them, so
/// the server reads them apart), then a plain GET after it; returns the
/// first answer and whether the connection closed after it (else the
/// answer to the GET must come).
fn send_cut(addr: SocketAddr, raw: &[u8], cut: usize) -> (Resp, bool) {
    let mut s = connect(addr);
    s.set_nodelay(true).unwrap();
    s.write_all(&raw[..cut]).unwrap();
    if cut > 0 && cut < raw.len() {
        std::thread::sleep(Duration::from_millis(2));
    }
    s.write_all(&raw[cut..]).unwrap();
    // Anything after a refused request must not be answered.
    let _ = s.write_all(&get("/after"));
    let mut r = BufReader::new(s);
    let first = read_response(&mut r, false);
    if first.status != 200 {
        assert_eq!(first.header("connection"), Some("close"));
        return (first, closed_by_peer(&mut r));
    }
    let after = read_response(&mut r, false);
    assert_eq!(after.status, 200);
    assert!(after.text().starts_with("GET /after "), "{}", after.text());
    (first, false)
}

struct Case {
    what: &'static str,
    raw: &'static [u8],
    /// The status, and for a 200 what the handler saw.
    want: (u16, &'static str),
}

const fn refused(what: &'static str, raw: &'static [u8], status: u16) -> Case {
    Case {
        what,
        raw,
        want: (status, ""),
    }
}

const fn served(what: &'static str, raw: &'static [u8], saw: &'static str) -> Case {
    Case {
        what,
        raw,
        want: (200, saw),
    }
}

const CASES: &[Case] = &[
    // RFC 9112 3.2: the four forms of request target, each for its methods.
    refused("none of the forms", b"GET ! HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    refused("a bare word", b"GET index.html HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    refused("asterisk for GET", b"GET * HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    refused("authority for GET", b"GET t:80 HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    refused("origin for CONNECT", b"CONNECT / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    refused("a scheme with no //", b"GET http:/t/ HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    served(
        "asterisk for OPTIONS",
        b"OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n",
        "OPTIONS * HTTP/1.1 []",
    ),
    served(
        "absolute-form",
        b"GET http://t/a?b HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET http://t/a?b HTTP/1.1 []",
    ),
    // RFC 9112 7.1: chunk lines, whitespace only where BWS stands.
    refused(
        "whitespace before the size line's CRLF",
        b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\na \r\n0123456789\r\n0\r\n\r\n",
        400,
    ),
    refused(
        "an extension with no name",
        b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2;\r\nhi\r\n0\r\n\r\n",
        400,
    ),
    refused(
        "a bare = in an extension",
        b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2;=x\r\nhi\r\n0\r\n\r\n",
        400,
    ),
    refused(
        "an extension with an empty value",
        b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2;a=\r\nhi\r\n0\r\n\r\n",
        400,
    ),
    refused(
        "a control byte in an extension",
        b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2;a\x01\r\nhi\r\n0\r\n\r\n",
        400,
    ),
    refused(
        "a bare LF in an extension",
        b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2;a\nb\r\nhi\r\n0\r\n\r\n",
        400,
    ),
    served(
        "extensions as the grammar has them",
        b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2 ; a = b ;c=\"d \\\" e\"\r\nhi\r\n0;x\r\n\r\n",
        "POST / HTTP/1.1 [hi]",
    ),
    // RFC 9110 8.6: a list, or several fields, refused even when equal.
    refused(
        "a Content-Length list",
        b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2,2\r\n\r\nhi",
        400,
    ),
    refused(
        "a Content-Length list with spaces",
        b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2, 2\r\n\r\nhi",
        400,
    ),
    refused(
        "two equal Content-Length fields",
        b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi",
        400,
    ),
    // RFC 9110 2.5: a newer HTTP/1 minor version is processed as HTTP/1.1
    // (keep-alive by default: the GET after it is answered).
    served(
        "HTTP/1.2",
        b"GET /v HTTP/1.2\r\nHost: t\r\n\r\n",
        "GET /v HTTP/1.1 []",
    ),
    served(
        "HTTP/1.9 with a body",
        b"POST /v HTTP/1.9\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi",
        "POST /v HTTP/1.1 [hi]",
    ),
    refused("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
    refused("HTTP/0.9", b"GET / HTTP/0.9\r\nHost: t\r\n\r\n", 505),
];

#[test]
fn each_rule_holds_wherever_the_request_is_cut() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let server = serve(
        |s| s,
        move |r: &Request| {
            seen.fetch_add(1, Ordering::SeqCst);
            describe(r)
        },
    );
    for case in CASES {
        for cut in 0..=case.raw.len() {
            let before = calls.load(Ordering::SeqCst);
            let (resp, closed) = send_cut(server.addr, case.raw, cut);
            let (status, saw) = case.want;
            let what = format!("{} (cut at {cut})", case.what);
            assert_eq!(resp.status, status, "{what}: {}", resp.text());
            if status == 200 {
                assert_eq!(resp.text(), saw, "{what}");
                // The case and the GET after it.
                assert_eq!(calls.load(Ordering::SeqCst), before + 2, "{what}");
            } else {
                assert!(closed, "{what}: not closed after the error");
                assert_eq!(calls.load(Ordering::SeqCst), before, "{what}: handler ran");
            }
        }
    }
}

/// The answer to a request of a newer minor version says HTTP/1.1.
#[test]
fn newer_minor_version_is_answered_as_http11() {
    let server = serve(|s| s, describe);
    let (resp, _r) = exchange(server.addr, b"GET / HTTP/1.5\r\nHost: t\r\n\r\n");
    // read_response checked the status line starts with HTTP/1.1.
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("connection"), None, "1.1 semantics: kept open");
}
