//! A streaming handler that does not read holds the client back: the
//! server stops reading the socket once its bounded pipe is full, so the
//! client's writes stall (only kernel buffers and the pipe take bytes),
//! and everything arrives once the handler reads.
mod common;
use brisk_server::{streaming, Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, ErrorKind, Read, Write};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

const SIZE: usize = 64 << 20;

#[test]
fn a_handler_that_is_behind_stalls_the_upload() {
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let go_rx = Mutex::new(go_rx);
    let handler = move |req: &Request| {
        // Wait for the test's go before reading anything.
        let _ = go_rx.lock().unwrap().recv_timeout(Duration::from_secs(20));
        let mut n = 0usize;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            match req.body_reader().read(&mut buf) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) => return Response::text(StatusCode::BAD_REQUEST, e.to_string()),
            }
        }
        Response::text(StatusCode::OK, n.to_string())
    };
    let server = serve(|s| s.handler_threads(1), streaming(handler));
    let mut s = connect(server.addr);
    s.set_write_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let head = format!("PUT /big HTTP/1.1\r\nHost: t\r\nContent-Length: {SIZE}\r\n\r\n");
    s.write_all(head.as_bytes()).unwrap();
    let chunk = vec![7u8; 1 << 16];
    let mut sent = 0usize;
    while sent < SIZE {
        match s.write(&chunk[..chunk.len().min(SIZE - sent)]) {
            Ok(n) => sent += n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => break,
            Err(e) => panic!("write failed: {e}"),
        }
    }
    // Kernel buffers on loopback take a few MiB; the server at most its
    // pipe (256 KiB) and read buffer (64 KiB).
    assert!(sent < 24 << 20, "the client wrote {sent} bytes unhindered");
    go_tx.send(()).unwrap();
    s.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    let rest = vec![7u8; SIZE - sent];
    s.write_all(&rest).unwrap();
    let resp = read_response(&mut BufReader::new(s), false);
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text(), SIZE.to_string());
}
