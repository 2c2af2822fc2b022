//! The command line as curl reads it: repeated switches, `--no-` forms,
//! combined short switches, shortened long names, `--url`, `-K` config
//! files (and `-K -`); an unknown option or a missing value exits 2 with
//! curl's words. Each case: the same stdout and exit code as curl 7.88.
mod common;
#[path = "common/echo.rs"]
mod echo;

use common::require;
use echo::*;

#[test]
fn switches_repeat_negate_and_combine_as_in_curl() {
    let origin = start_echo();
    let dir = tempfile::tempdir().expect("temp dir");
    let u = origin.url("/p");
    let redirect = origin.url(&format!("/redirect?to={u}"));
    let missing = origin.url("/status/404");
    let config = "# a comment\nurl = \"URL\"\n  silent\n-A t\nheader: \"X-Q: a \\\"b\\\"\"\ndata-raw=\"x y\"\n"
        .replace("URL", &u);
    std::fs::write(dir.path().join("curl.cfg"), &config).expect("write");
    let c = |args: &[&str]| Case::new(args);
    let cases = vec![
        c(&["-s", "-s", "-A", "t", "-A", "t", &u]),
        c(&["-s", "-A", "t", "-L", "-L", &redirect]),
        c(&["-sSL", "-A", "t", &redirect]),
        c(&["-s", "-A", "t", "-i", "-L", "--no-location", &redirect]),
        c(&["-s", "-A", "t", "--no-location", "-L", &redirect]),
        c(&["-sSfLo", "-", "-A", "t", &redirect]),
        c(&["-sSf", &missing]),
        c(&["-s", "-f", "--no-fail", "-A", "t", &missing]),
        c(&["-s", "--no-include", "-i", "-A", "t", &u]),
        c(&[
            "--silen",
            "--max-red",
            "1",
            "-L",
            "--user-ag",
            "t",
            &redirect,
        ]),
        c(&["-s", "--data-", "x", &u]),
        c(&["-s", "-A", "t", "--url", &u, "--url", &redirect, "-L"]),
        c(&["-K", "curl.cfg"]),
        c(&["-sK", "curl.cfg", "-d", "after"]),
        c(&["--config", "-"]).stdin(config.as_bytes()),
        c(&["-s", "--foo", &u]),
        c(&["-s", &u, "-o"]),
        c(&["-s", "--no-output", "x", &u]),
        c(&["-s", "--retry", "many", &u]),
    ];
    assert_cases_like_curl(&cases, dir.path());
}

#[test]
fn usage_errors_say_what_curl_says() {
    let curl = require("curl", "curl");
    let dir = tempfile::tempdir().expect("temp dir");
    for args in [
        &["--foo", "http://127.0.0.1:9/"][..],
        &["http://127.0.0.1:9/", "-o"],
        &["--no-output", "x", "http://127.0.0.1:9/"],
        &["-d"],
    ] {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let ours = run_in(&common::fetch_bin(), &args, dir.path(), b"");
        let theirs = run_in(&curl, &args, dir.path(), b"");
        let first = |s: &str| s.lines().next().unwrap_or("").to_string();
        assert_eq!(
            first(&ours.stderr),
            first(&theirs.stderr).replace("curl:", "fetch:"),
            "{args:?}"
        );
        assert_eq!((ours.code, theirs.code), (2, 2), "{args:?}");
    }
}
