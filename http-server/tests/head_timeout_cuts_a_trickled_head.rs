//! A head trickled slowly is cut at its deadline, counted from its first
//! byte (not reset by each new byte), with no response (like nginx).
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

#[test]
fn trickled_head_is_cut_at_the_head_deadline() {
    let server = serve(
        |s| s.head_timeout(Duration::from_millis(600)),
        |_r: &Request| Response::text(StatusCode::OK, "fine"),
    );
    let mut s = connect(server.addr);
    let started = Instant::now();
    let mut cut = None;
    // One byte every 100 ms: each byte is "progress", the head never ends.
    for b in b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".iter() {
        if s.write_all(&[*b]).is_err() {
            cut = Some(started.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        let mut probe = [0u8; 1];
        s.set_nonblocking(true).unwrap();
        let r = s.read(&mut probe);
        s.set_nonblocking(false).unwrap();
        match r {
            Ok(0) => {
                cut = Some(started.elapsed());
                break;
            }
            Ok(_) => panic!("got a response to a trickled head"),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => {
                cut = Some(started.elapsed());
                break;
            }
        }
    }
    let cut = cut.expect("the trickled head was never cut");
    assert!(cut >= Duration::from_millis(550), "cut too early: {cut:?}");
    assert!(cut < Duration::from_millis(2000), "cut too late: {cut:?}");
}

#[test]
fn a_silent_new_connection_is_cut_at_the_head_deadline() {
    let server = serve(
        |s| s.head_timeout(Duration::from_millis(300)),
        |_r: &Request| Response::text(StatusCode::OK, "fine"),
    );
    let mut s = connect(server.addr);
    let started = Instant::now();
    assert!(closed_by_peer(&mut s));
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
}
