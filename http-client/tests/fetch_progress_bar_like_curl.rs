//! `-#`/`--progress-bar` writes curl 7.88's bar to stderr byte for byte
//! (stderr a pipe, `COLUMNS` set): `\r`, '#'s and the percentage for a
//! known size, curl's flying "-=O=-" frames for an unknown one, a lone
//! newline when there was nothing to draw (`-I`, a fast body of unknown
//! size), uploads counted (`-T`, `--data-binary`), one bar per URL, the newline after a `-f` error line, nothing
//! with `-s`. `--stderr FILE` and `--stderr -` move it (and the errors)
//! to the file or to stdout, as curl.
mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{fetch_bin, require, start_python, RUN_TIMEOUT};
use test_support::wait_exit;

/// GET `/known?n=N`: N bytes with a length. GET `/unknown?n=N&gap=MS`:
/// N chunks of 1000 bytes MS apart, then "end", with no length (HTTP/1.0,
/// the end of the connection ends it). Anything else: 404. PUT and POST:
/// the body read and dropped, "ok".
const ORIGIN_PY: &str = r#"
import sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        n = int(q.get("n", ["0"])[0])
        if url.path == "/known":
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            self.wfile.write(b"k" * n)
        elif url.path == "/unknown":
            self.send_response(200)
            self.end_headers()
            for _ in range(n):
                self.wfile.write(b"u" * 1000)
                self.wfile.flush()
                time.sleep(int(q.get("gap", ["0"])[0]) / 1000)
            self.wfile.write(b"end")
        else:
            self.send_error(404)
    do_HEAD = do_GET
    def do_PUT(self):
        n = int(self.headers.get("Content-Length", "0"))
        while n > 0:
            b = self.rfile.read(min(n, 65536))
            if not b:
                break
            n -= len(b)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    do_POST = do_PUT
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

/// Runs `bin` with `args` in `dir` and COLUMNS=40: (exit code, stdout, stderr).
fn run(bin: &Path, args: &[&str], dir: &Path) -> (i32, Vec<u8>, Vec<u8>) {
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .env("COLUMNS", "40")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let status = wait_exit(&mut child, RUN_TIMEOUT)
        .expect("wait")
        .unwrap_or_else(|| panic!("{} {args:?} hung", bin.display()));
    let out = child.wait_with_output().expect("output");
    (status.code().unwrap_or(-1), out.stdout, out.stderr)
}

/// The same stream from both programs, curl's "curl: " words made ours
/// (and `Date` lines, which may cross a second, left out).
fn same(ours: &[u8], theirs: &[u8]) -> bool {
    let undated = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .split_inclusive('\n')
            .filter(|l| !l.starts_with("Date: "))
            .collect::<String>()
    };
    let theirs = undated(theirs).replace("curl: ", "fetch: ");
    let ours = undated(ours);
    // The error lines' texts differ by design; their place must not.
    let shape = |s: &str| {
        s.lines()
            .map(|l| {
                if l.starts_with("fetch: (") {
                    &l[..10]
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    shape(&ours) == shape(&theirs) && ours.ends_with('\n') == theirs.ends_with('\n')
}

#[test]
fn progress_bar_draws_what_curl_draws() {
    let curl = require("curl", "curl");
    let origin = start_python(ORIGIN_PY);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("up.bin"), vec![b'u'; 300_000]).expect("write");
    let up = origin.url("/up");
    let known = origin.url("/known?n=4096");
    let unknown_fast = origin.url("/unknown?n=2");
    let unknown_slow = origin.url("/unknown?n=3&gap=250");
    let missing = origin.url("/nope");
    let cases: Vec<Vec<&str>> = vec![
        vec!["-#", "-o", "out", &known],
        vec!["--progress-bar", &known],
        vec!["-#", "-I", &known],
        vec!["-#", "-o", "out", &unknown_fast],
        vec!["-#", "-o", "out", &known, "-:", "-o", "out2", &known],
        vec!["-#", "-f", &missing],
        vec!["-#", "-s", "-o", "out", &known],
        // Bytes sent count with those received, as in curl. (Not -T:
        // this origin ignores Expect, and curl's first count comes before
        // the second it then waits, fetch's after it.)
        vec!["-#", "-o", "out", "--data-binary", "@up.bin", &up],
        vec!["-#", "-o", "out", &unknown_slow],
        // A body on stdout would come after the bar (fetch buffers it).
        vec!["-#", "--stderr", "-", "-o", "out", &known],
        vec![
            "-#", "-S", "--stderr", "err.txt", &known, "-:", &missing, "-f",
        ],
    ];
    let mut failures = Vec::new();
    for args in &cases {
        let ours = run(&fetch_bin(), args, dir.path());
        let our_file = std::fs::read(dir.path().join("err.txt")).unwrap_or_default();
        let theirs = run(&curl, args, dir.path());
        let their_file = std::fs::read(dir.path().join("err.txt")).unwrap_or_default();
        let ok = ours.0 == theirs.0
            && same(&ours.1, &theirs.1)
            && same(&ours.2, &theirs.2)
            && same(&our_file, &their_file);
        if !ok {
            failures.push(format!(
                "{args:?}: exit {} vs {}\nstdout {:?}\n    vs {:?}\nstderr {:?}\n    vs {:?}\nfile {:?}\n  vs {:?}",
                ours.0,
                theirs.0,
                String::from_utf8_lossy(&ours.1),
                String::from_utf8_lossy(&theirs.1),
                String::from_utf8_lossy(&ours.2),
                String::from_utf8_lossy(&theirs.2),
                String::from_utf8_lossy(&our_file),
                String::from_utf8_lossy(&their_file),
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
