//! `-C -` / `-C N` (against nginx, which answers ranges, and a Python
//! origin that ignores them: curl's exit 33), `--output-dir`,
//! `--create-dirs`, `--no-clobber`, `--remove-on-error`, `--max-filesize`,
//! `-R` and no file for `-f`'s failure: each case runs in two fresh directories prepared the
//! same way, one for `fetch` and one for curl 7.88, and must leave the
//! same files, print the same stdout and exit with the same code.
mod common;
#[path = "common/echo.rs"]
mod echo;

use std::path::Path;

use common::*;
use echo::*;

#[test]
fn resume_and_output_directories_behave_as_in_curl() {
    let curl = require("curl", "curl");
    let body: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let nginx = start_nginx(&[("f.bin", &body), ("sub/g.txt", b"gee\n")], "");
    let echo = start_echo();
    let f = nginx.url("/f.bin");
    let g = nginx.url("/sub/g.txt");
    let e = echo.url("/e");
    let missing = nginx.url("/missing");
    let cd = |v: &str| {
        let enc: String = format!("Content-Disposition: {v}")
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' => char::from(b).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        echo.url(&format!("/a/path.txt?h={enc}"))
    };
    let evil = cd("attachment; filename=\"../../evil.txt\"");
    let plain = cd("inline; filename=plain.bin; size=3");
    let unnamed = echo.url("/a/noname.txt");
    // (files before the run, arguments)
    let half = &body[..40_000];
    let cases: Vec<(Vec<(&str, &[u8])>, Vec<&str>)> = vec![
        (vec![("f.bin", half)], vec!["-C", "-", "-o", "f.bin", &f]),
        (vec![("f.bin", half)], vec!["-C", "-", "-O", &f]),
        (vec![("f.bin", &body)], vec!["-C", "-", "-o", "f.bin", &f]),
        (
            vec![("f.bin", &body)],
            vec!["-C", "-", "-f", "-o", "f.bin", &f],
        ),
        (vec![("x", b"prefix")], vec!["-C", "99990", "-o", "x", &f]),
        (vec![], vec!["-C", "-", "-o", "new.bin", &f]),
        (vec![], vec!["-C", "99990", &f]),
        (vec![("e.out", b"abc")], vec!["-C", "-", "-o", "e.out", &e]),
        (vec![], vec!["-C", "x", &f]),
        (vec![], vec!["--create-dirs", "-o", "a/b/c.txt", &g]),
        (vec![], vec!["-o", "nodir/c.txt", &g]),
        (
            vec![],
            vec!["--output-dir", "out", "--create-dirs", "-O", &g],
        ),
        (
            vec![],
            vec![
                "--output-dir",
                "out",
                "--create-dirs",
                "-o",
                "d/x",
                &g,
                "-O",
                &f,
            ],
        ),
        (
            vec![("a", b"old")],
            vec!["--no-clobber", "-o", "a", &g, "-o", "a", &g],
        ),
        (
            vec![("a", b"old")],
            vec!["--no-clobber", "-C", "-", "-o", "a", &g],
        ),
        (vec![], vec!["--max-filesize", "10", "-o", "m", &f]),
        (vec![], vec!["--max-filesize", "1M", "-o", "m", &f]),
        (vec![], vec!["--max-filesize", "97k", "-o", "m", &f]),
        (vec![], vec!["-f", "-o", "keep.txt", &missing]),
        (vec![], vec!["-f", "-i", "-o", "heads.txt", &missing]),
        (
            vec![],
            vec![
                "--fail-with-body",
                "--remove-on-error",
                "-o",
                "r.txt",
                &missing,
            ],
        ),
        (vec![], vec!["--fail-with-body", "-o", "r.txt", &missing]),
        (vec![], vec!["-R", "-o", "lm.bin", &f]),
        (vec![], vec!["-A", "t", "-OJ", &evil]),
        (vec![("evil.txt", b"mine")], vec!["-A", "t", "-OJ", &evil]),
        (vec![], vec!["-A", "t", "-OJ", &unnamed, "-OJ", &plain]),
        (vec![], vec!["-A", "t", "-J", "-o", "out", &plain]),
        (
            vec![],
            vec![
                "-A",
                "t",
                "--output-dir",
                "d",
                "--create-dirs",
                "-OJ",
                &plain,
            ],
        ),
    ];
    let mut failures = Vec::new();
    for (before, args) in &cases {
        let mut full = vec!["-s".to_string()];
        full.extend(args.iter().map(|s| s.to_string()));
        let run_one = |bin: &Path| {
            let dir = tempfile::tempdir().expect("temp dir");
            for (name, bytes) in before {
                std::fs::write(dir.path().join(name), bytes).expect("write");
            }
            let ran = run_in(bin, &full, dir.path(), b"");
            // -R: the file's time, to the second.
            let mtime = std::fs::metadata(dir.path().join("lm.bin"))
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs());
            (ran.code, ran.stdout, (tree(dir.path()), mtime), ran.stderr)
        };
        let ours = run_one(&fetch_bin());
        let theirs = run_one(&curl);
        if (ours.0, &ours.1, &ours.2) != (theirs.0, &theirs.1, &theirs.2) {
            let names = |t: &[(String, Vec<u8>)]| {
                t.iter()
                    .map(|(n, b)| format!("{n} ({} bytes)", b.len()))
                    .collect::<Vec<_>>()
            };
            failures.push(format!(
                "{full:?}: fetch exit {} files {:?} stdout {} bytes; curl exit {} files {:?} stdout {} bytes; fetch stderr {}",
                ours.0,
                (names(&ours.2 .0), ours.2 .1),
                ours.1.len(),
                theirs.0,
                (names(&theirs.2 .0), theirs.2 .1),
                theirs.1.len(),
                ours.3
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
