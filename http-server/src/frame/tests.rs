//! The bytes `queue_response` puts on the wire.
use super::*;
use crate::transport::fake::Unix;
use std::io::Read;

const DATE: &str = "Thu, 01 Jan 2026 00:00:00 GMT";

/// Frames `resp` through `cache`, with the keep-alive decided so far and
/// `date`, and returns (keep-alive, bytes on the wire).
fn wire_via(
    cache: &mut HeadCache,
    (method, version, keep_alive, date): (&Method, Version, bool, &str),
    resp: Response,
) -> (bool, String) {
    let mut wq = WriteQueue::new();
    let (keep, head_len) = queue_response(&mut wq, method, version, resp, keep_alive, date, cache);
    let (mut a, mut b) = Unix::pair();
    let mut marks = vec![];
    wq.flush(&mut a, &mut marks).unwrap();
    drop(a);
    let mut out = String::new();
    b.read_to_string(&mut out).unwrap();
    assert_eq!(out.find("\r\n\r\n").map(|i| i + 4), Some(head_len));
    (keep, out)
}

/// Frames `resp` with an empty cache: the encoder's path.
fn wire(method: Method, version: Version, resp: Response) -> (bool, String) {
    wire_via(
        &mut HeadCache::default(),
        (&method, version, true, DATE),
        resp,
    )
}

#[test]
fn framing_table() {
    use Method::{Get, Head};
    use Version::{Http10, Http11};
    let text = || Response::text(StatusCode::OK, "hi");
    let stream = || Response::new(StatusCode::OK).stream(vec![Ok(b"ab".to_vec())].into_iter());
    let cases: Vec<(&str, Method, Version, Response, bool, &str)> = vec![
        ("bytes", Get, Http11, text(), true,
         "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: DATE\r\nContent-Length: 2\r\n\r\nhi"),
        ("HEAD keeps the length, drops the body", Head, Http11, text(), true,
         "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: DATE\r\nContent-Length: 2\r\n\r\n"),
        ("HEAD with the handler's length", Head, Http11,
         Response::new(StatusCode::OK).header("Content-Length", "1234"), true,
         "HTTP/1.1 200 OK\r\nDate: DATE\r\nContent-Length: 1234\r\n\r\n"),
        ("GET ignores the handler's length", Get, Http11,
         Response::new(StatusCode::OK).header("Content-Length", "1234"), true,
         "HTTP/1.1 200 OK\r\nDate: DATE\r\nContent-Length: 0\r\n\r\n"),
        ("stream chunked to 1.1", Get, Http11, stream(), true,
         "HTTP/1.1 200 OK\r\nDate: DATE\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"),
        ("stream close-delimited to 1.0", Get, Http10, stream(), false,
         "HTTP/1.1 200 OK\r\nDate: DATE\r\nConnection: close\r\n\r\nab"),
        ("1.0 keep-alive is announced", Get, Http10, text(), true,
         "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: DATE\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nhi"),
        ("204 has no framing", Get, Http11, Response::text(StatusCode::NO_CONTENT, "x"), true,
         "HTTP/1.1 204 No Content\r\nContent-Type: text/plain; charset=utf-8\r\nDate: DATE\r\n\r\n"),
        ("handler's close is honoured", Get, Http11,
         Response::new(StatusCode::OK).header("Connection", "close").header("Date", "then"), false,
         "HTTP/1.1 200 OK\r\nDate: then\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
        ("framing fields are the server's, in any case", Get, Http11,
         Response::new(StatusCode::OK).header("transfer-encoding", "chunked").header("X-A", "1")
             .header("CONNECTION", "keep-alive, Close").header("date", "d").bytes("ab"), false,
         "HTTP/1.1 200 OK\r\nX-A: 1\r\ndate: d\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab"),
        ("a handler's field cannot split the head", Get, Http11,
         Response::new(StatusCode::OK).header("X-Evil", "a\r\nSet-Cookie: x\0").header("Bad Name", "v"), true,
         "HTTP/1.1 200 OK\r\nX-Evil: a  Set-Cookie: x \r\nDate: DATE\r\nContent-Length: 0\r\n\r\n"),
    ];
    for (what, method, version, resp, keep, want) in cases {
        let (k, got) = wire(method, version, resp);
        assert_eq!(got, want.replace("DATE", DATE), "{what}");
        assert_eq!(k, keep, "{what}");
    }
}

/// A static body goes out exactly as the same bytes in a `Vec` do:
/// small (copied behind the head) and large (its own item), to GET
/// and to HEAD.
#[test]
fn a_static_body_is_framed_as_bytes_are() {
    static LARGE: [u8; 40_000] = [b'x'; 40_000];
    for (method, body) in [
        (Method::Get, &b"Hello, World!"[..]),
        (Method::Head, &b"Hello, World!"[..]),
        (Method::Get, &LARGE[..]),
    ] {
        let ok = || Response::new(StatusCode::OK).header("Content-Type", "text/plain");
        let want = wire(method.clone(), Version::Http11, ok().bytes(body));
        let got = wire(method.clone(), Version::Http11, ok().static_bytes(body));
        assert_eq!(got, want, "{method:?} {}", body.len());
    }
}

/// Pipelined responses are written into the queue's tail chunk, in
/// order, and leave in one write.
#[test]
fn pipelined_responses_share_one_chunk() {
    let mut wq = WriteQueue::new();
    let mut cache = HeadCache::default();
    for body in ["a", "b"] {
        let resp = Response::text(StatusCode::OK, body);
        queue_response(
            &mut wq,
            &Method::Get,
            Version::Http11,
            resp,
            true,
            DATE,
            &mut cache,
        );
    }
    let (mut a, mut b) = Unix::pair();
    wq.flush(&mut a, &mut vec![]).unwrap();
    drop(a);
    let mut out = String::new();
    b.read_to_string(&mut out).unwrap();
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: {DATE}\r\nContent-Length: 1\r\n\r\n"
    );
    assert_eq!(out, format!("{head}a{head}b"));
}

