//! A request trickled one byte per write is parsed like any other.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Write};
use std::time::Duration;

#[test]
fn a_request_sent_byte_by_byte() {
    let server = serve(
        |s| s,
        |req: &Request| {
            Response::text(
                StatusCode::OK,
                format!("{} {}", req.path(), String::from_utf8_lossy(req.body())),
            )
        },
    );
    let mut s = connect(server.addr);
    s.set_nodelay(true).unwrap();
    let raw = b"POST /slow?q=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello";
    for b in raw {
        s.write_all(&[*b]).unwrap();
        std::thread::sleep(Duration::from_millis(2));
    }
    let mut r = BufReader::new(s);
    let resp = read_response(&mut r, false);
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text(), "/slow hello");
}
