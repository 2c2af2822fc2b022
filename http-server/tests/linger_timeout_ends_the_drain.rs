//! After its last response the server half-closes and drains the peer's
//! input, but not forever: a peer that neither closes nor stops sending is
//! dropped at the linger timeout.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Read, Write};
use std::time::{Duration, Instant};

#[test]
fn a_peer_that_keeps_sending_is_dropped_at_the_linger_timeout() {
    let server = serve(
        |s| s.linger_timeout(Duration::from_millis(400)),
        |_r: &Request| Response::text(StatusCode::OK, "bye").header("Connection", "close"),
    );
    let s = connect(server.addr);
    let mut w = s.try_clone().unwrap();
    w.write_all(&get("/")).unwrap();
    let mut r = BufReader::new(s);
    let resp = read_response(&mut r, false);
    assert_eq!(resp.header("connection"), Some("close"));
    // Our FIN arrived: reading gives EOF, yet the server still drains.
    let mut buf = [0u8; 16];
    assert_eq!(r.read(&mut buf).unwrap(), 0);
    let started = Instant::now();
    let mut cut = None;
    while started.elapsed() < Duration::from_secs(3) {
        if w.write_all(b"more bytes nobody asked for\r\n").is_err() {
            cut = Some(started.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let cut = cut.expect("the server drained forever");
    assert!(
        cut >= Duration::from_millis(300) && cut < Duration::from_secs(2),
        "{cut:?}"
    );
}
