//! A pooled connection that dies after the probe, before any response byte
//! (the server read the request and closed): a GET is replayed once on a
//! fresh connection, transparently.
mod common;
use common::*;

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn get_on_a_dying_pooled_connection_is_retried() {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let acc = Arc::clone(&accepted);
    std::thread::spawn(move || {
        // Connection 1: one answer, then read the next request and close.
        let (mut s, _) = l.accept().expect("accept 1");
        acc.fetch_add(1, Ordering::SeqCst);
        read_request_head(&mut s);
        write_quiet(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        read_request_head(&mut s);
        drop(s);
        // Connection 2: the replay.
        let (mut s, _) = l.accept().expect("accept 2");
        acc.fetch_add(1, Ordering::SeqCst);
        read_request_head(&mut s);
        write_quiet(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh");
        std::thread::sleep(Duration::from_millis(200));
    });
    let client = brisk_client::Client::builder()
        .timeout(Duration::from_secs(5))
        .build();
    let url = format!("http://127.0.0.1:{port}/");
    let r = client.get(&url).send().expect("first");
    assert_eq!(r.text(100).expect("body"), "ok");
    let r = client
        .get(&url)
        .send()
        .expect("the replay hides the dead connection");
    assert!(
        !r.reused_connection(),
        "the answer came on a fresh connection"
    );
    assert_eq!(r.text(100).expect("body"), "fresh");
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}
