//! A head with more fields than the first parse attempt's slots (32) but
//! within `max_headers` (100) is served, whether it arrives at once or in
//! small pieces; past the limit it gets 431.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Write};
use std::time::Duration;

fn head(fields: usize) -> Vec<u8> {
    let mut h = String::from("GET /crowded HTTP/1.1\r\nHost: t\r\n");
    for i in 0..fields {
        h.push_str(&format!("X-Field-{i}: value {i}\r\n"));
    }
    h.push_str("\r\n");
    h.into_bytes()
}

fn server() -> TestServer {
    serve(
        |s| s,
        |req: &Request| Response::text(StatusCode::OK, format!("{}", req.headers().len())),
    )
}

#[test]
fn sixty_fields_in_one_write() {
    let server = server();
    let (resp, _) = exchange(server.addr, &head(60));
    assert_eq!(resp.text(), "61");
}

#[test]
fn sixty_fields_in_small_pieces() {
    let server = server();
    let mut s = connect(server.addr);
    s.set_nodelay(true).unwrap();
    for piece in head(60).chunks(50) {
        s.write_all(piece).unwrap();
        std::thread::sleep(Duration::from_millis(1));
    }
    let resp = read_response(&mut BufReader::new(s), false);
    assert_eq!(resp.text(), "61");
}

#[test]
fn past_the_limit_is_431() {
    let server = server();
    let (resp, _) = exchange(server.addr, &head(120));
    assert_eq!(resp.status, 431);
}
