//! `--connect-to`, `-4`/`-6` (with `--resolve`), `--post301`/`--post302`/
//! `--post303`, `--location-trusted`, `-N` and `-q`: what the echo origin
//! receives and what is printed are curl 7.88's.
mod common;
#[path = "common/echo.rs"]
mod echo;

use echo::*;

#[test]
fn routing_and_redirect_flags_as_in_curl() {
    let origin = start_echo();
    let dir = tempfile::tempdir().expect("temp dir");
    let port = origin.addr().port();
    let to = |code: u16| origin.url(&format!("/r?code={code}&to=/after"));
    let pin = |h: &str| format!("{h}:{port}:127.0.0.1");
    let other = format!("http://other.test:{port}/x");
    let c = |args: &[&str]| {
        let mut v = vec!["-s", "-A", "t"];
        v.extend(args);
        Case::new(&v)
    };
    let ct1 = format!("a.test:80:127.0.0.1:{port}");
    let ct2 = format!("::127.0.0.1:{port}");
    let pin_x = pin("x.test");
    let pin_other = pin("other.test");
    let x = format!("http://x.test:{port}/p");
    let trusted = origin.url(&format!("/r?to={other}"));
    let cases = vec![
        c(&["--connect-to", &ct1, "http://a.test/p"]),
        c(&["--connect-to", &ct2, "http://b.test:1234/p"]),
        c(&["-4", "--resolve", &pin_x, &x]),
        c(&["-L", "-d", "x", &to(301)]),
        c(&["-L", "--post301", "-d", "x", &to(301)]),
        c(&["-L", "--post302", "-d", "x", &to(302)]),
        c(&["-L", "--post303", "-d", "x", &to(303)]),
        c(&["-L", "--post301", "-d", "x", &to(302)]),
        c(&["-L", "-u", "a:b", "--resolve", &pin_other, &trusted]),
        c(&[
            "--location-trusted",
            "-u",
            "a:b",
            "--resolve",
            &pin_other,
            &trusted,
        ]),
        c(&["-N", &origin.url("/n")]),
        c(&["-q", &origin.url("/q")]),
    ];
    assert_cases_like_curl(&cases, dir.path());
}
