//! A sparse file over 1 GiB goes through curl byte for byte (sha256), and
//! a range near its end is right: the body is sent from the file, never
//! read whole into memory.
mod common;
use common::*;
use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::process::Command;

const SIZE: u64 = (1 << 30) + 12_345;

fn sha256(cmd: &str) -> String {
    let out = Command::new("timeout")
        .args(["180", "sh", "-c", cmd])
        .output()
        .unwrap_or_else(|e| missing_peer("timeout", e));
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string()
}

#[test]
fn big_sparse_file() {
    let dir = site();
    let path = dir.path().join("big.bin");
    let mut f = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(&path)
        .expect("create");
    f.set_len(SIZE).expect("set_len");
    // Some data among the holes, so that an offset error changes the hash.
    for (offset, data) in [
        (0u64, &b"head"[..]),
        (1 << 20, b"one MiB"),
        ((1 << 30) - 3, b"across 1 GiB"),
        (SIZE - 4, b"tail"),
    ] {
        f.seek(SeekFrom::Start(offset)).expect("seek");
        f.write_all(data).expect("write");
    }
    drop(f);
    require_peer("curl", "--version");
    let server = StaticServer::start(dir.path(), &["-q"]);
    let url = format!("{}big.bin", server.url);

    let head = parse_reply(&curl(&["-I", "-i", &url]).stdout);
    assert_eq!(
        head.header("Content-Length"),
        Some(SIZE.to_string().as_str())
    );

    let expected = sha256(&format!("sha256sum '{}'", path.display()));
    let got = sha256(&format!("curl -sS --max-time 170 '{url}' | sha256sum"));
    assert_eq!(expected.len(), 64);
    assert_eq!(got, expected);

    let tail = curl(&["-r", &format!("{}-", (1u64 << 30) - 3), &url]);
    assert_eq!(tail.stdout.len() as u64, SIZE - ((1 << 30) - 3));
    assert!(tail.stdout.starts_with(b"across 1 GiB"));
    assert!(tail.stdout.ends_with(b"tail"));
}
