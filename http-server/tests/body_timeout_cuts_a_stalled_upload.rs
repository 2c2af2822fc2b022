//! A request body that stops arriving is cut at the body timeout (between
//! reads), while a slow but steady body is accepted.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Write};
use std::time::{Duration, Instant};

fn server() -> TestServer {
    serve(
        |s| s.body_timeout(Duration::from_millis(500)),
        |req: &Request| Response::text(StatusCode::OK, format!("{}", req.body().len())),
    )
}

#[test]
fn stalled_body_is_cut() {
    let server = server();
    let mut s = connect(server.addr);
    s.write_all(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly some")
        .unwrap();
    let started = Instant::now();
    assert!(closed_by_peer(&mut s));
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(450) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
}

#[test]
fn steady_slow_body_is_accepted() {
    let server = server();
    let mut s = connect(server.addr);
    s.write_all(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n")
        .unwrap();
    // 10 bytes over ~1.5 s: longer than the timeout, but never idle 500 ms.
    for _ in 0..10 {
        std::thread::sleep(Duration::from_millis(150));
        s.write_all(b"x").unwrap();
    }
    let resp = read_response(&mut BufReader::new(s), false);
    assert_eq!(resp.text(), "10");
}
