//! Credentials from the URL go to the host they were given for, and not
//! to another host a redirect points at (127.0.0.2 is another host).
mod common;
use common::*;

use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn authorization_is_not_forwarded_to_another_host() {
    let other = match TcpListener::bind("127.0.0.2:0") {
        Ok(l) => l,
        Err(e) => panic!("this test needs 127.0.0.2 on loopback (Linux has it): {e}"),
    };
    let other_port = other.local_addr().expect("addr").port();
    let first = TcpListener::bind("127.0.0.1:0").expect("bind");
    let first_port = first.local_addr().expect("addr").port();
    let (tx, rx) = mpsc::channel::<(String, String)>();
    let tx2 = tx.clone();
    std::thread::spawn(move || {
        let (mut s, _) = first.accept().expect("accept");
        let head = String::from_utf8_lossy(&read_request_head(&mut s)).into_owned();
        let _ = tx.send(("first".into(), head));
        let resp = format!(
            "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.2:{other_port}/next\r\nContent-Length: 0\r\n\r\n"
        );
        write_quiet(&mut s, resp.as_bytes());
        std::thread::sleep(Duration::from_millis(300));
    });
    std::thread::spawn(move || {
        let (mut s, _) = other.accept().expect("accept");
        let head = String::from_utf8_lossy(&read_request_head(&mut s)).into_owned();
        let _ = tx2.send(("other".into(), head));
        write_quiet(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        std::thread::sleep(Duration::from_millis(300));
    });
    let url = format!("http://user:pass@127.0.0.1:{first_port}/start");
    let out = fetch(&["-sS", "-L", "-H", "Authorization: Bearer abc", &url]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"ok");
    let mut heads = std::collections::HashMap::new();
    for _ in 0..2 {
        let (who, head) = rx
            .recv_timeout(Duration::from_secs(5))
            .expect("request seen");
        heads.insert(who, head);
    }
    assert!(
        heads["first"].contains("Authorization: Bearer abc"),
        "{}",
        heads["first"]
    );
    assert!(
        !heads["other"]
            .to_ascii_lowercase()
            .contains("authorization"),
        "{}",
        heads["other"]
    );
}
