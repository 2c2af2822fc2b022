//! `-Z` without `-s` draws curl 7.88's combined progress line on stderr
//! (stderr a pipe): its header, a first line once the first transfers
//! started (nothing received yet), and a last line with the totals (DL%,
//! Dled, Xfers, Live 0, cut to curl's columns) ended by a newline; error
//! lines land between them as curl's do. The speed (and, for a slow run,
//! the times) depend on timing and are masked. With `-s` fetch draws
//! nothing, where curl 7.88 draws the line anyway.
mod common;
#[path = "common/echo.rs"]
mod echo;

use common::{fetch_bin, free_port, require, start_python_http_server};
use echo::run_in;

/// A meter line with its timing columns masked: Current (from 42) and
/// Speed (from 60), after the leading '\r' is gone.
fn masked(line: &str) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    for range in [42..50, 60..65] {
        for i in range {
            if let Some(c) = chars.get_mut(i) {
                *c = '#';
            }
        }
    }
    chars.into_iter().collect()
}

/// An error line's words are each program's: only its code is kept.
fn error_code(piece: &str) -> String {
    for prog in ["fetch: (", "curl: ("] {
        if let Some(i) = piece.find(prog) {
            let code = piece[i + prog.len()..].split(')').next().unwrap_or("");
            return format!("{}<error {code}>", &piece[..i]);
        }
    }
    piece.to_string()
}

/// The header, the first line and the last line of a meter, masked, and
/// what else stderr held (error lines, their codes), in order.
fn shape(stderr: &str) -> Vec<String> {
    let pieces: Vec<String> = stderr
        .split(['\r', '\n'])
        .filter(|p| !p.is_empty())
        .map(error_code)
        .collect();
    let (meter, other): (Vec<&String>, Vec<&String>) = pieces.iter().partition(|p| {
        p.starts_with("DL%")
            || p.starts_with("-- ")
            || p.starts_with(|c: char| c.is_ascii_digit() || c == ' ')
    });
    let mut out: Vec<String> = Vec::new();
    // The header, the first line and the last (lines between depend on
    // how long the run took).
    if let (Some(header), Some(first), Some(last)) = (meter.first(), meter.get(1), meter.last()) {
        out.extend([header.to_string(), masked(first), masked(last)]);
    }
    out.extend(other.iter().map(|l| l.to_string()));
    out.push(format!("ends with newline: {}", stderr.ends_with('\n')));
    out
}

#[test]
fn parallel_meter_draws_what_curl_draws() {
    let curl = require("curl", "curl");
    let origin = start_python_http_server(&[("a", &[b'a'; 6]), ("big", &[b'b'; 200_000])]);
    let (a, big) = (origin.url("/a"), origin.url("/big"));
    let closed = format!("http://127.0.0.1:{}/", free_port());
    let cases: Vec<Vec<&str>> = vec![
        vec!["-Z", "-o", "x", &a, "-o", "y", &big],
        vec!["-Z", "-o", "x", &a],
        vec![
            "-Z",
            "--parallel-max",
            "1",
            "-o",
            "x",
            &a,
            "-o",
            "y",
            &a,
            "-o",
            "z",
            &closed,
        ],
    ];
    let mut failures = Vec::new();
    for case in &cases {
        let args: Vec<String> = case.iter().map(|s| s.to_string()).collect();
        let dir = tempfile::tempdir().expect("temp dir");
        let ours = run_in(&fetch_bin(), &args, dir.path(), b"");
        let theirs = run_in(&curl, &args, dir.path(), b"");
        let (o, t) = (shape(&ours.stderr), shape(&theirs.stderr));
        if o != t || ours.code != theirs.code {
            failures.push(format!(
                "{args:?}: exit {} vs {}\n{o:#?}\nvs\n{t:#?}",
                ours.code, theirs.code
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));

    // -s: no line. Deliberately unlike curl 7.88, which draws it anyway.
    let args: Vec<String> = ["-Z", "-s", "-o", "x", &a, "-o", "y", &big]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let ours = run_in(&fetch_bin(), &args, dir.path(), b"");
    assert_eq!((ours.code, ours.stderr.as_str()), (0, ""));
}
