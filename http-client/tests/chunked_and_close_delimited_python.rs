//! Chunked, close-delimited and truncated bodies from a Python origin.
mod common;
use common::*;

const SERVER: &str = r#"
import sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(50):
                data = ("line %d\n" % i).encode() * (i + 1)
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
                if i % 10 == 0:
                    time.sleep(0.01)
            self.wfile.write(b"0\r\nX-Trailer: t\r\n\r\n")
        elif self.path == "/close":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            for i in range(20):
                self.wfile.write(b"close-delimited %d\n" % i)
                self.wfile.flush()
            self.close_connection = True
        elif self.path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            self.close_connection = True
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

fn chunked_expected() -> Vec<u8> {
    let mut v = Vec::new();
    for i in 0..50 {
        for _ in 0..=i {
            v.extend_from_slice(format!("line {i}\n").as_bytes());
        }
    }
    v
}

#[test]
fn chunked_body_is_decoded_and_connection_reused() {
    let py = start_python(SERVER);
    let client = brisk_client::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build();
    let r = client.get(&py.url("/chunked")).send().expect("send");
    assert_eq!(r.bytes(1 << 20).expect("body"), chunked_expected());
    let r = client.get(&py.url("/chunked")).send().expect("send again");
    assert!(
        r.reused_connection(),
        "a complete chunked body leaves the connection reusable"
    );
    assert_eq!(r.bytes(1 << 20).expect("body"), chunked_expected());
    let out = fetch(&["-s", &py.url("/chunked")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, chunked_expected());
}

#[test]
fn close_delimited_body_ends_at_eof() {
    let py = start_python(SERVER);
    let out = fetch(&["-s", &py.url("/close")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let want: String = (0..20).map(|i| format!("close-delimited {i}\n")).collect();
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
}

#[test]
fn truncated_body_is_written_then_exit_18() {
    let py = start_python(SERVER);
    let out = fetch(&["-sS", &py.url("/truncated")]);
    assert_eq!(code(&out), 18, "{}", stderr(&out));
    assert_eq!(
        out.stdout, b"xxxxxxxxxx",
        "bytes already received are written"
    );
    let client = brisk_client::Client::default();
    let r = client
        .get(&py.url("/truncated"))
        .send()
        .expect("head arrives");
    match r.bytes(1 << 20) {
        Err(brisk_client::Error::Incomplete { received: 10 }) => {}
        other => panic!("want Incomplete after 10 bytes, got {other:?}"),
    }
}
