//! `--max-upload`: a larger `Content-Length` gets 413 before any body
//! byte is sent (curl waits for `100 Continue`, which never comes); a
//! chunked body gets 413 once it grows past the limit, or from its head
//! when it announces its size in `X-Expected-Entity-Length` (Finder);
//! none leaves a file behind.
mod common;
use common::*;
use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn over_the_limit_by_length_and_while_streaming() {
    let root = site();
    let src = site();
    let big = src.path().join("big.bin");
    std::fs::write(&big, vec![1u8; 8 << 20]).unwrap();
    let small = src.path().join("small.bin");
    std::fs::write(&small, vec![1u8; 1000]).unwrap();
    let server = StaticServer::start(root.path(), &["-q", "--upload", "--max-upload", "1M"]);

    let out = curl(&[
        "-T",
        &big.display().to_string(),
        "-H",
        "Expect: 100-continue",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{size_upload}",
        &server.url,
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "413 0");

    // Chunked from a pipe: no length to refuse by; cut while streaming.
    let mut child = Command::new("curl")
        .args([
            "-s",
            "--max-time",
            "20",
            "-T",
            "-",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .arg(format!("{}piped.bin", server.url))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| missing_peer("curl", e));
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        for _ in 0..64 {
            if stdin.write_all(&[2u8; 64 << 10]).is_err() {
                break;
            }
        }
    });
    let out = child.wait_with_output().unwrap();
    let _ = feeder.join();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "413");

    // Chunked with the size announced as macOS Finder does: refused from
    // the head alone (no body byte is sent here; the server answers, closes).
    let head = format!(
        "PUT /finder.bin HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\
         X-Expected-Entity-Length: {}\r\n\r\n",
        8 << 20
    );
    let reply = send_until_server_closes(server.addr, head.as_bytes());
    assert_eq!(parse_reply(&reply).status, 413);

    let status = curl(&[
        "-T",
        &small.display().to_string(),
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        &server.url,
    ]);
    assert_eq!(String::from_utf8_lossy(&status.stdout), "201");
    let names: Vec<_> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["small.bin"]);
}
