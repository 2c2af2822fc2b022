//! `--retry` with `Retry-After`, `--retry-max-time`, `--retry-all-errors`,
//! `--retry-connrefused`, `--retry-delay` and `-f`, against a Python
//! origin that fails a given number of times per id: `fetch` prints the
//! same bytes and exits with the same code as curl 7.88, and waits what
//! `Retry-After` says.
mod common;
#[path = "common/echo.rs"]
mod echo;

use std::time::{Duration, Instant};

use common::*;
use echo::*;

const FLAKY_PY: &str = r#"
import sys, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
counts = {}
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        key = q.get("id", "")
        n = counts.get(key, 0)
        counts[key] = n + 1
        if n < int(q.get("fail", "0")):
            body = b"failing %d\n" % n
            self.send_response(int(q.get("code", "503")))
            if "after" in q:
                self.send_header("Retry-After", q["after"])
        else:
            body = b"ok after %d\n" % n
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

#[test]
fn retries_follow_curls_rules() {
    let curl = require("curl", "curl");
    let flaky = start_python(FLAKY_PY);
    let dir = tempfile::tempdir().expect("temp dir");
    let closed = format!("http://127.0.0.1:{}/", free_port());
    // (arguments with {} for the query, query, least seconds it takes)
    let cases: Vec<(Vec<&str>, &str, u64)> = vec![
        (vec!["--retry", "2"], "fail=1&after=2", 2),
        (vec!["--retry", "2", "-f"], "fail=1&code=503", 1),
        (
            vec!["--retry", "3", "--retry-max-time", "1"],
            "fail=3&after=5",
            0,
        ),
        (
            vec!["--retry", "1", "--retry-all-errors", "-f"],
            "fail=1&code=404",
            1,
        ),
        (vec!["--retry", "1", "-f"], "fail=2&code=500", 1),
        (vec!["--retry", "2", "-f"], "fail=1&code=404", 0),
        (
            vec!["--retry", "1", "--retry-delay", "1", "-i"],
            "fail=1&code=429",
            1,
        ),
    ];
    let mut failures = Vec::new();
    for (i, (args, query, least)) in cases.iter().enumerate() {
        let mut outs = Vec::new();
        for (who, bin) in [("f", fetch_bin()), ("c", curl.clone())] {
            let url = flaky.url(&format!("/?id={who}{i}&{query}"));
            let mut full: Vec<String> = vec!["-s".into()];
            full.extend(args.iter().map(|s| s.to_string()));
            full.push(url);
            let t0 = Instant::now();
            let ran = run_in(&bin, &full, dir.path(), b"");
            outs.push((ran, t0.elapsed(), full));
        }
        let ((ours, took, full), (theirs, _, _)) = (&outs[0], &outs[1]);
        let stdout = |r: &Ran| {
            String::from_utf8_lossy(&r.stdout)
                .lines()
                .filter(|l| !l.starts_with("Date:"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        if ours.code != theirs.code || stdout(ours) != stdout(theirs) {
            failures.push(format!(
                "{full:?}: fetch {} {:?} vs curl {} {:?}; fetch stderr {}",
                ours.code,
                stdout(ours),
                theirs.code,
                stdout(theirs),
                ours.stderr
            ));
        }
        if *took < Duration::from_secs(*least).saturating_sub(Duration::from_millis(100)) {
            failures.push(format!(
                "{full:?}: took {took:?}, at least {least} s expected"
            ));
        }
    }
    // A refused connection is retried only with --retry-connrefused.
    for (args, want_least) in [
        (vec!["--retry", "1", "--retry-connrefused", &closed], 900u64),
        (vec!["--retry", "1", &closed], 0),
    ] {
        let mut full = vec!["-s"];
        full.extend(args);
        let t0 = Instant::now();
        let ours = run(&fetch_bin(), &full, &[]);
        let theirs = run(&curl, &full, &[]);
        assert_eq!((code(&ours), code(&theirs)), (7, 7), "{full:?}");
        assert!(
            t0.elapsed() >= Duration::from_millis(want_least),
            "{full:?}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
