//! --retry repeats transient failures (a 503, a timeout) after curl's 1 s
//! wait; as in curl, every attempt's response is written.
mod common;
use common::*;

use std::net::TcpListener;
use std::time::{Duration, Instant};

#[test]
fn retry_after_503_then_success() {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let answers: [&[u8]; 2] = [
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbusy\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nfinal\n",
        ];
        for a in answers {
            let (mut s, _) = l.accept().expect("accept");
            read_request_head(&mut s);
            write_quiet(&mut s, a);
        }
    });
    let t0 = Instant::now();
    let out = fetch(&["--retry", "2", &format!("http://127.0.0.1:{port}/")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"busy\nfinal\n");
    assert!(
        stderr(&out).contains("Will retry in 1 seconds. 2 retries left."),
        "{}",
        stderr(&out)
    );
    assert!(t0.elapsed() >= Duration::from_millis(900));
}

#[test]
fn retry_after_a_timeout() {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        // First connection: read the request, never answer (held open).
        let (mut first, _) = l.accept().expect("accept 1");
        read_request_head(&mut first);
        let (mut s, _) = l.accept().expect("accept 2");
        read_request_head(&mut s);
        write_quiet(
            &mut s,
            b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nlater\n",
        );
        drop(first);
    });
    let t0 = Instant::now();
    let out = fetch(&[
        "--retry",
        "1",
        "-m",
        "0.5",
        &format!("http://127.0.0.1:{port}/"),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"later\n");
    assert!(
        stderr(&out).contains("Problem : timeout. Will retry in 1 seconds. 1 retries left."),
        "{}",
        stderr(&out)
    );
    assert!(
        t0.elapsed() >= Duration::from_millis(1400),
        "{:?}",
        t0.elapsed()
    );
}
