//! Each malformed or unacceptable head gets its status from the one
//! error table (400, 414, 431, 501, 505, 417), then the connection closes.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::Write;

#[test]
fn each_bad_head_gets_its_status_then_close() {
    let server = serve(
        |s| s.max_head_bytes(4096).max_request_line(1024),
        |_r: &Request| Response::text(StatusCode::OK, "fine"),
    );
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: t\r\n\r\n", "a".repeat(2000));
    let big_head = format!(
        "GET / HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n",
        "b".repeat(5000)
    );
    let many = format!(
        "GET / HTTP/1.1\r\nHost: t\r\n{}\r\n",
        "X-A: 1\r\n".repeat(150)
    );
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("no Host in 1.1", b"GET / HTTP/1.1\r\n\r\n".to_vec(), 400),
        ("two Hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".to_vec(), 400),
        ("obs-fold", b"GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n".to_vec(), 400),
        ("space before colon", b"GET / HTTP/1.1\r\nHost : t\r\n\r\n".to_vec(), 400),
        ("bare CR", b"GET / HTTP/1.1\rHost: t\r\n\r\n".to_vec(), 400),
        ("CL and TE", b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(), 400),
        ("bad CL", b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n".to_vec(), 400),
        ("request line too long", long_target.into_bytes(), 414),
        ("head too large", big_head.into_bytes(), 431),
        ("too many headers", many.into_bytes(), 431),
        ("unknown coding", b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n".to_vec(), 501),
        ("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: t\r\n\r\n".to_vec(), 505),
        ("unknown expectation", b"POST / HTTP/1.1\r\nHost: t\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx".to_vec(), 417),
    ];
    for (what, raw, want) in cases {
        let mut s = connect(server.addr);
        s.write_all(&raw).unwrap();
        // Anything after the bad head must not be answered.
        let _ = s.write_all(&get("/after"));
        let mut r = std::io::BufReader::new(s);
        let resp = read_response(&mut r, false);
        assert_eq!(resp.status, want, "{what}");
        assert_eq!(resp.header("connection"), Some("close"), "{what}");
        assert!(closed_by_peer(&mut r), "{what}: not closed");
    }
}
