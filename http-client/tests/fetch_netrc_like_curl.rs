//! `--netrc-file`, `--netrc-optional` (and `-u` over both): the
//! `Authorization` the echo origin receives is curl 7.88's, for a named
//! machine, the `default` entry, and against credentials in the URL.
mod common;
#[path = "common/echo.rs"]
mod echo;

use echo::*;

#[test]
fn netrc_credentials_as_curl_sends_them() {
    let origin = start_echo();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("nrc"),
        "machine a.test login ann password \"p w\"\nmacdef init\ncd /\n\ndefault login any password pd\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("nodefault"),
        "machine a.test login ann password x\n",
    )
    .expect("write");
    let port = origin.addr().port();
    let pin = format!("a.test:{port}:127.0.0.1");
    let a = format!("http://a.test:{port}/p");
    let a_creds = format!("http://u:p@a.test:{port}/p");
    let local = origin.url("/l");
    let c = |args: &[&str]| {
        let mut v = vec!["-s", "-A", "t", "--resolve", &pin];
        v.extend(args);
        Case::new(&v)
    };
    let cases = vec![
        c(&["--netrc-file", "nrc", &a]),
        c(&["--netrc-file", "nrc", &local]),
        c(&["--netrc-file", "nodefault", &local]),
        c(&["--netrc-file", "nrc", &a_creds]),
        c(&["--netrc-optional", "--netrc-file", "nrc", &a_creds]),
        c(&["--netrc-optional", "--netrc-file", "nrc", &a]),
        c(&["-u", "x:y", "--netrc-file", "nrc", &a]),
        c(&["--netrc-file", "missing", &a]),
    ];
    assert_cases_like_curl(&cases, dir.path());
}
