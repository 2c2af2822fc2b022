//! A pooled connection that the server closed while idle fails the
//! nonblocking read probe and is never used: the request goes on a new
//! connection without any error or replay.
mod common;
use common::*;

use std::net::TcpListener;
use std::time::Duration;

#[test]
fn closed_idle_connection_is_discarded_before_use() {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for body in ["one", "two"] {
            let (mut s, _) = l.accept().expect("accept");
            read_request_head(&mut s);
            let resp = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            write_quiet(&mut s, resp.as_bytes());
            // Close while the client holds it idle (keep-alive was promised).
        }
    });
    let notes = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let n2 = std::sync::Arc::clone(&notes);
    let client = brisk_client::Client::builder()
        .timeout(Duration::from_secs(5))
        .trace(move |t| {
            if let brisk_client::Trace::Note(n) = t {
                n2.lock().expect("lock").push(n.to_string());
            }
        })
        .build();
    let url = format!("http://127.0.0.1:{port}/");
    assert_eq!(
        client
            .get(&url)
            .send()
            .expect("one")
            .text(10)
            .expect("body"),
        "one"
    );
    assert_eq!(client.idle_connections(), 1);
    std::thread::sleep(Duration::from_millis(100));
    let r = client.get(&url).send().expect("two");
    assert!(!r.reused_connection());
    assert_eq!(r.text(10).expect("body"), "two");
    let notes = notes.lock().expect("lock");
    assert!(
        !notes.iter().any(|n| n.contains("retrying")),
        "no replay needed: {notes:?}"
    );
}
