//! Pipelined requests whose answers use every kind of body (a small file
//! as bytes, a big file region, a multipart range, a listing, a 404, a
//! 304, a HEAD) come back complete and in order on one connection.
mod common;
use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;

/// Splits `bytes` into responses by their Content-Length (every answer
/// here has one; HEAD and 304 carry no body).
fn split(mut bytes: &[u8], no_body: &[bool]) -> Vec<Reply> {
    let mut out = Vec::new();
    for &bodiless in no_body {
        let end = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a head")
            + 4;
        let mut reply = parse_reply(&bytes[..end]);
        let len: usize = if bodiless {
            0
        } else {
            reply
                .header("Content-Length")
                .and_then(|v| v.parse().ok())
                .expect("Content-Length")
        };
        reply.body = bytes[end..end + len].to_vec();
        out.push(reply);
        bytes = &bytes[end + len..];
    }
    assert!(bytes.is_empty(), "{} bytes left over", bytes.len());
    out
}

#[test]
fn pipelined_mixed_bodies() {
    let dir = site();
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    write(dir.path(), "small.txt", "small body");
    write(dir.path(), "big.bin", &big);
    write(dir.path(), "sub/x", "x");
    let server = StaticServer::start(dir.path(), &["-q"]);
    let etag = parse_reply(&curl(&["-I", "-i", &format!("{}small.txt", server.url)]).stdout)
        .header("ETag")
        .expect("etag")
        .to_string();

    let requests = [
        "GET /small.txt HTTP/1.1\r\nHost: t\r\n\r\n".to_string(),
        "GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n".to_string(),
        "GET /big.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=0-9,-10\r\n\r\n".to_string(),
        "HEAD /big.bin HTTP/1.1\r\nHost: t\r\n\r\n".to_string(),
        "GET /sub/ HTTP/1.1\r\nHost: t\r\n\r\n".to_string(),
        "GET /missing HTTP/1.1\r\nHost: t\r\n\r\n".to_string(),
        format!("GET /small.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: {etag}\r\n\r\n"),
        "GET /small.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".to_string(),
    ];
    let mut s = TcpStream::connect(server.addr).expect("connect");
    s.set_read_timeout(Some(STEP_TIMEOUT)).expect("timeout");
    s.write_all(requests.concat().as_bytes()).expect("write");
    let mut bytes = Vec::new();
    s.read_to_end(&mut bytes).expect("read");

    let r = split(
        &bytes,
        &[false, false, false, true, false, false, true, false],
    );
    assert_eq!(
        (r[0].status, r[0].body.as_slice()),
        (200, &b"small body"[..])
    );
    assert_eq!(r[1].status, 200);
    assert_eq!(r[1].body, big);
    assert_eq!(r[2].status, 206);
    let multipart = String::from_utf8_lossy(&r[2].body).into_owned();
    assert!(
        multipart.contains("Content-Range: bytes 0-9/300000"),
        "{multipart}"
    );
    assert!(multipart.contains("Content-Range: bytes 299990-299999/300000"));
    assert_eq!(
        (r[3].status, r[3].header("Content-Length")),
        (200, Some("300000"))
    );
    assert_eq!(r[4].status, 200);
    assert!(String::from_utf8_lossy(&r[4].body).contains("href=\"./x\""));
    assert_eq!(r[5].status, 404);
    assert_eq!(r[6].status, 304);
    assert_eq!(
        (r[7].status, r[7].body.as_slice()),
        (200, &b"small body"[..])
    );
}
