//! `Expect: 100-continue`: `100 Continue` before the body is read, or the
//! final status instead when the body would be refused.
mod common;
use brisk_server::{Handler, Request, Response, StatusCode};
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};

fn body_len(req: &Request) -> Response {
    Response::text(StatusCode::OK, format!("got {}", req.body().len()))
}

#[test]
fn curl_gets_100_continue_for_a_large_post() {
    // curl 7.88 asks for 100-continue on bodies over 1 MiB.
    let server = serve(|s| s.max_body_bytes(4 << 20), body_len);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body");
    std::fs::write(&file, vec![b'x'; 2_000_000]).unwrap();
    let started = Instant::now();
    let (ok, out, err) = run_bounded(
        Command::new("curl").args([
            "-sv",
            "--max-time",
            "10",
            "--data-binary",
            &format!("@{}", file.display()),
            &format!("http://{}/up", server.addr),
        ]),
        Duration::from_secs(15),
    );
    assert!(ok, "{err}");
    assert!(err.contains("Expect: 100-continue"), "{err}");
    assert!(err.contains("HTTP/1.1 100 Continue"), "{err}");
    assert_eq!(out, "got 2000000");
    // curl waits 1 s for the 100 when none comes; ours comes at once.
    assert!(started.elapsed() < Duration::from_millis(900));
}

#[test]
fn an_oversized_body_gets_413_instead_of_100() {
    let server = serve(|s| s.max_body_bytes(1000), body_len);
    let mut s = connect(server.addr);
    s.write_all(
        b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n",
    )
    .unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 413"), "{line}");
}

#[test]
fn raw_client_sees_100_then_final_answer() {
    let server = serve(|s| s, body_len);
    let mut s = connect(server.addr);
    s.write_all(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        .unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "HTTP/1.1 100 Continue\r\n");
    line.clear();
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "\r\n");
    s.write_all(b"abcd").unwrap();
    let resp = read_response(&mut r, false);
    assert_eq!(resp.text(), "got 4");
}

/// Refuses `/closed` from the head (`Handler::refuse_early`); reads
/// every other body.
struct Guarded;

impl Handler for Guarded {
    fn call(&self, req: &Request) -> Response {
        body_len(req)
    }

    fn refuse_early(&self, req: &Request) -> Option<Response> {
        (req.path() == "/closed").then(|| Response::text(StatusCode::FORBIDDEN, "closed\n"))
    }
}

#[test]
fn a_refusal_from_the_head_comes_instead_of_100() {
    let server = serve(|s| s, Guarded);
    let mut s = connect(server.addr);
    s.write_all(
        b"PUT /closed HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n",
    )
    .unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    // The final answer, with no 100 before it, and the connection closes.
    let resp = read_response(&mut r, false);
    assert_eq!(resp.status, 403);
    assert_eq!(resp.text(), "closed\n");
    assert_eq!(resp.header("connection"), Some("close"));
    let mut rest = Vec::new();
    r.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "{rest:?}");

    // Another path of the same handler: 100, then the body is read.
    let mut s = connect(server.addr);
    s.write_all(
        b"PUT /open HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n",
    )
    .unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "HTTP/1.1 100 Continue\r\n");
    line.clear();
    r.read_line(&mut line).unwrap();
    s.write_all(b"abcd").unwrap();
    assert_eq!(read_response(&mut r, false).text(), "got 4");
}

#[test]
fn without_expect_the_handler_reads_the_body_and_answers() {
    // No client waits: the body is on its way anyway, so the handler's
    // call answers after reading it, on a connection that stays open.
    let server = serve(|s| s, Guarded);
    let mut s = connect(server.addr);
    s.write_all(b"PUT /closed HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd")
        .unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let resp = read_response(&mut r, false);
    assert_eq!(resp.text(), "got 4");
    assert_ne!(resp.header("connection"), Some("close"));
}
