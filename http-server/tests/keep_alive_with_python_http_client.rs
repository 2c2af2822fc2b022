//! Python's http.client sends several requests over one kept-alive
//! connection, also HTTP/1.0 with `Connection: keep-alive`.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::process::Command;
use std::time::Duration;

const SCRIPT: &str = r#"
import http.client, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
ports = set()
for i in range(5):
    conn.request("GET", "/n/%d" % i)
    r = conn.getresponse()
    body = r.read().decode()
    assert r.status == 200, r.status
    assert body.startswith("/n/%d " % i), body
    ports.add(body.split()[1])
conn.request("POST", "/post", body=b"x" * 5000, headers={"Content-Type": "application/octet-stream"})
r = conn.getresponse()
body = r.read().decode()
ports.add(body.split()[1])
assert body.split()[2] == "5000", body
assert len(ports) == 1, ports
print("ok")
"#;

#[test]
fn python_http_client_reuses_one_connection() {
    let server = serve(
        |s| s,
        |req: &Request| {
            Response::text(
                StatusCode::OK,
                format!(
                    "{} {} {}",
                    req.path(),
                    req.peer_addr().port(),
                    req.body().len()
                ),
            )
        },
    );
    let (ok, out, err) = run_bounded(
        Command::new("python3").args(["-c", SCRIPT, &server.addr.port().to_string()]),
        Duration::from_secs(20),
    );
    assert!(ok && out.trim() == "ok", "python failed: {out} {err}");
}
