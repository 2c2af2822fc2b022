//! A body whose Content-Encoding does not decode is curl's exit 61
//! ("Error while processing content unencoding"), never silent garbage:
//! a broken gzip body, a truncated one, and an unknown coding. Without
//! `--compressed` the same bytes are written as received, exit 0.
mod common;
use common::*;

use std::io::Write;
use std::net::TcpListener;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("write");
    e.finish().expect("finish")
}

/// An origin answering every request with `coding` and `body`.
fn origin(coding: &'static str, body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut s = stream;
            read_request_head(&mut s);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: {coding}\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            write_quiet(&mut s, head.as_bytes());
            write_quiet(&mut s, &body);
        }
    });
    format!("http://{addr}/")
}

#[test]
fn fetch_bad_content_encoding_exit_61() {
    let text = b"hello, hello, hello, hello, hello, hello\n".repeat(200);
    let good = gzip(&text);
    let mut broken = good.clone();
    let mid = broken.len() / 2;
    broken[10..mid].fill(0xa5);
    let truncated = good[..good.len() / 2].to_vec();
    let cases = [
        ("gzip", broken.clone(), "broken"),
        ("gzip", truncated, "truncated"),
        ("compress", good.clone(), "unknown coding"),
    ];
    for (coding, body, what) in cases {
        let url = origin(coding, body.clone());
        let out = fetch(&["--compressed", &url]);
        let err = stderr(&out);
        assert_eq!(code(&out), 61, "{what}: {err}");
        assert!(err.contains("(61)"), "{what}: {err}");
        if what != "unknown coding" {
            assert!(
                err.contains("Error while processing content unencoding"),
                "{what}: {err}"
            );
        }
        assert!(out.stdout.len() < text.len(), "{what}: no full body");
        let raw = fetch(&["-s", &url]);
        assert_eq!(code(&raw), 0, "{what}");
        assert!(
            raw.stdout == body,
            "{what}: bytes as received without --compressed"
        );
    }
    // The good body decodes.
    let out = fetch(&["--compressed", &origin("gzip", good)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(out.stdout == text);
}
