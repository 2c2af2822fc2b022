//! An idle keep-alive connection is closed after the keep-alive timeout,
//! with a FIN (not a reset), and its answered request is intact.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

#[test]
fn idle_connection_closes_after_keep_alive_timeout() {
    let server = serve(
        |s| s.keep_alive_timeout(Duration::from_millis(400)),
        |_r: &Request| Response::text(StatusCode::OK, "fine"),
    );
    let mut s = connect(server.addr);
    s.write_all(&get("/")).unwrap();
    let mut r = std::io::BufReader::new(s.try_clone().unwrap());
    let resp = read_response(&mut r, false);
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("connection"), None);
    let idle_since = Instant::now();
    let mut buf = [0u8; 16];
    let n = s.read(&mut buf).expect("a clean EOF, not a reset");
    assert_eq!(n, 0);
    let idle = idle_since.elapsed();
    assert!(
        idle >= Duration::from_millis(350) && idle < Duration::from_secs(2),
        "{idle:?}"
    );
}

#[test]
fn activity_keeps_the_connection_open() {
    let server = serve(
        |s| s.keep_alive_timeout(Duration::from_millis(400)),
        |_r: &Request| Response::text(StatusCode::OK, "fine"),
    );
    let s = connect(server.addr);
    let mut w = s.try_clone().unwrap();
    let mut r = std::io::BufReader::new(s);
    for _ in 0..6 {
        w.write_all(&get("/")).unwrap();
        assert_eq!(read_response(&mut r, false).status, 200);
        std::thread::sleep(Duration::from_millis(200));
    }
}
