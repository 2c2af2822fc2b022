//! With a streamed body, `100 Continue` goes out only when the handler
//! starts reading: a handler that refuses at once never makes curl send
//! the body (curl counts 0 bytes uploaded), and a handler that reads late
//! sends the 100 late.
mod common;
use brisk_server::{streaming, Request, Response, StatusCode};
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};

/// Refuses `/refuse` without reading; reads other bodies after `/late`'s
/// pause.
fn handler(req: &Request) -> Response {
    if req.path() == "/refuse" {
        return Response::text(StatusCode::FORBIDDEN, "no\n");
    }
    if req.path() == "/late" {
        std::thread::sleep(Duration::from_millis(400));
    }
    let mut body = Vec::new();
    match req.body_reader().read_to_end(&mut body) {
        Ok(n) => Response::text(StatusCode::OK, format!("got {n}")),
        Err(e) => Response::text(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

fn curl_put(
    addr: std::net::SocketAddr,
    path: &str,
    file: &std::path::Path,
) -> (bool, String, String) {
    run_bounded(
        Command::new("curl").args([
            "-sv",
            "--max-time",
            "10",
            "-H",
            "Expect: 100-continue",
            "-T",
            &file.display().to_string(),
            "-w",
            "\nuploaded=%{size_upload}",
            &format!("http://{addr}{path}"),
        ]),
        Duration::from_secs(15),
    )
}

#[test]
fn a_refusing_handler_never_gets_the_body_sent() {
    let server = serve(|s| s.handler_threads(2), streaming(handler));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body");
    std::fs::write(&file, vec![b'x'; 4 << 20]).unwrap();
    let (ok, out, err) = curl_put(server.addr, "/refuse", &file);
    assert!(ok, "{err}");
    assert!(!err.contains("100 Continue"), "{err}");
    assert!(out.starts_with("no\n"), "{out}");
    assert!(out.ends_with("uploaded=0"), "{out}");
    // The same curl, a reading handler: 100, then the whole body.
    let (ok, out, err) = curl_put(server.addr, "/read", &file);
    assert!(ok, "{err}");
    assert!(err.contains("HTTP/1.1 100 Continue"), "{err}");
    assert!(out.starts_with(&format!("got {}", 4 << 20)), "{out}");
}

#[test]
fn the_100_waits_for_the_first_read() {
    let server = serve(|s| s.handler_threads(1), streaming(handler));
    let mut s = connect(server.addr);
    let started = Instant::now();
    s.write_all(
        b"PUT /late HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n",
    )
    .unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "HTTP/1.1 100 Continue\r\n");
    assert!(
        started.elapsed() >= Duration::from_millis(350),
        "100 came before the read"
    );
    line.clear();
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "\r\n");
    s.write_all(b"abcd").unwrap();
    assert_eq!(read_response(&mut r, false).text(), "got 4");
}
