//! A client that disconnects mid-body: the streaming handler's read fails
//! (never a hang, never a panic), and the server serves on.
mod common;
use brisk_server::{streaming, Request, Response, StatusCode};
use common::*;
use std::io::{Read, Write};
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::Duration;

#[test]
fn the_handler_read_fails_and_the_server_serves_on() {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let handler = move |req: &Request| {
        let mut body = Vec::new();
        let got = req
            .body_reader()
            .read_to_end(&mut body)
            .map_err(|e| e.kind());
        let _ = tx.lock().unwrap().send(got);
        Response::text(StatusCode::OK, format!("{}", body.len()))
    };
    let server = serve(|s| s.handler_threads(1), streaming(handler));
    let mut s = connect(server.addr);
    s.write_all(b"PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n")
        .unwrap();
    s.write_all(&[b'a'; 5000]).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    drop(s);
    let got = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    let kind = got.expect_err("a truncated body must not read as complete");
    assert!(
        matches!(
            kind,
            std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionAborted
        ),
        "{kind:?}"
    );
    // The next client is served.
    let (resp, _) = exchange(
        server.addr,
        b"PUT /y HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc",
    );
    assert_eq!(resp.text(), "3");
}
