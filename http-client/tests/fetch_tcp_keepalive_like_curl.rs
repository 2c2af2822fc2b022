//! `--keepalive-time SECS` and `--no-keepalive` set the client socket's
//! TCP keepalive as curl 7.88 does: read from the kernel's view of each
//! program's own socket (`/proc/net/tcp`, found by the socket inodes in
//! `/proc/PID/fd`), while the origin holds its answer: the keepalive
//! timer (`tr` 2) runs from 60 s by default and from SECS with the flag,
//! and no timer runs with `--no-keepalive`. Bad values: curl's exit 2.
mod common;
#[path = "common/echo.rs"]
mod echo;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{fetch_bin, require, start_python};
use echo::{assert_cases_like_curl, Case};
use test_support::wait_exit;

/// Every GET is answered after 1.5 s.
const SLOW_PY: &str = r#"
import sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        time.sleep(1.5)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

/// The socket inodes process `pid` holds.
fn socket_inodes(pid: u32) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    dir.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter_map(|l| {
            let l = l.to_string_lossy().into_owned();
            Some(l.strip_prefix("socket:[")?.strip_suffix(']')?.to_string())
        })
        .collect()
}

/// The timer (`tr`, and `tm->when` in clock ticks) of `pid`'s established
/// TCP socket, once it has sent its request and waits.
fn keepalive_timer(pid: u32) -> Option<(u8, u64)> {
    let inodes = socket_inodes(pid);
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    table.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 10 || f[3] != "01" || !inodes.iter().any(|i| i == f[9]) {
            return None;
        }
        let (tr, when) = f[5].split_once(':')?;
        Some((tr.parse().ok()?, u64::from_str_radix(when, 16).ok()?))
    })
}

/// Runs `bin` with `args` and reads its socket's timer while it waits.
fn timer_of(bin: &Path, args: &[&str]) -> Option<(u8, u64)> {
    let mut child = Command::new(bin)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_millis(400));
    let mut seen = None;
    while seen.is_none() && t0.elapsed() < Duration::from_millis(1300) {
        seen = keepalive_timer(child.id());
        std::thread::sleep(Duration::from_millis(50));
    }
    if wait_exit(&mut child, Duration::from_secs(10))
        .ok()
        .flatten()
        .is_none()
    {
        let _ = child.kill();
        let _ = child.wait();
    }
    seen
}

#[test]
fn keepalive_flags_set_the_socket_as_curl_does() {
    let curl = require("curl", "curl");
    let origin = start_python(SLOW_PY);
    let url = origin.url("/");
    let cases: [(&[&str], fn(u8, u64) -> bool); 4] = [
        (&[], |tr, when| tr == 2 && (5000..=6000).contains(&when)),
        (&["--keepalive-time", "7"], |tr, when| {
            tr == 2 && (500..=700).contains(&when)
        }),
        (&["--no-keepalive"], |tr, _| tr == 0),
        (&["--no-keepalive", "--keepalive"], |tr, when| {
            tr == 2 && (5000..=6000).contains(&when)
        }),
    ];
    let fetch = fetch_bin();
    std::thread::scope(|scope| {
        let mut runs = Vec::new();
        for (flags, ok) in &cases {
            for bin in [&fetch, &curl] {
                let mut args = vec!["-s"];
                args.extend(*flags);
                args.push(&url);
                runs.push((bin, flags, ok, scope.spawn(move || timer_of(bin, &args))));
            }
        }
        for (bin, flags, ok, run) in runs {
            let seen = run.join().expect("run thread");
            assert!(
                seen.is_some_and(|(tr, when)| ok(tr, when)),
                "{} {flags:?}: timer {seen:?}",
                bin.display()
            );
        }
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        Case::new(&["-s", "--keepalive-time", "x", "http://127.0.0.1:9/"]),
        Case::new(&["-s", "--keepalive-time", "-3", "http://127.0.0.1:9/"]),
    ];
    assert_cases_like_curl(&cases, dir.path());
}
