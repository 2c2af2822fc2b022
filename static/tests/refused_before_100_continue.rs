//! A request the server will refuse whatever its body (a PUT without
//! `--upload`, a POST, one without the credentials `--auth` asks for) gets
//! the final status instead of `100 Continue`: the client sends no body.
//! Checked with curl (`%{size_upload}` is 0, no 100 in its trace) and on a
//! raw socket (the first line read is the final one).
mod common;
use common::*;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

/// curl uploads a 2 MiB file with `Expect: 100-continue` (curl asks for
/// it itself above 1 MiB): (status, bytes uploaded, curl's trace).
fn curl_upload(url: &str, method: &str, extra: &[&str]) -> (String, String) {
    let src = site();
    let file = src.path().join("body.bin");
    std::fs::write(&file, vec![7u8; 2 << 20]).expect("write the body");
    let file = file.display().to_string();
    let mut args = vec![
        "-v",
        "-X",
        method,
        "-H",
        "Expect: 100-continue",
        "--expect100-timeout",
        "5",
        "-T",
        &file,
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{size_upload}",
    ];
    args.extend_from_slice(extra);
    args.push(url);
    let out = curl(&args);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The first status line on a raw connection after a head that expects
/// 100 and declares a body it never sends.
fn first_line(server: &StaticServer, head: &str) -> String {
    let mut s = TcpStream::connect_timeout(&server.addr, STEP_TIMEOUT).expect("connect");
    s.set_read_timeout(Some(STEP_TIMEOUT)).expect("timeout");
    s.write_all(head.as_bytes()).expect("write the head");
    let mut line = String::new();
    BufReader::new(s)
        .read_line(&mut line)
        .expect("an answer without the body");
    line
}

#[test]
fn put_without_upload_gets_405_instead_of_100() {
    let root = site();
    let server = StaticServer::start(root.path(), &["-q"]);
    let (result, trace) = curl_upload(&format!("{}new.bin", server.url), "PUT", &[]);
    assert_eq!(result, "405 0", "{trace}");
    assert!(!trace.contains("100 Continue"), "{trace}");
    assert!(!root.path().join("new.bin").exists());
    let line = first_line(
        &server,
        "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n",
    );
    assert!(line.starts_with("HTTP/1.1 405 "), "{line}");
}

#[test]
fn missing_credentials_get_401_instead_of_100() {
    let root = site();
    let server = StaticServer::start(root.path(), &["-q", "--upload", "--auth", "u:p"]);
    let (result, trace) = curl_upload(&format!("{}new.bin", server.url), "PUT", &[]);
    assert_eq!(result, "401 0", "{trace}");
    assert!(!trace.contains("100 Continue"), "{trace}");
    // Without uploads on, a POST with a body: the credentials first.
    let server = StaticServer::start(root.path(), &["-q", "--auth", "u:p"]);
    let line = first_line(
        &server,
        "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n",
    );
    assert!(line.starts_with("HTTP/1.1 401 "), "{line}");
}

#[test]
fn an_accepted_upload_still_gets_100() {
    let root = site();
    let server = StaticServer::start(root.path(), &["-q", "--upload"]);
    let (result, trace) = curl_upload(&format!("{}new.bin", server.url), "PUT", &[]);
    assert_eq!(result, format!("201 {}", 2 << 20), "{trace}");
    assert!(trace.contains("100 Continue"), "{trace}");
}
