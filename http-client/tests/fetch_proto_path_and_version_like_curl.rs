//! `--proto`, `--proto-redir` (curl's list syntax, exit 1 for a scheme
//! left out, on the first URL and on redirects), `--path-as-is`, and
//! `-0`/`--http1.0`/`--http1.1` (the request line, no `Expect`): the same
//! stdout and exit codes as curl 7.88 against the echo origin.
mod common;
#[path = "common/echo.rs"]
mod echo;

use echo::*;

#[test]
fn protocols_paths_and_versions_as_in_curl() {
    let origin = start_echo();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("big.bin"), vec![1u8; 1_200_000]).expect("write");
    let u = origin.url("/p");
    let to_http = origin.url(&format!("/r?to={}", origin.url("/x")));
    let to_rel = origin.url("/r?to=/x");
    let dots = format!("{}/a/../b/./c/..", u.trim_end_matches("/p"));
    let w = "%{http_code} %{num_redirects}\\n";
    let c = |args: &[&str]| {
        let mut v = vec!["-s", "-A", "t"];
        v.extend(args);
        Case::new(&v)
    };
    let cases = vec![
        c(&["--proto", "=https", &u]),
        c(&["--proto", "-http", &u]),
        c(&["--proto", "-all,+http", &u]),
        c(&["--proto", "=https,http", &u]),
        c(&["--proto", "bogus", &u]),
        c(&["--proto", "=bogus", &u]),
        c(&["-L", "--proto-redir", "=https", "-w", w, &to_http]),
        c(&["-L", "--max-redirs", "0", "-w", w, &to_rel]),
        c(&["-L", "--proto", "=http", &to_rel]),
        c(&["-L", "--proto-redir", "-all", &to_rel]),
        c(&["--path-as-is", &dots]),
        c(&[&dots]),
        c(&["-0", &u]),
        c(&["--http1.0", "-d", "x=1", &u]),
        c(&["-0", "--http1.1", &u]),
        c(&["--http1.1", "-0", &u]),
        c(&[
            "-0",
            "--data-binary",
            "@big.bin",
            "-o",
            "/dev/null",
            "-w",
            w,
            &u,
        ]),
    ];
    assert_cases_like_curl(&cases, dir.path());
}
