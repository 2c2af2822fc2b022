//! `-Z`/`--parallel` and `--parallel-max`: URLs that each take 400 ms
//! finish together (and one at a time with `--parallel-max 1`), every
//! transfer's output (with its own `-i` heads) lands in its own file as
//! with curl 7.88, and the exit code is curl's (the last failure).
mod common;
#[path = "common/echo.rs"]
mod echo;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use echo::*;

#[test]
fn parallel_transfers_overlap_and_write_what_curl_writes() {
    let curl = require("curl", "curl");
    let origin = start_echo();
    let slow = |n: u32| origin.url(&format!("/s{n}?sleep=400"));
    let closed = format!("http://127.0.0.1:{}/", free_port());
    // Six 400 ms answers at once take about 400 ms, not 2.4 s.
    let urls: Vec<String> = (0..6).map(slow).collect();
    let mut args: Vec<&str> = vec!["-s", "-Z", "-o", "/dev/null"];
    for u in &urls {
        args.extend(["-o", "/dev/null", u.as_str()]);
    }
    let t0 = Instant::now();
    let out = fetch(&args);
    let together = t0.elapsed();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        together < Duration::from_millis(1500),
        "-Z took {together:?}"
    );
    let mut args = vec!["--parallel-max", "1"];
    args.extend(["-s", "-Z"]);
    for u in &urls[..3] {
        args.extend(["-o", "/dev/null", u.as_str()]);
    }
    let t0 = Instant::now();
    assert_eq!(code(&fetch(&args)), 0);
    assert!(
        t0.elapsed() >= Duration::from_millis(1100),
        "{:?}",
        t0.elapsed()
    );

    let g = origin.url("/g/{a,b,c}?sleep=100");
    let cases: Vec<Vec<String>> = vec![
        vec![
            "-Z".into(),
            "-i".into(),
            "-o".into(),
            "one".into(),
            slow(1),
            "-o".into(),
            "two".into(),
            slow(2),
        ],
        vec!["-Z".into(), "-o".into(), "f_#1".into(), g.clone()],
        vec![
            "-Z".into(),
            "-o".into(),
            "ok".into(),
            slow(3),
            "-o".into(),
            "no".into(),
            closed.clone(),
        ],
        vec![
            "--parallel".into(),
            "--parallel-immediate".into(),
            "-o".into(),
            "no".into(),
            closed.clone(),
            "-o".into(),
            "ok".into(),
            slow(4),
        ],
    ];
    for args in &cases {
        let mut full = vec!["-s".to_string(), "-A".into(), "t".into()];
        full.extend(args.iter().cloned());
        let run_one = |bin: &Path| {
            let dir = tempfile::tempdir().expect("temp dir");
            let ran = run_in(bin, &full, dir.path(), b"");
            (ran.code, tree(dir.path()))
        };
        let ours = run_one(&fetch_bin());
        let theirs = run_one(&curl);
        assert_eq!(ours, theirs, "{full:?}");
    }
}
