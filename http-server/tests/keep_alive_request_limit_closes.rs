//! After `keep_alive_requests` answers the server says `Connection: close`
//! and closes (nginx's keepalive_requests).
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Write};

#[test]
fn the_last_allowed_request_gets_connection_close() {
    let server = serve(
        |s| s.keep_alive_requests(3),
        |_r: &Request| Response::text(StatusCode::OK, "ok"),
    );
    let mut s = connect(server.addr);
    for _ in 0..4 {
        s.write_all(&get("/")).unwrap();
    }
    let mut r = BufReader::new(s);
    assert_eq!(read_response(&mut r, false).header("connection"), None);
    assert_eq!(read_response(&mut r, false).header("connection"), None);
    assert_eq!(
        read_response(&mut r, false).header("connection"),
        Some("close")
    );
    assert!(closed_by_peer(&mut r), "a fourth answer came");
}
