//! HTTPS (issue 10): a request body far larger than rustls' send buffer
//! (4 MiB, sent with `Expect: 100-continue`) goes through the TLS write
//! path intact: a Python `ssl` origin stores it and answers with its length.
mod common;
#[path = "common/tls.rs"]
mod tls;

use std::io::Read;

use brisk_client::Client;
use tls::*;

const SERVER: &str = r#"
def serve(raw):
    s = ctx.wrap_socket(raw, server_side=True)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            return
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, v = line.split(b":", 1)
        if k.strip().lower() == b"content-length":
            length = int(v)
        if k.strip().lower() == b"expect":
            s.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            return
        body += chunk
    with open("body.bin", "wb") as f:
        f.write(body)
    answer = b"%d" % len(body)
    s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(answer) + answer)
    s.unwrap()
    s.close()
while True:
    raw, _ = srv.accept()
    try:
        serve(raw)
    except Exception:
        pass
"#;

#[test]
fn large_body_over_tls_arrives_intact() {
    let fx = TlsFixture::new();
    let py = start_python_tls_listener(&fx, "good", SERVER);
    let body: Vec<u8> = (0..4 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let want = body.len().to_string();
    let client = Client::builder().tls(fx.options()).build();
    let mut resp = client
        .post(&format!("https://localhost:{}/up", py.port))
        .body_bytes(body.clone())
        .send()
        .expect("POST");
    assert_eq!(resp.status(), 200);
    let mut got = String::new();
    resp.body().read_to_string(&mut got).expect("answer");
    assert_eq!(got, want);
    let stored = std::fs::read(py.dir.path().join("body.bin")).expect("stored body");
    assert!(stored == body, "the stored body differs");
}
