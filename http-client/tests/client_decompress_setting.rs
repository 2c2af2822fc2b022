//! `ClientBuilder::decompress`, the library's `--compressed`: against
//! nginx with `gzip on`, requests carry curl's Accept-Encoding and
//! `bytes()` gives the file back byte for byte while `body()` stays the
//! gzip stream; a corrupt gzip body (from a Python origin) is
//! `Error::Decode`, never garbage; without the setting nothing is asked
//! for and bodies are as sent.
mod common;
use brisk_client::{Client, Error};
use common::*;
use std::io::Read;

fn text() -> Vec<u8> {
    (0..3000u32)
        .flat_map(|i| format!("line {i}: the quick brown fox {}\n", i % 17).into_bytes())
        .collect()
}

#[test]
fn decompress_asks_for_and_decodes_compressed_bodies() {
    let body = text();
    let nginx = start_nginx(
        &[("a.txt", &body)],
        "gzip on; gzip_min_length 0; gzip_types text/plain;\n    types { text/plain txt; }",
    );
    let url = nginx.url("/a.txt");
    let client = Client::builder().decompress(true).build();
    let resp = client.get(&url).send().expect("GET");
    assert_eq!(resp.header("content-encoding"), Some("gzip"));
    assert!(
        resp.bytes(10 << 20).expect("decoded") == body,
        "decoded body differs"
    );
    // The raw body is what came over the wire.
    let mut resp = client.get(&url).send().expect("GET");
    let mut wire = Vec::new();
    resp.body().read_to_end(&mut wire).expect("raw body");
    assert!(wire.starts_with(&[0x1f, 0x8b]) && wire.len() < body.len() / 3);
    // A request's own Accept-Encoding wins (identity: nothing to decode).
    let resp = client
        .get(&url)
        .header("Accept-Encoding", "identity")
        .send()
        .expect("GET");
    assert_eq!(resp.header("content-encoding"), None);
    assert!(resp.bytes(10 << 20).unwrap() == body);
    // Off (the default): no Accept-Encoding, so nginx sends identity.
    let plain = Client::builder().build();
    let resp = plain.get(&url).send().expect("GET");
    assert_eq!(resp.header("content-encoding"), None);
    assert!(resp.bytes(10 << 20).unwrap() == body);
    let log = nginx.log("access.log");
    assert!(log.lines().count() >= 4, "{log}");
}

#[test]
fn a_corrupt_encoded_body_is_a_decode_error() {
    let python = start_python(
        r#"
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        seen = self.headers.get("Accept-Encoding", "-")
        body = b"\x1f\x8b\x08\x00garbage that is not deflate data at all"
        self.send_response(200)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("X-Seen-Accept-Encoding", seen)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#,
    );
    let client = Client::builder().decompress(true).build();
    let resp = client.get(&python.url("/")).send().expect("GET");
    assert_eq!(
        resp.header("x-seen-accept-encoding"),
        Some(brisk_client::decode::ACCEPT_ENCODING)
    );
    match resp.bytes(1 << 20) {
        Err(Error::Decode(e)) => assert!(brisk_client::decode::is_decode_error(&e), "{e}"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}
