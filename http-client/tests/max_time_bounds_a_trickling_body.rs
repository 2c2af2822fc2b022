//! A body that trickles a byte at a time (each read well within the idle
//! timeout) is still bounded by the total deadline (-m): exit 28, and the
//! bytes that did arrive are written.
mod common;
use common::*;

use std::net::TcpListener;
use std::time::{Duration, Instant};

#[test]
fn total_deadline_cuts_a_slow_body_and_keeps_what_arrived() {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let Ok((mut s, _)) = l.accept() else { return };
        read_request_head(&mut s);
        write_quiet(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
        // One byte every 50 ms for at most 5 s.
        for _ in 0..100 {
            if std::io::Write::write_all(&mut s, b"z").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let t0 = Instant::now();
    let out = fetch(&["-sS", "-m", "1", &format!("http://127.0.0.1:{port}/")]);
    let took = t0.elapsed();
    assert_eq!(code(&out), 28, "{}", stderr(&out));
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(
        out.stdout.len() >= 5 && out.stdout.iter().all(|b| *b == b'z'),
        "{:?}",
        out.stdout
    );
    assert!(
        stderr(&out).contains("receiving the response body"),
        "{}",
        stderr(&out)
    );
}
