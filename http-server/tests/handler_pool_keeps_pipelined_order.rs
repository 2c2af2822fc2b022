//! With blocking handlers on the pool, pipelined answers keep request
//! order, and a slow handler does not block other connections.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Write};
use std::time::{Duration, Instant};

fn sleepy(req: &Request) -> Response {
    let ms: u64 = req.path().trim_start_matches('/').parse().unwrap_or(0);
    std::thread::sleep(Duration::from_millis(ms));
    Response::text(StatusCode::OK, req.path().to_owned())
}

#[test]
fn pipelined_answers_leave_in_order() {
    let server = serve(|s| s.handler_threads(4), sleepy);
    let mut s = connect(server.addr);
    let paths = ["/300", "/0", "/100", "/0", "/50"];
    let mut raw = vec![];
    for p in paths {
        raw.extend(get(p));
    }
    s.write_all(&raw).unwrap();
    let mut r = BufReader::new(s);
    for p in paths {
        assert_eq!(read_response(&mut r, false).text(), p);
    }
}

#[test]
fn a_slow_handler_does_not_block_the_loop() {
    let server = serve(|s| s.handler_threads(4), sleepy);
    let mut slow = connect(server.addr);
    slow.write_all(&get("/2500")).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let started = Instant::now();
    let (resp, _) = exchange(server.addr, &get("/0"));
    assert_eq!(resp.text(), "/0");
    assert!(started.elapsed() < Duration::from_millis(1000));
    let resp = read_response(&mut BufReader::new(slow), false);
    assert_eq!(resp.text(), "/2500");
}
