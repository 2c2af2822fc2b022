//! A body over the limit gets 413 and a close, without the server
//! reading it all; both for Content-Length and for chunked bodies.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::Write;

fn server() -> TestServer {
    serve(
        |s| s.max_body_bytes(10_000),
        |req: &Request| Response::text(StatusCode::OK, format!("{}", req.body().len())),
    )
}

#[test]
fn content_length_over_the_limit() {
    let server = server();
    let (resp, mut r) = exchange(
        server.addr,
        b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10001\r\n\r\n",
    );
    assert_eq!(resp.status, 413);
    assert_eq!(resp.header("connection"), Some("close"));
    assert!(closed_by_peer(&mut r));
}

#[test]
fn chunked_body_growing_over_the_limit() {
    let server = server();
    let mut s = connect(server.addr);
    s.write_all(b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        .unwrap();
    let chunk = format!("1000\r\n{}\r\n", "x".repeat(0x1000));
    for _ in 0..3 {
        s.write_all(chunk.as_bytes()).unwrap();
    }
    let mut r = std::io::BufReader::new(s);
    let resp = read_response(&mut r, false);
    assert_eq!(resp.status, 413);
    assert!(closed_by_peer(&mut r));
}

#[test]
fn a_body_at_the_limit_is_accepted() {
    let server = server();
    let mut raw = b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10000\r\n\r\n".to_vec();
    raw.extend(vec![b'a'; 10_000]);
    let (resp, _) = exchange(server.addr, &raw);
    assert_eq!((resp.status, resp.text().as_str()), (200, "10000"));
}
