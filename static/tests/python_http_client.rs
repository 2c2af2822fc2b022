//! Python's http.client as a second client: keep-alive reuse over several
//! requests, ranges, HEAD and a 404 on one connection.
mod common;
use common::*;
use std::process::Command;

const SCRIPT: &str = r#"
import http.client, sys
port = int(sys.argv[1])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
def get(path, headers={}, method="GET"):
    c.request(method, path, headers=headers)
    r = c.getresponse()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
s, h, b = get("/f.txt")
assert s == 200 and b == b"0123456789", (s, b)
sock = c.sock
s, h, b = get("/f.txt", {"Range": "bytes=2-4"})
assert s == 206 and b == b"234" and h["content-range"] == "bytes 2-4/10", (s, h, b)
s, h, b = get("/f.txt", method="HEAD")
assert s == 200 and b == b"" and h["content-length"] == "10", (s, h)
s, h, b = get("/nope")
assert s == 404, s
s, h, b = get("/f.txt", {"If-None-Match": h.get("etag", "x")})
s, h0, b = get("/f.txt")
s, h, b = get("/f.txt", {"If-None-Match": h0["etag"]})
assert s == 304 and b == b"", s
s, h, b = get("/")
assert s == 200 and b"f.txt" in b and h["content-type"] == "text/html; charset=utf-8"
assert c.sock is sock, "the connection was not reused"
print("ok")
"#;

#[test]
fn python_http_client() {
    let dir = site();
    write(dir.path(), "f.txt", "0123456789");
    require_peer("python3", "--version");
    let server = StaticServer::start(dir.path(), &["-q"]);
    let out = Command::new("timeout")
        .args([
            "30",
            "python3",
            "-c",
            SCRIPT,
            &server.addr.port().to_string(),
        ])
        .output()
        .unwrap_or_else(|e| missing_peer("timeout", e));
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
}
