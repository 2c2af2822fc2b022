//! An IPv6 literal URL connects to [::1] and sends `Host: [::1]:PORT`.
mod common;
use common::*;

use std::net::TcpListener;

#[test]
fn ipv6_literal_host_and_header() {
    let l = match TcpListener::bind("[::1]:0") {
        Ok(l) => l,
        Err(e) => panic!("this test needs IPv6 loopback [::1]: {e}"),
    };
    let port = l.local_addr().expect("addr").port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut s, _) = l.accept().expect("accept");
        let head = String::from_utf8_lossy(&read_request_head(&mut s)).into_owned();
        let _ = tx.send(head);
        write_quiet(
            &mut s,
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nsix",
        );
    });
    let out = fetch(&[
        "-sS",
        "-w",
        " %{remote_ip}",
        &format!("http://[::1]:{port}/v6"),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "six ::1");
    let head = rx
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("request");
    assert!(head.starts_with("GET /v6 HTTP/1.1\r\n"), "{head}");
    assert!(
        head.contains(&format!("\r\nHost: [::1]:{port}\r\n")),
        "{head}"
    );
}
