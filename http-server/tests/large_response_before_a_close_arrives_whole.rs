//! A response that closes the connection (`Connection: close`, HTTP/1.0,
//! or a pipelined request with `Connection: close` behind a large answer)
//! is sent whole before the half-close, over plain TCP and over TLS, for
//! bodies from memory, from a file and from a stream. Each is far larger
//! than the socket takes at once, and the client waits before reading, so
//! the write queue is still full when the closing response is queued.
//!
//! Regression: the check "queue empty, begin the lingering close" looked
//! at the connection's queue slot, which is empty while the connection
//! works on its buffers, so the half-close came after the first partial
//! write and the rest of the body was lost (curl: exit 56).
mod common;
use brisk_server::{FileRegion, Request, Response, StatusCode};
use common::tls::*;
use common::*;
use std::io::{Read, Write};
use std::time::Duration;

const BODY_BYTES: usize = 8 << 20;

fn body_byte(i: usize) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 24) as u8
}

fn handler(file: FileRegion) -> impl Fn(&Request) -> Response + Send + Sync + 'static {
    move |req: &Request| match req.path() {
        "/bytes" => {
            Response::new(StatusCode::OK).bytes((0..BODY_BYTES).map(body_byte).collect::<Vec<u8>>())
        }
        "/file" => Response::new(StatusCode::OK).file(file.clone()),
        "/stream" => Response::new(StatusCode::OK).stream((0..BODY_BYTES / 65_536).map(|c| {
            Ok((c * 65_536..(c + 1) * 65_536)
                .map(body_byte)
                .collect::<Vec<u8>>())
        })),
        _ => Response::text(StatusCode::OK, "small"),
    }
}

fn file_region() -> FileRegion {
    let mut file = tempfile::tempfile().unwrap();
    let data: Vec<u8> = (0..BODY_BYTES).map(body_byte).collect();
    file.write_all(&data).unwrap();
    FileRegion::whole(file).unwrap()
}

/// The requests of each case, and the bodies expected in order.
fn cases(path: &str) -> Vec<(String, Vec<u8>, Vec<usize>)> {
    let close = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let http10 = format!("GET {path} HTTP/1.0\r\n\r\n");
    let pipelined = format!(
        "GET {path} HTTP/1.1\r\nHost: t\r\n\r\nGET /small HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    );
    vec![
        (
            "Connection: close".into(),
            close.into_bytes(),
            vec![BODY_BYTES],
        ),
        ("HTTP/1.0".into(), http10.into_bytes(), vec![BODY_BYTES]),
        (
            "pipelined, then a close".into(),
            pipelined.into_bytes(),
            vec![BODY_BYTES, 5],
        ),
    ]
}

/// Splits `bytes` (responses up to the server's close) into bodies, by
/// Content-Length or chunked coding.
fn bodies(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
        bytes = &bytes[end + 4..];
        if let Some(len) = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
        {
            let len = len.min(bytes.len());
            out.push(bytes[..len].to_vec());
            bytes = &bytes[len..];
        } else if head.contains("transfer-encoding: chunked") {
            let mut body = Vec::new();
            loop {
                let Some(eol) = bytes.windows(2).position(|w| w == b"\r\n") else {
                    out.push(body);
                    return out;
                };
                let size = usize::from_str_radix(String::from_utf8_lossy(&bytes[..eol]).trim(), 16)
                    .unwrap();
                bytes = &bytes[eol + 2..];
                if size == 0 {
                    bytes = bytes.get(2..).unwrap_or_default();
                    break;
                }
                let take = size.min(bytes.len());
                body.extend_from_slice(&bytes[..take]);
                bytes = bytes.get(take + 2..).unwrap_or_default();
            }
            out.push(body);
        } else {
            // HTTP/1.0 without a length: the body ends at the close.
            out.push(bytes.to_vec());
            bytes = &[];
        }
    }
    out
}

fn check(what: &str, got: &[u8], sizes: &[usize]) {
    let bodies = bodies(got);
    let lens: Vec<usize> = bodies.iter().map(Vec::len).collect();
    assert_eq!(lens, sizes, "{what}: body sizes");
    assert!(
        bodies[0]
            .iter()
            .enumerate()
            .all(|(i, b)| *b == body_byte(i)),
        "{what}: body bytes differ"
    );
}

#[test]
fn closing_responses_arrive_whole_over_tcp() {
    let server = serve(|s| s, handler(file_region()));
    for path in ["/bytes", "/file", "/stream"] {
        for (what, request, sizes) in cases(path) {
            let mut s = connect(server.addr);
            s.write_all(&request).unwrap();
            // Let the server fill the socket and queue the rest first.
            std::thread::sleep(Duration::from_millis(200));
            let mut got = Vec::new();
            s.read_to_end(&mut got)
                .unwrap_or_else(|e| panic!("{path} {what}: {e}"));
            check(&format!("{path} {what}"), &got, &sizes);
        }
    }
}

#[test]
fn closing_responses_arrive_whole_over_tls() {
    let pki = Pki::new();
    let server = serve_tls(&pki, |s| s, handler(file_region()));
    for path in ["/bytes", "/file", "/stream"] {
        for (what, request, sizes) in cases(path) {
            let mut s = connect_tls(server.addr, pki.client_config());
            s.write_all(&request).unwrap();
            s.flush().unwrap();
            std::thread::sleep(Duration::from_millis(200));
            let mut got = Vec::new();
            s.read_to_end(&mut got)
                .unwrap_or_else(|e| panic!("{path} {what}: {e}"));
            check(&format!("{path} {what}"), &got, &sizes);
        }
    }
}
