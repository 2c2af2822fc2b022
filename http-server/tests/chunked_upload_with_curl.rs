//! A chunked request body (curl `-T -` from a pipe) arrives de-chunked.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn curl_upload_from_stdin_is_chunked_and_arrives_whole() {
    let server = serve(
        |s| s,
        |req: &Request| {
            let sum: u64 = req.body().iter().map(|&b| b as u64).sum();
            Response::text(
                StatusCode::OK,
                format!(
                    "{} {} {} {}",
                    req.method(),
                    req.header("transfer-encoding").unwrap_or("-"),
                    req.body().len(),
                    sum
                ),
            )
        },
    );
    let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let want_sum: u64 = body.iter().map(|&b| b as u64).sum();
    let mut child = Command::new("curl")
        .args([
            "-s",
            "--max-time",
            "10",
            "-T",
            "-",
            &format!("http://{}/up", server.addr),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| missing_peer("curl", e));
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for piece in body.chunks(7000) {
            stdin.write_all(piece).unwrap();
        }
    });
    let deadline = Instant::now() + Duration::from_secs(15);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "curl hung");
        std::thread::sleep(Duration::from_millis(10));
    }
    writer.join().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("PUT chunked 300000 {want_sum}")
    );
}

#[test]
fn raw_chunked_body_with_extensions_and_trailers() {
    let server = serve(
        |s| s,
        |req: &Request| Response::new(StatusCode::OK).bytes(req.body().to_vec()),
    );
    let (resp, _) = exchange(
        server.addr,
        b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: y\r\n\r\n",
    );
    assert_eq!(resp.text(), "hello world");
}
