//! Three requests in one write are answered in order, on one connection;
//! many more as well.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Write};

#[test]
fn three_requests_in_one_write() {
    let server = serve(
        |s| s,
        |req: &Request| Response::text(StatusCode::OK, req.path().to_owned()),
    );
    let mut s = connect(server.addr);
    let mut raw = get("/a");
    raw.extend(get("/b"));
    raw.extend(b"POST /c HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nxyz");
    s.write_all(&raw).unwrap();
    let mut r = BufReader::new(s);
    for want in ["/a", "/b", "/c"] {
        let resp = read_response(&mut r, false);
        assert_eq!(resp.status, 200);
        assert_eq!(resp.text(), want);
    }
}

#[test]
fn two_hundred_requests_in_one_write() {
    let server = serve(
        |s| s,
        |req: &Request| Response::text(StatusCode::OK, req.path().to_owned()),
    );
    let mut s = connect(server.addr);
    let mut raw = vec![];
    for i in 0..200 {
        raw.extend(get(&format!("/{i}")));
    }
    s.write_all(&raw).unwrap();
    let mut r = BufReader::new(s);
    for i in 0..200 {
        let resp = read_response(&mut r, false);
        assert_eq!(resp.text(), format!("/{i}"));
    }
}
