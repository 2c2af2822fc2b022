//! Chunked and small-write bodies stream the same way: curl `-T -`
//! (chunked from a pipe), and Python `http.client` sending a body in many
//! small writes, chunked and with a length; every byte arrives in order;
//! a chunked body's trailer fields are there once it has been read.
mod common;
use brisk_server::{streaming, Request, Response, StatusCode};
use common::*;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Answers the body's length and a position-sensitive checksum.
fn digest(req: &Request) -> Response {
    let mut r = req.body_reader();
    let mut buf = vec![0u8; 10_007];
    let (mut n, mut sum) = (0u64, 0u64);
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => {
                for &b in &buf[..k] {
                    sum = sum.wrapping_mul(31).wrapping_add(u64::from(b));
                }
                n += k as u64;
            }
            Err(e) => return Response::text(StatusCode::BAD_REQUEST, e.to_string()),
        }
    }
    let chunked = req.header("Transfer-Encoding").is_some();
    Response::text(StatusCode::OK, format!("{n} {sum} chunked={chunked}"))
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

fn expected(data: &[u8]) -> (u64, u64) {
    let sum = data
        .iter()
        .fold(0u64, |s, &b| s.wrapping_mul(31).wrapping_add(u64::from(b)));
    (data.len() as u64, sum)
}

#[test]
fn curl_t_dash_streams_a_chunked_body() {
    let server = serve(|s| s.handler_threads(1), streaming(digest));
    let data = pattern(5_000_000);
    let mut child = Command::new("curl")
        .args(["-sS", "--max-time", "20", "-T", "-"])
        .arg(format!("http://{}/c", server.addr))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| missing_peer("curl", e));
    let mut stdin = child.stdin.take().unwrap();
    let feed = data.clone();
    let writer = std::thread::spawn(move || {
        for piece in feed.chunks(100_000) {
            stdin.write_all(piece).unwrap();
            std::thread::sleep(Duration::from_millis(2));
        }
    });
    writer.join().unwrap();
    let out = child.wait_with_output().unwrap();
    let (n, sum) = expected(&data);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{n} {sum} chunked=true")
    );
}

const PYTHON: &str = r#"
import http.client, sys
port, chunked = int(sys.argv[1]), sys.argv[2] == "1"
data = bytes((i * 7 % 251) for i in range(1_000_000))
def pieces():
    for i in range(0, len(data), 1000):
        yield data[i:i + 1000]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
if chunked:
    c.request("PUT", "/p", body=pieces(), encode_chunked=True)
else:
    c.request("PUT", "/p", body=pieces(), headers={"Content-Length": str(len(data))})
r = c.getresponse()
print(r.status, r.read().decode())
"#;

#[test]
fn python_small_writes_stream_with_and_without_chunking() {
    let server = serve(|s| s.handler_threads(1), streaming(digest));
    let (n, sum) = expected(&pattern(1_000_000));
    for chunked in ["1", "0"] {
        let (ok, out, err) = run_bounded(
            Command::new("python3").args(["-c", PYTHON, &server.addr.port().to_string(), chunked]),
            Duration::from_secs(20),
        );
        assert!(ok, "{err}");
        let flag = if chunked == "1" { "true" } else { "false" };
        assert_eq!(out.trim(), format!("200 {n} {sum} chunked={flag}"));
    }
}

#[test]
fn trailers_are_available_after_the_end() {
    let handler = |req: &Request| {
        let mut body = Vec::new();
        if let Err(e) = req.body_reader().read_to_end(&mut body) {
            return Response::text(StatusCode::BAD_REQUEST, e.to_string());
        }
        let t = req.trailers().unwrap_or_default();
        let sum = t.get_str("X-Checksum").unwrap_or("-").to_string();
        Response::text(
            StatusCode::OK,
            format!("{} sum={sum}", String::from_utf8_lossy(&body)),
        )
    };
    let server = serve(|s| s.handler_threads(1), streaming(handler));
    let (resp, _) = exchange(
        server.addr,
        b"PUT /t HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
          5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 42\r\n\r\n",
    );
    assert_eq!(resp.text(), "hello world sum=42");
}
