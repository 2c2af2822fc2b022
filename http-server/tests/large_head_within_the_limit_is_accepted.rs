//! A head far larger than the initial 1 KiB read buffer, but within the
//! head limit, is read (the buffer grows) and served.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;

#[test]
fn a_large_head_within_the_limit_grows_the_buffer() {
    let server = serve(
        |s| s,
        |req: &Request| {
            Response::text(
                StatusCode::OK,
                format!("{}", req.header("cookie").map_or(0, str::len)),
            )
        },
    );
    let cookie = "c".repeat(20_000);
    let raw = format!("GET / HTTP/1.1\r\nHost: t\r\nCookie: {cookie}\r\n\r\n");
    let (resp, _) = exchange(server.addr, raw.as_bytes());
    assert_eq!(resp.text(), "20000");
}
