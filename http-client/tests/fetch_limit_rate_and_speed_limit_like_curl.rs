//! `--limit-rate` holds a download and an upload to the rate on average
//! (within 25 %, as curl 7.88 holds an upload; K/M/G suffixes),
//! `--speed-limit`/`--speed-time` abort a trickling or stalled transfer
//! with curl's exit 28 within a few seconds and leave a fast enough one
//! alone, and bad values get curl's usage errors (exit 2). fetch and curl
//! run at once, the paced runs first and then the slow ones, so the file
//! takes about three seconds; a paced run slower than the rate (a busy
//! machine) is made once more before it fails, a faster one never.
mod common;
#[path = "common/echo.rs"]
mod echo;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{fetch_bin, require, start_python};
use echo::{assert_cases_like_curl, run_in, Case, Ran};

/// GET `/bytes?n=N`: N bytes at once. GET `/trickle?n=N`: N bytes, 100
/// every 100 ms. GET `/stall`: a head announcing 10 bytes, then silence.
/// PUT or POST: the body read and dropped, "ok".
const ORIGIN_PY: &str = r#"
import sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def head(self, n):
        self.send_response(200)
        self.send_header("Content-Length", str(n))
        self.end_headers()
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        n = int(urllib.parse.parse_qs(url.query).get("n", ["10"])[0])
        try:
            if url.path == "/bytes":
                self.head(n)
                self.wfile.write(b"x" * n)
            elif url.path == "/trickle":
                self.head(n)
                for _ in range(n // 100):
                    self.wfile.write(b"t" * 100)
                    self.wfile.flush()
                    time.sleep(0.1)
            else:
                self.head(10)
                self.wfile.flush()
                time.sleep(8)
        except OSError:
            pass
    def do_PUT(self):
        n = int(self.headers.get("Content-Length", "0"))
        while n > 0:
            b = self.rfile.read(min(n, 65536))
            if not b:
                break
            n -= len(b)
        self.head(2)
        self.wfile.write(b"ok")
    do_POST = do_PUT
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

/// Runs `args` through `bin` in `dir`: the outcome and the wall time.
fn timed(bin: &Path, args: &[String], dir: &Path) -> (Ran, Duration) {
    let t0 = Instant::now();
    let ran = run_in(bin, args, dir, b"");
    (ran, t0.elapsed())
}

/// The `-w` figure printed by a run.
fn figure(r: &Ran) -> f64 {
    String::from_utf8_lossy(&r.stdout)
        .trim()
        .parse()
        .unwrap_or(-1.0)
}

/// Every run of `runs` through every program of `bins`, all at once:
/// the outcomes, program by program, in order.
fn at_once(bins: &[&Path], runs: &[&Vec<String>], dir: &Path) -> Vec<(Ran, Duration)> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = bins
            .iter()
            .flat_map(|bin| runs.iter().map(move |args| (bin, args)))
            .map(|(bin, args)| scope.spawn(move || timed(bin, args, dir)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("run thread"))
            .collect()
    })
}

/// The `-w` speed of a paced run is within 25 % of `rate`. Faster is the
/// limiter failing, and fails at once; slower can be a busy machine (the
/// origin or the client not getting the CPU), so that run is made once
/// more, alone, before it fails.
fn assert_rate(bin: &Path, args: &[String], dir: &Path, measured: f64, rate: f64) {
    assert!(
        measured <= rate * 1.25,
        "{} {args:?}: {measured} B/s over {rate}",
        bin.display()
    );
    if measured >= rate * 0.75 {
        return;
    }
    let again = figure(&timed(bin, args, dir).0);
    assert!(
        (rate * 0.75..=rate * 1.25).contains(&again),
        "{} {args:?}: {measured} then {again} B/s for {rate}",
        bin.display()
    );
}

#[test]
fn rates_hold_and_slow_transfers_end_with_28_like_curl() {
    let curl = require("curl", "curl");
    let origin = start_python(ORIGIN_PY);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("up.bin"), vec![7u8; 256 * 1024]).expect("write");
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<String>>();
    let down = s(&[
        "-s",
        "-o",
        "/dev/null",
        "--limit-rate",
        "1m",
        "-w",
        "%{speed_download}",
        &origin.url("/bytes?n=524288"),
    ]);
    let up = s(&[
        "-s",
        "-o",
        "/dev/null",
        "--limit-rate",
        "512K",
        "-T",
        "up.bin",
        "-w",
        "%{speed_upload}",
        &origin.url("/up"),
    ]);
    let post = s(&[
        "-s",
        "-o",
        "/dev/null",
        "--limit-rate",
        "512k",
        "--data-binary",
        "@up.bin",
        "-w",
        "%{speed_upload}",
        &origin.url("/up"),
    ]);
    let trickle_slow = s(&[
        "-s",
        "-Y",
        "5000",
        "-y",
        "1",
        &origin.url("/trickle?n=5000"),
    ]);
    let stalled = s(&["-s", "--speed-time", "1", &origin.url("/stall")]);
    let trickle_ok = s(&[
        "-s",
        "-o",
        "/dev/null",
        "-Y",
        "500",
        "-y",
        "1",
        &origin.url("/trickle?n=1500"),
    ]);
    let d = dir.path();
    let fetch = fetch_bin();
    // The paced runs first, then the slow ones: each set at once.
    let rates = [(&down, 1_048_576.0), (&up, 524_288.0), (&post, 524_288.0)];
    let paced = at_once(&[&fetch, &curl], &[&down, &up, &post], d);
    for (i, (args, rate)) in rates.iter().enumerate() {
        let (ours, theirs) = (&paced[i], &paced[rates.len() + i]);
        assert_eq!(
            (ours.0.code, theirs.0.code),
            (0, 0),
            "{args:?}: {}",
            ours.0.stderr
        );
        assert_rate(&fetch, args, d, figure(&ours.0), *rate);
        // curl 7.88 lets a download's first burst through: only its
        // uploads are held to the rate.
        if i > 0 {
            assert_rate(&curl, args, d, figure(&theirs.0), *rate);
        }
    }
    let slow = [&trickle_slow, &stalled, &trickle_ok];
    let ran = at_once(&[&fetch, &curl], &slow, d);
    let name = ["trickle", "stall", "fast enough"];
    for i in 0..slow.len() {
        let ((o, ot), (t, tt)) = (&ran[i], &ran[slow.len() + i]);
        assert_eq!(
            o.code, t.code,
            "{}: fetch {} curl {}: {}",
            name[i], o.code, t.code, o.stderr
        );
        assert!(
            ot.as_secs() < 5 && tt.as_secs() < 5,
            "{}: {ot:?} {tt:?}",
            name[i]
        );
    }
    assert_eq!([ran[0].0.code, ran[1].0.code, ran[2].0.code], [28, 28, 0]);
    // Stopped after about a window, not at the end of the body (5 s).
    assert!(ran[0].1 < Duration::from_millis(3500), "{:?}", ran[0].1);

    let bad = |v: &[&str]| {
        let mut a = vec!["-s"];
        a.extend(v);
        a.push("http://127.0.0.1:9/");
        Case::new(&a)
    };
    let cases = vec![
        bad(&["--limit-rate", "10x"]),
        bad(&["--limit-rate", "1.5k"]),
        bad(&["--limit-rate", "5kb"]),
        bad(&["--limit-rate", "-5"]),
        bad(&["--speed-limit", "abc"]),
        bad(&["--speed-limit", "-1"]),
        bad(&["--speed-time", "1k"]),
        bad(&["-Y", "99999999999999999999"]),
    ];
    assert_cases_like_curl(&cases, dir.path());
}
