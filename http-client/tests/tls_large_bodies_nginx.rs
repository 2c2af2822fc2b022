//! TLS (issue 10): bodies larger than any buffer cross the session intact
//! in both directions: a 4 MiB upload (writes wait for the socket while
//! nginx reads and discards it) and an 8 MiB download read with both
//! `fill` and `read_direct`, on one keep-alive session.
mod common;
#[path = "common/tls.rs"]
mod tls;

use std::time::Instant;

use tls::*;

#[test]
fn upload_and_download_several_mebibytes() {
    let fx = TlsFixture::new();
    let big: Vec<u8> = (0..8 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    let nginx = start_nginx_tls(
        &fx,
        &[("big.bin", &big)],
        &[Block {
            name: "good",
            cert: Some("good"),
            extra: "client_max_body_size 16m; location = /upload { return 200 \"stored\\n\"; }",
        }],
    );
    let mut conn = tls_connect(nginx.port("good"), "localhost", &fx.config()).expect("handshake");
    let deadline = Instant::now() + TLS_TIMEOUT;
    let body = vec![b'x'; 4 * 1024 * 1024];
    let head = format!(
        "POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes(), deadline).expect("head");
    conn.write_all(&body, deadline).expect("4 MiB body");
    while !String::from_utf8_lossy(conn.buffered()).contains("stored\n") {
        assert!(conn.fill(deadline).expect("upload answer") > 0, "closed");
    }
    assert!(conn.buffered().starts_with(b"HTTP/1.1 200 OK"));
    let n = conn.buffered().len();
    conn.consume(n);
    let got = get(&mut conn, "localhost", "/big.bin", false);
    assert!(
        got.body == big,
        "download differs ({} bytes)",
        got.body.len()
    );
    // fill only, this time.
    conn.write_all(
        b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n",
        deadline,
    )
    .expect("request");
    let mut total = Vec::new();
    let complete = |t: &[u8]| {
        t.windows(4)
            .position(|w| w == b"\r\n\r\n")
            .is_some_and(|p| t.len() >= p + 4 + big.len())
    };
    while !complete(&total) {
        assert!(conn.fill(deadline).expect("fill") > 0, "closed");
        total.extend_from_slice(conn.buffered());
        let n = conn.buffered().len();
        conn.consume(n);
    }
    assert!(total.ends_with(&big), "fill download differs");
}
