//! A broken upload leaves nothing behind: a client that disconnects
//! mid-body, and one that stops sending (cut after `--body-timeout`),
//! leave neither the target nor a temporary file.
mod common;
use common::*;
use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Waits (bounded) until `dir` is empty; returns what is left otherwise.
fn empty_soon(dir: &Path, limit: Duration) -> Vec<String> {
    let deadline = Instant::now() + limit;
    loop {
        let left = entries(dir);
        if left.is_empty() || Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits (bounded) for the temporary file of an upload under way.
fn wait_for_part(dir: &Path) {
    let deadline = Instant::now() + STEP_TIMEOUT;
    while !entries(dir).iter().any(|n| n.starts_with(".upload-")) {
        assert!(Instant::now() < deadline, "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn start_upload(addr: std::net::SocketAddr, name: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_write_timeout(Some(STEP_TIMEOUT)).unwrap();
    let head = format!("PUT /{name} HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&vec![b'z'; 600_000]).unwrap();
    s
}

#[test]
fn a_client_that_disconnects_mid_body_leaves_nothing() {
    let root = site();
    let server = StaticServer::start(root.path(), &["-q", "--upload"]);
    let s = start_upload(server.addr, "gone.bin");
    wait_for_part(root.path());
    drop(s);
    assert_eq!(
        empty_soon(root.path(), Duration::from_secs(5)),
        Vec::<String>::new()
    );
}

#[test]
fn a_client_that_stops_sending_is_cut_and_leaves_nothing() {
    let root = site();
    let server = StaticServer::start(root.path(), &["-q", "--upload", "--body-timeout", "0.5"]);
    let started = Instant::now();
    let _s = start_upload(server.addr, "stalled.bin");
    wait_for_part(root.path());
    assert_eq!(
        empty_soon(root.path(), Duration::from_secs(5)),
        Vec::<String>::new()
    );
    assert!(started.elapsed() >= Duration::from_millis(400));
    // Still serving.
    assert_eq!(curl_status(&server.url, &[]), 200);
}