#[test]
fn error_answers_close() {
    let mut wq = WriteQueue::new();
    queue_error(&mut wq, StatusCode::URI_TOO_LONG, DATE);
    let (mut a, mut b) = Unix::pair();
    wq.flush(&mut a, &mut vec![]).unwrap();
    drop(a);
    let mut out = String::new();
    b.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 414 URI Too Long\r\n"));
    assert!(out.ends_with("Connection: close\r\n\r\n414 URI Too Long\n"));
}

const DATE2: &str = "Thu, 01 Jan 2026 00:00:01 GMT";

fn ok() -> Response {
    Response::new(StatusCode::OK)
}

/// Responses whose heads the cache must tell apart, or may not.
fn alike_or_not() -> Vec<fn() -> Response> {
    vec![
        ok,
        || {
            ok().header("Content-Type", "text/plain")
                .static_bytes(b"Hello, World!")
        },
        // The same head, another length.
        || {
            ok().header("Content-Type", "text/plain")
                .static_bytes(b"Hi")
        },
        || {
            ok().header("Content-Type", "text/html")
                .static_bytes(b"Hello, World!")
        },
        || ok().header("content-type", "text/plain"),
        // The same bytes of names and values, split otherwise.
        || ok().header("X-Ab", "c"),
        || ok().header("X-A", "bc"),
        || ok().header("X-A", "1").header("X-B", "2"),
        || ok().header("X-B", "2").header("X-A", "1"),
        // Sanitised by the encoder, and what that encodes to.
        || {
            ok().header("X-Evil", "a\r\nSet-Cookie: x\0")
                .header("Bad Name", "v")
        },
        || ok().header("X-Evil", "a  Set-Cookie: x "),
        || ok().header("Connection", "close"),
        || ok().header("Connection", "keep-alive"),
        || {
            ok().header("CONNECTION", "keep-alive, Close")
                .header("X-A", "1")
        },
        || ok().header("Date", "then"),
        || ok().header("date", "then").header("Connection", "close"),
        || ok().header("Content-Length", "1234"),
        || ok().header("Transfer-Encoding", "chunked").bytes("ab"),
        || Response::text(StatusCode::NO_CONTENT, "x"),
        || Response::text(StatusCode::NOT_MODIFIED, "x"),
        || Response::text(StatusCode::NOT_FOUND, "x"),
        || Response::text(StatusCode::new(599).unwrap(), "x"),
        || ok().stream(vec![Ok(b"ab".to_vec())].into_iter()),
        || ok().header("X-Big", "y".repeat(2000)),
    ]
}

