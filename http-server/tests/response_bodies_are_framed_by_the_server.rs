//! The server frames every body kind: bytes and file regions with
//! Content-Length (files via sendfile), parts in order, streams chunked to
//! HTTP/1.1 and close-delimited to HTTP/1.0; handler framing headers are
//! replaced; HTTP/1.0 keep-alive is honoured.
mod common;
use brisk_server::{BodyPart, FileRegion, Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Read, Write};
use std::sync::Arc;

fn server() -> TestServer {
    let mut file = tempfile::tempfile().unwrap();
    let content: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    file.write_all(&content).unwrap();
    let file = Arc::new(file);
    serve(
        |s| s,
        move |req: &Request| match req.path() {
            "/file" => Response::new(StatusCode::OK).file(FileRegion {
                file: file.clone(),
                offset: 0,
                len: 3_000_000,
            }),
            "/range" => Response::new(StatusCode::PARTIAL_CONTENT).file(FileRegion {
                file: file.clone(),
                offset: 253,
                len: 10,
            }),
            "/parts" => Response::new(StatusCode::OK).with_body(brisk_server::Body::Parts(vec![
                BodyPart::Bytes(b"<".to_vec()),
                BodyPart::File(FileRegion {
                    file: file.clone(),
                    offset: 1,
                    len: 3,
                }),
                BodyPart::Bytes(b">".to_vec()),
            ])),
            "/stream" => Response::new(StatusCode::OK)
                .header("Content-Length", "999")
                .stream((0..3).map(|i| Ok(format!("part{i};").into_bytes()))),
            _ => Response::text(StatusCode::OK, "plain").header("Transfer-Encoding", "chunked"),
        },
    )
}

#[test]
fn file_bodies_arrive_whole() {
    let server = server();
    let (resp, _) = exchange(server.addr, &get("/file"));
    assert_eq!(resp.header("content-length"), Some("3000000"));
    assert!(resp
        .body
        .iter()
        .enumerate()
        .all(|(i, &b)| b == (i % 253) as u8));
    let (resp, _) = exchange(server.addr, &get("/range"));
    assert_eq!(resp.body, (0..10).collect::<Vec<u8>>());
    let (resp, _) = exchange(server.addr, &get("/parts"));
    assert_eq!(resp.body, b"<\x01\x02\x03>");
}

#[test]
fn streams_are_chunked_for_http11() {
    let server = server();
    let mut s = connect(server.addr);
    s.write_all(&get("/stream")).unwrap();
    s.write_all(&get("/plain")).unwrap();
    let mut r = BufReader::new(s);
    let resp = read_response(&mut r, false);
    assert_eq!(resp.header("transfer-encoding"), Some("chunked"));
    assert_eq!(resp.header("content-length"), None);
    assert_eq!(resp.text(), "part0;part1;part2;");
    // The connection is still usable, and handler framing is ignored.
    let resp = read_response(&mut r, false);
    assert_eq!(resp.header("transfer-encoding"), None);
    assert_eq!(resp.text(), "plain");
}

#[test]
fn streams_are_close_delimited_for_http10() {
    let server = server();
    let mut s = connect(server.addr);
    s.write_all(b"GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .unwrap();
    let mut all = String::new();
    s.read_to_string(&mut all).unwrap();
    assert!(all.contains("Connection: close\r\n"), "{all}");
    assert!(!all.contains("chunked"), "{all}");
    assert!(all.ends_with("\r\n\r\npart0;part1;part2;"), "{all}");
}

#[test]
fn http10_keep_alive_is_honoured() {
    let server = server();
    let mut s = connect(server.addr);
    s.write_all(b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n")
        .unwrap();
    let mut r = BufReader::new(s);
    let a = read_response(&mut r, false);
    assert_eq!(a.header("connection"), Some("keep-alive"));
    let b = read_response(&mut r, false);
    assert_eq!(b.header("connection"), Some("close"));
    assert!(closed_by_peer(&mut r));
}
