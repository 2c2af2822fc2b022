//! A client that stops mid-body: after the body timeout the streaming
//! handler's read fails with `TimedOut`, and the connection is closed.
mod common;
use brisk_server::{streaming, Request, Response, StatusCode};
use common::*;
use std::io::{Read, Write};
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[test]
fn the_handler_read_returns_timed_out() {
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let handler = move |req: &Request| {
        let mut body = Vec::new();
        let got = req
            .body_reader()
            .read_to_end(&mut body)
            .map_err(|e| e.kind());
        let _ = tx.lock().unwrap().send((got, body.len()));
        Response::text(StatusCode::OK, "done\n")
    };
    let server = serve(
        |s| {
            s.handler_threads(1)
                .body_timeout(Duration::from_millis(300))
        },
        streaming(handler),
    );
    let mut s = connect(server.addr);
    let started = Instant::now();
    s.write_all(b"PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nfirst ten.")
        .unwrap();
    let (got, n) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(got, Err(std::io::ErrorKind::TimedOut));
    assert_eq!(n, 10);
    assert!(started.elapsed() >= Duration::from_millis(250));
    assert!(closed_by_peer(&mut s), "the connection stays open");
}
