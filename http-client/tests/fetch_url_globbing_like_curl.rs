//! URL globbing (`{a,b}`, `[1-10]`, `[01-10:3]`, `[a-e:2]`, several globs,
//! `\{` escapes, `-g`), `#N` in `-o` names, `-O` per URL argument and
//! `%{urlnum}`: each case runs in a fresh directory for `fetch` and for
//! curl 7.88 and must leave the same files, stdout and exit code.
mod common;
#[path = "common/echo.rs"]
mod echo;

use std::path::Path;

use common::*;
use echo::*;

#[test]
fn globs_expand_as_in_curl() {
    let curl = require("curl", "curl");
    let origin = start_echo();
    let base = origin.url("").trim_end_matches('/').to_string();
    let u = |p: &str| format!("{base}{p}");
    let w = "%{url_effective} %{urlnum}\\n";
    let cases: Vec<Vec<String>> = vec![
        vec![u("/{a,b}/[1-2]")],
        vec![
            "-w".into(),
            w.into(),
            "-o".into(),
            "/dev/null".into(),
            u("/[01-10:3]"),
        ],
        vec![
            "-w".into(),
            w.into(),
            "-o".into(),
            "/dev/null".into(),
            u("/[a-e:2]x"),
            u("/{p,q}"),
        ],
        vec![u("/[5-1]")],
        vec![u("/{a")],
        vec![
            "-w".into(),
            w.into(),
            "-o".into(),
            "/dev/null".into(),
            u("/\\{a,b\\}"),
        ],
        vec![
            "-g".into(),
            "-w".into(),
            w.into(),
            "-o".into(),
            "/dev/null".into(),
            u("/{a,b}"),
        ],
        vec!["-o".into(), "f_#1_#2_#3.txt".into(), u("/{x,y}/[1-2]")],
        vec!["-o".into(), "same.txt".into(), u("/{x,y}")],
        vec!["-O".into(), u("/p{1,2}")],
        vec![
            "-o".into(),
            "a_#1".into(),
            u("/{1,2}"),
            "-o".into(),
            "b".into(),
            u("/z"),
        ],
    ];
    let mut failures = Vec::new();
    for args in &cases {
        let mut full = vec!["-s".to_string(), "-A".into(), "t".into()];
        full.extend(args.iter().cloned());
        let run_one = |bin: &Path| {
            let dir = tempfile::tempdir().expect("temp dir");
            let ran = run_in(bin, &full, dir.path(), b"");
            (ran.code, ran.stdout, tree(dir.path()))
        };
        let ours = run_one(&fetch_bin());
        let theirs = run_one(&curl);
        if ours != theirs {
            failures.push(format!(
                "{full:?}:\n fetch {} {:?} {:?}\n curl  {} {:?} {:?}",
                ours.0,
                String::from_utf8_lossy(&ours.1),
                ours.2.iter().map(|(n, _)| n).collect::<Vec<_>>(),
                theirs.0,
                String::from_utf8_lossy(&theirs.1),
                theirs.2.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
