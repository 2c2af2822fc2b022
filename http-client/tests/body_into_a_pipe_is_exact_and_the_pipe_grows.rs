//! `fetch URL | reader`: a binary body full of newlines reaches the pipe
//! byte for byte after the `-i` head (stdout is not line-buffered: no write
//! is cut at a newline), and fetch raises the pipe's capacity to 1 MiB so
//! that it and the reader overlap instead of taking turns.
mod common;
use common::*;

use std::io::Read;
use std::process::{Command, Stdio};

#[test]
fn binary_body_into_a_pipe_is_exact() {
    // 3 MiB of every byte value, newlines every few bytes included.
    let body: Vec<u8> = (0..3u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let nginx = start_nginx(&[("blob.bin", &body)], "");
    let mut child = Command::new(fetch_bin())
        .args(["-s", "-i", &nginx.url("/blob.bin")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run fetch");
    let mut pipe = child.stdout.take().expect("stdout pipe");
    let mut got = Vec::new();
    pipe.read_to_end(&mut got).expect("read the pipe");
    let status = child.wait().expect("wait for fetch");
    assert!(status.success(), "fetch failed: {status}");
    let head_end = got
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
        .expect("a head before the body");
    assert!(got.starts_with(b"HTTP/1.1 200 OK\r\n"));
    let head = String::from_utf8_lossy(&got[..head_end]).to_ascii_lowercase();
    assert!(
        head.contains(&format!("content-length: {}\r\n", body.len())),
        "{head}"
    );
    assert_eq!(got.len() - head_end, body.len(), "body length");
    assert!(got[head_end..] == body[..], "body bytes differ");
    // The pipe (shared by both ends) was grown by the writer.
    let size = rustix::pipe::fcntl_getpipe_size(&pipe).expect("F_GETPIPE_SZ");
    assert!(size >= 1 << 20, "pipe capacity {size}");
}
