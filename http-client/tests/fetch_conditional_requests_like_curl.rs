//! `-z DATE|FILE|-DATE`, `--etag-save` and `--etag-compare`: the headers
//! the echo origin receives, the bodies written or held back (a
//! `Last-Modified` that does not meet `-z`), and the ETag files, the same
//! as curl 7.88's.
mod common;
#[path = "common/echo.rs"]
mod echo;

use std::path::Path;

use common::*;
use echo::*;

const ETAG_PY: &str = r#"
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        b = ("body for %s inm=%s\n" % (self.path, self.headers.get("If-None-Match"))).encode()
        self.send_response(200)
        if "etag" in self.path:
            self.send_header("ETag", '"v1"')
        self.send_header("Last-Modified", "Sun, 09 Sep 2001 01:46:40 GMT")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

#[test]
fn conditions_and_etags_as_in_curl() {
    let curl = require("curl", "curl");
    let echo = start_echo();
    let tagged = start_python(ETAG_PY);
    let e = echo.url("/x");
    let t = |p: &str| tagged.url(p);
    let cases: Vec<(Vec<(&str, &[u8])>, Vec<String>)> = vec![
        (
            vec![],
            vec![
                "-z".into(),
                "Thu, 01 Jan 2037 00:00:00 GMT".into(),
                "-H".into(),
                "X-A: 1".into(),
                e.clone(),
            ],
        ),
        (vec![], vec!["-z".into(), "-20300101".into(), e.clone()]),
        (
            vec![("t.file", b"x")],
            vec!["-z".into(), "t.file".into(), t("/x")],
        ),
        (
            vec![],
            vec!["-z".into(), "Thu, 01 Jan 2037 00:00:00 GMT".into(), t("/x")],
        ),
        (
            vec![],
            vec![
                "-z".into(),
                "-Thu, 01 Jan 2037 00:00:00 GMT".into(),
                t("/x"),
            ],
        ),
        (
            vec![],
            vec!["-z".into(), "Thu, 01 Jan 1990 00:00:00 GMT".into(), t("/x")],
        ),
        (vec![], vec!["--etag-save".into(), "e1".into(), t("/etag")]),
        (vec![], vec!["--etag-save".into(), "e2".into(), t("/none")]),
        (
            vec![("et", b"\"abc\"\n")],
            vec!["--etag-compare".into(), "et".into(), t("/x")],
        ),
        (
            vec![],
            vec!["--etag-compare".into(), "missing".into(), t("/x")],
        ),
        (vec![], vec!["-z".into(), "not a date".into(), t("/x")]),
    ];
    let mut failures = Vec::new();
    for (before, args) in &cases {
        let mut full = vec!["-s".to_string(), "-A".into(), "t".into()];
        full.extend(args.iter().cloned());
        let run_one = |bin: &Path| {
            let dir = tempfile::tempdir().expect("temp dir");
            for (name, bytes) in before {
                std::fs::write(dir.path().join(name), bytes).expect("write");
            }
            // t.file: a known time in the past, for -z FILE.
            if let Ok(f) = std::fs::File::options()
                .write(true)
                .open(dir.path().join("t.file"))
            {
                let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
                f.set_modified(when).expect("set time");
            }
            let ran = run_in(bin, &full, dir.path(), b"");
            (
                ran.code,
                String::from_utf8_lossy(&ran.stdout).into_owned(),
                tree(dir.path()),
            )
        };
        let ours = run_one(&fetch_bin());
        let theirs = run_one(&curl);
        if ours != theirs {
            failures.push(format!("{full:?}:\n fetch {ours:?}\n curl  {theirs:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
