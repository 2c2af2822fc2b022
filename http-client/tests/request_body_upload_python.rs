//! Request bodies: bytes with Content-Length, a reader of unknown length
//! sent chunked, a file with its length; a Python origin echoes what it got.
mod common;
use common::*;

use brisk_client::{Client, RequestBody};
use std::io::Cursor;
use std::time::Duration;

const ECHO: &str = r#"
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self): self.echo()
    def do_PUT(self): self.echo()
    def echo(self):
        te = self.headers.get("Transfer-Encoding", "")
        if te == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b""):
                        pass
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        out = (b"%s %s %d\n" % (self.command.encode(), te.encode() or b"length", len(body))) + body
        self.send_response(200)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

#[test]
fn bodies_are_framed_by_length_or_chunked() {
    let py = start_python(ECHO);
    let client = Client::builder().timeout(Duration::from_secs(10)).build();
    let url = py.url("/");

    let r = client
        .post(&url)
        .body_bytes("a=1&b=2")
        .send()
        .expect("bytes");
    assert_eq!(r.text(1 << 20).expect("body"), "POST length 7\na=1&b=2");

    let payload: Vec<u8> = (0..300_000u32).map(|i| (i % 256) as u8).collect();
    let reader = RequestBody::Reader {
        reader: Box::new(Cursor::new(payload.clone())),
        len: None,
    };
    let r = client
        .request(brisk_client::Method::Put, &url)
        .body(reader)
        .send()
        .expect("chunked");
    let got = r.bytes(1 << 20).expect("body");
    let head_end = got.iter().position(|b| *b == b'\n').expect("line") + 1;
    assert_eq!(&got[..head_end], b"PUT chunked 300000\n");
    assert_eq!(&got[head_end..], &payload[..]);

    let file = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(file.path(), b"file body").expect("write");
    let body = RequestBody::file(std::fs::File::open(file.path()).expect("open")).expect("meta");
    let r = client.post(&url).body(body).send().expect("file");
    assert_eq!(r.text(100).expect("body"), "POST length 9\nfile body");
}
