//! `-d`, `--data-ascii`, `--data-binary`, `--data-raw`, all five forms of
//! `--data-urlencode`, `--json` (repeated, `@file`, `@-`, with `-H`) and
//! `-G` with each: what the echo origin received is the same from `fetch`
//! as from curl, and so is the exit code.
mod common;
#[path = "common/echo.rs"]
mod echo;

use echo::*;

#[test]
fn data_flags_send_what_curl_sends() {
    let origin = start_echo();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("f.txt"), "a b\nc\r\n").expect("write");
    std::fs::write(dir.path().join("j.json"), "{\"k\":\n [1, 2]}\n").expect("write");
    let u = origin.url("/p");
    let q = origin.url("/p?x=1");
    let c = |args: &[&str]| {
        let mut v = vec!["-s", "-A", "t"];
        v.extend(args);
        Case::new(&v)
    };
    let cases = vec![
        c(&["-d", "a=1", "-d", "@f.txt", &u]),
        c(&["--data-ascii", "@f.txt", "--data-binary", "@f.txt", &u]),
        c(&["--data-raw", "@f.txt", "-d", "", "--data-raw", "x", &u]),
        c(&["--data-urlencode", "a b&c=d", &u]),
        c(&["--data-urlencode", "=a=b c", &u]),
        c(&["--data-urlencode", "name=é ~.-_*", &u]),
        c(&["--data-urlencode", "@f.txt", &u]),
        c(&[
            "--data-urlencode",
            "n@f.txt",
            "--data-urlencode",
            "a@b=c",
            &u,
        ]),
        c(&["--data-urlencode", "name=", "--data-urlencode", "", &u]),
        c(&["--data-urlencode", "s@-", &u]).stdin(b"from stdin\n"),
        c(&["--json", "{\"a\":1}", "--json", "[2]", &u]),
        c(&["-d", "x", "--json", "y", "-d", "z", "--json", "w", &u]),
        c(&["--json", "@j.json", &u]),
        c(&["--json", "@-", &u]).stdin(b"{\"in\": true}\n"),
        c(&["-H", "X-A: 1", "--json", "{}", "-H", "X-B: 2", &u]),
        c(&[
            "-H",
            "content-type: text/x",
            "-H",
            "Accept:",
            "--json",
            "{}",
            &u,
        ]),
        c(&["-H", "Content-Type: a/b", "-d", "x", &u]),
        c(&["-G", "-d", "a=1", "--data-urlencode", "b=c d", &q]),
        c(&["-G", "--data-raw", "r", "--data-binary", "@f.txt", &u]),
        c(&["-G", "-I", "-d", "a=1", &u]),
        c(&["-X", "PUT", "--data-raw", "put", &u]),
        c(&["-d", "@missing-file", &u]),
    ];
    assert_cases_like_curl(&cases, dir.path());
}
