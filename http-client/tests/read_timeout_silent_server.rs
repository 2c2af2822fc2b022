//! A server that accepts and reads but never answers: the idle timeout and
//! -m both end the wait.
mod common;
use common::*;

use std::net::TcpListener;
use std::time::{Duration, Instant};

fn silent_server() -> (u16, std::thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let h = std::thread::spawn(move || {
        let mut held = Vec::new();
        l.set_nonblocking(true).expect("nonblocking");
        let t0 = Instant::now();
        // Accept for a bounded time, hold every connection open, say nothing.
        while t0.elapsed() < Duration::from_secs(8) {
            if let Ok((mut s, _)) = l.accept() {
                let _ = s.set_nonblocking(false);
                let _ = read_request_head(&mut s);
                held.push(s);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    (port, h)
}

#[test]
fn idle_read_times_out_in_receive_head() {
    let (port, _h) = silent_server();
    let client = brisk_client::Client::builder()
        .idle_timeout(Duration::from_millis(300))
        .build();
    let t0 = Instant::now();
    match client.get(&format!("http://127.0.0.1:{port}/")).send() {
        Err(brisk_client::Error::Timeout {
            phase: brisk_client::Phase::ReceiveHead,
        }) => {}
        other => panic!("want a receive-head timeout, got {other:?}"),
    }
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_secs(2),
        "{took:?}"
    );

    let t0 = Instant::now();
    let out = fetch(&["-sS", "-m", "1", &format!("http://127.0.0.1:{port}/")]);
    assert_eq!(code(&out), 28, "{}", stderr(&out));
    assert!(t0.elapsed() < Duration::from_secs(4));
}
