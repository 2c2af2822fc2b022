//! A streaming handler that answers without reading the body: a small
//! rest is discarded and the connection kept, the next pipelined request
//! parsed from the right byte; a large or chunked rest closes the
//! connection after the answer.
mod common;
use brisk_server::{streaming, Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Write};

fn early(req: &Request) -> Response {
    Response::text(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("no {}\n", req.path()),
    )
}

#[test]
fn a_small_rest_is_discarded_and_the_next_request_is_parsed() {
    let server = serve(|s| s.handler_threads(1), streaming(early));
    let mut s = connect(server.addr);
    // The body looks like a request: it must never be parsed as one.
    let fake = "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n".repeat(200);
    let raw = format!(
        "PUT /first HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n{fake}GET /second HTTP/1.1\r\nHost: t\r\n\r\n",
        fake.len()
    );
    s.write_all(raw.as_bytes()).unwrap();
    let mut r = BufReader::new(s);
    let first = read_response(&mut r, false);
    assert_eq!(first.status, 413);
    assert_eq!(first.text(), "no /first\n");
    assert_ne!(first.header("Connection"), Some("close"));
    let second = read_response(&mut r, false);
    assert_eq!(second.text(), "no /second\n");
}

#[test]
fn a_large_rest_closes_after_the_answer() {
    let server = serve(|s| s.handler_threads(1), streaming(early));
    let mut s = connect(server.addr);
    s.write_all(b"PUT /big HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\nsome")
        .unwrap();
    let mut r = BufReader::new(s);
    let resp = read_response(&mut r, false);
    assert_eq!(resp.status, 413);
    assert_eq!(resp.header("Connection"), Some("close"));
    assert!(closed_by_peer(&mut r));
}

#[test]
fn a_chunked_rest_closes_after_the_answer() {
    let server = serve(|s| s.handler_threads(1), streaming(early));
    let mut s = connect(server.addr);
    s.write_all(b"PUT /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        .unwrap();
    let mut r = BufReader::new(s);
    let resp = read_response(&mut r, false);
    assert_eq!(resp.status, 413);
    assert_eq!(resp.header("Connection"), Some("close"));
    assert!(closed_by_peer(&mut r));
}
