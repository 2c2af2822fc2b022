//! `--trace FILE` and `--trace-ascii FILE` write curl 7.88's trace: the
//! same `=> Send header`, `<= Recv header` (one block per line), `=> Send
//! data` and `<= Recv data` blocks, byte for byte, hex or text, to a file
//! or to stdout with "-" (the `== Info:` notes are ours and are left out
//! of the comparison). The last of `-v`, `--trace`, `--trace-ascii` wins
//! and the trace is global across `-:`. Unlike curl, the values of
//! `Authorization` and `Cookie` are written as "[redacted]", and with
//! `-L` the bodies of redirect responses (dropped inside the client) are
//! not traced.
mod common;
#[path = "common/echo.rs"]
mod echo;

use common::fetch_bin;
use echo::*;

/// The trace without the `== Info:` lines (their words are each program's).
fn blocks(trace: &[u8]) -> String {
    String::from_utf8_lossy(trace)
        .lines()
        .filter(|l| !l.starts_with("== Info:"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn traces_hold_curls_blocks() {
    let curl = common::require("curl", "curl");
    let origin = start_echo();
    let u = origin.url("/t");
    let redirect = origin.url(&format!("/r?to={u}"));
    let cases: Vec<Vec<&str>> = vec![
        vec!["--trace", "tr.txt", "-o", "out", &u],
        vec!["--trace-ascii", "tr.txt", "-o", "out", "-d", "a=1&b=2", &u],
        // A redirect's own body is read and dropped inside the client:
        // its Recv data block is the one curl has and fetch has not.
        vec!["--trace-ascii", "tr.txt", "-o", "out", "-i", &redirect],
        vec![
            "--trace",
            "-",
            "-o",
            "out",
            "-H",
            "X-Long: 0123456789abcdef0123456789",
            &u,
        ],
        vec!["-v", "--trace-ascii", "tr.txt", "-o", "out", &u],
        vec!["--trace-ascii", "tr.txt", "-v", "-o", "out", &u],
        vec![
            "--trace-ascii",
            "tr.txt",
            "-o",
            "out",
            &u,
            "-:",
            "-A",
            "t",
            "-o",
            "out2",
            "-X",
            "PUT",
            &u,
        ],
    ];
    let mut failures = Vec::new();
    for case in &cases {
        let mut args: Vec<String> = vec!["-s".into(), "-A".into(), "t".into()];
        args.extend(case.iter().map(|s| s.to_string()));
        let one = |bin: &std::path::Path| {
            let dir = tempfile::tempdir().expect("temp dir");
            let ran = run_in(bin, &args, dir.path(), b"");
            let file = std::fs::read(dir.path().join("tr.txt")).ok();
            (ran.code, blocks(&ran.stdout), file.as_deref().map(blocks))
        };
        let (ours, theirs) = (one(&fetch_bin()), one(&curl));
        if ours != theirs {
            failures.push(format!(
                "{args:?}\n--- fetch\n{ours:?}\n--- curl\n{theirs:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));

    // Credentials never reach the trace.
    let dir = tempfile::tempdir().expect("temp dir");
    let args: Vec<String> = [
        "-s",
        "-u",
        "user:pw",
        "-b",
        "c=secret",
        "--trace-ascii",
        "-",
        "-o",
        "out",
        &u,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let ran = run_in(&fetch_bin(), &args, dir.path(), b"");
    let trace = String::from_utf8_lossy(&ran.stdout);
    // The request as sent (the echo origin's answer repeats it, so the
    // Recv data block holds what it received).
    let sent = trace.split("<= Recv").next().unwrap_or("");
    assert!(
        sent.contains("Authorization: [redacted]") && sent.contains("Cookie: [redacted]"),
        "{trace}"
    );
    assert!(
        !sent.contains("dXNlcjpwdw==") && !sent.contains("secret"),
        "{trace}"
    );
}
