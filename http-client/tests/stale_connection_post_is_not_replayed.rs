//! The same dying pooled connection with a POST: not replayed (the server
//! may have acted on it), the caller gets the error.
mod common;
use common::*;

use std::net::TcpListener;
use std::time::Duration;

#[test]
fn post_on_a_dying_pooled_connection_fails() {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut s, _) = l.accept().expect("accept 1");
        read_request_head(&mut s);
        write_quiet(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        read_request_head(&mut s);
        drop(s);
        // Any second connection would be a replay.
        l.set_nonblocking(true).expect("nonblocking");
        std::thread::sleep(Duration::from_millis(500));
        let _ = tx.send(l.accept().is_ok());
    });
    let client = brisk_client::Client::builder()
        .timeout(Duration::from_secs(5))
        .build();
    let url = format!("http://127.0.0.1:{port}/");
    let r = client.get(&url).send().expect("first");
    assert_eq!(r.text(100).expect("body"), "ok");
    match client.post(&url).body_bytes("a=1").send() {
        Err(brisk_client::Error::EmptyReply) | Err(brisk_client::Error::Io { .. }) => {}
        other => panic!("want the failure surfaced, got {other:?}"),
    }
    let replayed = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("server report");
    assert!(!replayed, "a POST must not be sent twice");
}
