//! HEAD answers with the GET head (Content-Length included) and no body;
//! the connection stays usable.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Write};

#[test]
fn head_has_content_length_and_no_body() {
    let server = serve(
        |s| s,
        |_req: &Request| Response::text(StatusCode::OK, "twelve bytes"),
    );
    let mut s = connect(server.addr);
    s.write_all(b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    s.write_all(&get("/")).unwrap();
    let mut r = BufReader::new(s);
    let head = read_response(&mut r, true);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("12"));
    // The next bytes are the GET's answer, not a HEAD body.
    let resp = read_response(&mut r, false);
    assert_eq!(resp.text(), "twelve bytes");
}

#[test]
fn no_body_statuses_carry_no_framing() {
    let server = serve(
        |s| s,
        |req: &Request| match req.path() {
            "/204" => Response::text(StatusCode::NO_CONTENT, "ignored"),
            _ => Response::new(StatusCode::NOT_MODIFIED).header("ETag", "\"x\""),
        },
    );
    let mut s = connect(server.addr);
    s.write_all(&get("/204")).unwrap();
    s.write_all(&get("/304")).unwrap();
    let mut r = BufReader::new(s);
    let a = read_response(&mut r, false);
    assert_eq!(a.status, 204);
    assert_eq!(a.header("content-length"), None);
    let b = read_response(&mut r, false);
    assert_eq!(b.status, 304);
    assert_eq!(b.header("etag"), Some("\"x\""));
    assert_eq!(b.header("content-length"), None);
    assert!(b.header("date").is_some());
}
