//! Python's urllib asks for gzip and decodes it with the gzip module: the
//! bytes are the file's.
mod common;
use common::*;
use std::process::Command;

#[test]
fn compressed_gzip_python() {
    let dir = site();
    let text = "{\"id\": 1, \"name\": \"widget\", \"tags\": [\"a\", \"b\"]},\n".repeat(2000);
    write(dir.path(), "data.json", &text);
    let server = StaticServer::start(dir.path(), &[]);
    let script = r#"
import gzip, sys, urllib.request
req = urllib.request.Request(sys.argv[1], headers={"Accept-Encoding": "gzip"})
with urllib.request.urlopen(req, timeout=20) as resp:
    assert resp.headers["Content-Encoding"] == "gzip", resp.headers
    assert resp.headers["Vary"] == "Accept-Encoding", resp.headers
    wire = resp.read()
body = gzip.decompress(wire)
sys.stdout.buffer.write(body)
sys.stderr.write(f"{len(wire)}\n")
"#;
    let out = Command::new("python3")
        .args(["-c", script, &format!("{}data.json", server.url)])
        .output()
        .unwrap_or_else(|e| missing_peer("python3", e));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout == text.as_bytes(), "decoded body differs");
    let wire: usize = String::from_utf8_lossy(&out.stderr)
        .trim()
        .parse()
        .expect("length");
    assert!(wire < text.len() / 5, "{wire} bytes for {}", text.len());
}