/// A head copied from the cache is the head the encoder writes: a long
/// walk through responses, methods, versions, keep-alive decisions and
/// dates, each step changing one of them or none (a repeat, the case the
/// cache is for), framed through one cache and through an empty one.
#[test]
fn cached_heads_are_the_encoded_ones() {
    let cases = alike_or_not();
    let methods = [Method::Get, Method::Head];
    let versions = [Version::Http11, Version::Http10];
    let dates = [DATE, DATE2];
    let mut cache = HeadCache::default();
    // (case, method, version, keep-alive, date) as indices.
    let mut at = [0usize; 5];
    let sizes = [cases.len(), 2, 2, 2, 2];
    let mut seed: u64 = 12;
    for step in 0..4000 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let which = (seed >> 33) as usize % 8;
        if let Some(size) = sizes.get(which) {
            at[which] = (seed >> 40) as usize % size;
        }
        let what = (&methods[at[1]], versions[at[2]], at[3] == 0, dates[at[4]]);
        let want = wire_via(&mut HeadCache::default(), what, cases[at[0]]());
        let got = wire_via(&mut cache, what, cases[at[0]]());
        assert_eq!(got, want, "step {step}: {at:?}");
    }
}

/// What `cache` holds for a 200 with `headers` and `date` (looked up in a
/// copy: a lookup counts as a hit or a miss).
fn kept(cache: &HeadCache, status: StatusCode, headers: &Headers, date: &str) -> &'static str {
    let tail = Tail {
        framing: Framing::Length(0),
        keep_alive: true,
        version: Version::Http11,
    };
    let head = Head { status, date, tail };
    match cache.clone().get(&head, headers) {
        Some(hit) if hit.whole => "whole",
        Some(_) => "start",
        None => "nothing",
    }
}

fn get(date: &str) -> (&Method, Version, bool, &str) {
    (&Method::Get, Version::Http11, true, date)
}

/// A head is kept for the next one alike, until the second changes.
#[test]
fn a_kept_head_ends_with_its_second() {
    let hello = || ok().header("Content-Type", "text/plain");
    let mut cache = HeadCache::default();
    wire_via(&mut cache, get(DATE), hello());
    assert_eq!(
        kept(&cache, StatusCode::OK, hello().headers(), DATE),
        "whole"
    );
    assert_eq!(
        kept(&cache, StatusCode::OK, hello().headers(), DATE2),
        "nothing"
    );
    assert_eq!(
        kept(&cache, StatusCode::NOT_FOUND, hello().headers(), DATE),
        "nothing"
    );
    assert_eq!(
        kept(&cache, StatusCode::OK, ok().headers(), DATE),
        "nothing"
    );
    let (_, out) = wire_via(&mut cache, get(DATE2), hello().bytes("x"));
    assert!(out.contains(&format!("\r\nDate: {DATE2}\r\n")), "{out}");
    assert_eq!(
        kept(&cache, StatusCode::OK, hello().headers(), DATE),
        "nothing"
    );
    // The start is kept, not the tail (another length).
    assert_eq!(
        kept(&cache, StatusCode::OK, hello().headers(), DATE2),
        "start"
    );
}

/// Misses in a row make the cache rest, and then it keeps heads again.
#[test]
fn misses_in_a_row_rest_the_cache() {
    let mut cache = HeadCache::default();
    for n in 0..head_cache::MISSES_BEFORE_REST {
        wire_via(&mut cache, get(DATE), ok().header("X-N", n.to_string()));
    }
    let hello = || ok().header("Content-Type", "text/plain");
    for _ in 1..head_cache::REST {
        wire_via(&mut cache, get(DATE), hello());
        assert_eq!(
            kept(&cache, StatusCode::OK, hello().headers(), DATE),
            "nothing"
        );
    }
    wire_via(&mut cache, get(DATE), hello());
    assert_eq!(
        kept(&cache, StatusCode::OK, hello().headers(), DATE),
        "whole"
    );
}
