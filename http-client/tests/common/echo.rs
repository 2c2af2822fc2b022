//! A Python origin that answers every request with the request itself
//! (request line, header lines as received, body), and the differential
//! check: `fetch` and `curl` run with the same arguments must print the
//! same bytes and exit with the same code. The parts that differ by
//! design are normalised: `User-Agent` (tests pass `-A t`), multipart
//! boundaries.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::{fetch_bin, require, start_python, Peer, RUN_TIMEOUT};
use test_support::wait_exit;

/// The echo origin. `Expect: 100-continue` gets `100 Continue`; chunked
/// bodies are decoded; on any path, each query pair `sc=V` adds a
/// `Set-Cookie: V` line (see [`set_cookie_query`]), `to=URL` redirects
/// (status `code=N`, default 302); `/status/N` answers N with the echo;
/// a path under `/gz/` answers gzip-encoded when the request accepts it;
/// `sleep=MS` answers after that many milliseconds; `h=Name: value` adds
/// that response header.
pub const ECHO_PY: &str = r#"
import gzip, sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def version_string(self): return "py"
    def date_time_string(self, t=None): return "Thu, 01 Jan 1970 00:00:00 GMT"
    def handle_one_request(self):
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        if self.headers.get("Expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = b""
        if self.headers.get("Transfer-Encoding", "") == "chunked":
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        out = self.raw_requestline + b"".join(
            k.encode() + b": " + v.encode("latin-1") + b"\r\n" for k, v in self.headers.items()
        ) + b"\r\n" + body
        url = urllib.parse.urlsplit(self.path)
        status, extra = 200, []
        if url.path.startswith("/status/"):
            status = int(url.path[8:])
        q = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        for k, v in q:
            if k == "sc":
                extra.append(("Set-Cookie", v))
            elif k == "h":
                name, _, value = v.partition(": ")
                extra.append((name, value))
            elif k == "sleep":
                time.sleep(int(v) / 1000)
            elif k == "to":
                status = int(dict(q).get("code", "302"))
                extra.append(("Location", v))
        if url.path.startswith("/gz/") and "gzip" in self.headers.get("Accept-Encoding", ""):
            out = gzip.compress(out, mtime=0)
            extra.append(("Content-Encoding", "gzip"))
        self.send_response(status)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

/// A query that makes the echo origin send these `Set-Cookie` values.
pub fn set_cookie_query(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| {
            let enc: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'/' => {
                        char::from(b).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("sc={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Starts the echo origin.
pub fn start_echo() -> Peer {
    start_python(ECHO_PY)
}

/// Replaces every multipart boundary (curl's and ours: dashes and
/// alphanumerics after `boundary=`) by `BOUNDARY`, so two uploads of the
/// same form compare equal.
pub fn normalize_boundaries(b: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(b).into_owned();
    let mut out = text.clone();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("boundary=") {
        let after = &rest[i + 9..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(after.len());
        let boundary = &after[..end];
        if boundary.len() > 4 {
            out = out.replace(boundary, "BOUNDARY");
        }
        rest = &after[end..];
    }
    out.into_bytes()
}

/// The outcome of one run compared between the two programs.
pub struct Ran {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Runs `bin` with `args` in `dir` (stdin from `stdin`).
pub fn run_in(bin: &Path, args: &[String], dir: &Path, stdin: &[u8]) -> Ran {
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("all_proxy")
        .env_remove("ALL_PROXY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
    let mut si = child.stdin.take().expect("stdin pipe");
    let input = stdin.to_vec();
    let t_in = std::thread::spawn(move || {
        let _ = si.write_all(&input);
    });
    let mut so = child.stdout.take().expect("stdout pipe");
    let mut se = child.stderr.take().expect("stderr pipe");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let Some(status) = wait_exit(&mut child, RUN_TIMEOUT).expect("wait") else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("{} {args:?} ran longer than {RUN_TIMEOUT:?}", bin.display());
    };
    let _ = t_in.join();
    Ran {
        code: status.code().unwrap_or(-1),
        stdout: t_out.join().expect("stdout thread"),
        stderr: String::from_utf8_lossy(&t_err.join().expect("stderr thread")).into_owned(),
    }
}

/// One differential case: arguments, and what goes to stdin.
pub struct Case {
    pub args: Vec<String>,
    pub stdin: Vec<u8>,
}

impl Case {
    pub fn new(args: &[&str]) -> Case {
        Case {
            args: args.iter().map(|s| s.to_string()).collect(),
            stdin: Vec::new(),
        }
    }
    pub fn stdin(mut self, b: &[u8]) -> Case {
        self.stdin = b.to_vec();
        self
    }
}

/// Runs every case through `fetch` and `curl` (each in `dir`) and fails
/// listing each case whose stdout (boundaries normalised) or exit code
/// differ.
pub fn assert_cases_like_curl(cases: &[Case], dir: &Path) {
    let curl = require("curl", "curl");
    let mut failures = Vec::new();
    for c in cases {
        let ours = run_in(&fetch_bin(), &c.args, dir, &c.stdin);
        let theirs = run_in(&curl, &c.args, dir, &c.stdin);
        let (o, t) = (
            normalize_boundaries(&ours.stdout),
            normalize_boundaries(&theirs.stdout),
        );
        if o != t || ours.code != theirs.code {
            failures.push(format!(
                "{:?}: fetch exit {} vs curl exit {}\n--- fetch\n{}\n--- curl\n{}\n--- fetch stderr\n{}",
                c.args,
                ours.code,
                theirs.code,
                String::from_utf8_lossy(&o).chars().take(1500).collect::<String>(),
                String::from_utf8_lossy(&t).chars().take(1500).collect::<String>(),
                ours.stderr,
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Every file under `dir` (relative path, bytes), sorted.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("under dir")
                    .display()
                    .to_string();
                out.push((rel, std::fs::read(&p).expect("read")));
            }
        }
    }
    out.sort();
    out
}
