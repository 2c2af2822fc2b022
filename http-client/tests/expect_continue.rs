//! Bodies over 1 MiB go with `Expect: 100-continue`: sent after `100
//! Continue`, after a short wait when none comes, and not at all when the
//! server answers first (nginx's 413).
mod common;
use common::*;

use std::io::Read;
use std::net::TcpListener;
use std::time::{Duration, Instant};

const ECHO: &str = r#"
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        out = b"got %d expect=%s\n" % (len(body), (self.headers.get("Expect") or "-").encode())
        self.send_response(200)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

#[test]
fn large_body_waits_for_100_continue() {
    let py = start_python(ECHO);
    let big = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(big.path(), vec![b'a'; 1_100_000]).expect("write");
    let at = format!("@{}", big.path().display());
    let out = fetch(&["-s", "-i", "--data-binary", &at, &py.url("/")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        text.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"),
        "{text}"
    );
    assert!(
        text.ends_with("got 1100000 expect=100-continue\n"),
        "{text}"
    );
    // Small bodies and -H "Expect:" go without.
    let out = fetch(&["-s", "-H", "Expect:", "--data-binary", &at, &py.url("/")]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "got 1100000 expect=-\n"
    );
}

#[test]
fn early_final_answer_saves_the_upload() {
    let nginx = start_nginx(
        &[("a.txt", b"x")],
        "location = /up { return 200 \"unused\\n\"; }",
    );
    let client = brisk_client::Client::builder()
        .timeout(Duration::from_secs(10))
        .build();
    let r = client
        .post(&nginx.url("/up"))
        .body_bytes(vec![b'z'; 2 << 20])
        .send()
        .expect("an answer");
    assert_eq!(
        r.status(),
        413,
        "nginx refuses bodies over 1 MiB before reading them"
    );
}

#[test]
fn body_goes_after_the_wait_when_no_100_comes() {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut s, _) = l.accept().expect("accept");
        let head = String::from_utf8_lossy(&read_request_head(&mut s)).into_owned();
        let t0 = Instant::now();
        let mut body = vec![0u8; 10];
        s.read_exact(&mut body)
            .expect("the body arrives without a 100");
        let _ = tx.send((head, t0.elapsed()));
        write_quiet(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    });
    let client = brisk_client::Client::builder()
        .expect_continue(Some(5), Duration::from_millis(300))
        .timeout(Duration::from_secs(5))
        .build();
    let r = client
        .post(&format!("http://127.0.0.1:{port}/"))
        .body_bytes(b"0123456789".to_vec())
        .send()
        .expect("answer");
    assert_eq!(r.text(10).expect("body"), "ok");
    let (head, waited) = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("server report");
    assert!(head.contains("\r\nExpect: 100-continue\r\n"), "{head}");
    assert!(
        waited >= Duration::from_millis(250),
        "body sent after the wait, not before: {waited:?}"
    );
}
