//! `-:`/`--next`: options before it belong to the URLs before it, the
//! next set starts afresh (method, headers, data, `-i`, `-w`, outputs),
//! while curl 7.88's global options (`-s`, `-S`, `-v`, `-Z` ...) hold for
//! every set, the last given winning; a `-:` before any URL starts
//! nothing; a last set without a URL is curl's "no URL specified!" (exit
//! 2, or the last transfer's failure); the sets share one cookie engine,
//! used by each set that turns it on. Each case: the same stdout and exit
//! code as curl.
mod common;
#[path = "common/echo.rs"]
mod echo;

use common::free_port;
use echo::*;

#[test]
fn next_separates_option_sets_as_curl_does() {
    let origin = start_echo();
    let dir = tempfile::tempdir().expect("temp dir");
    let u = origin.url("/one");
    let v = origin.url("/two");
    let closed = format!("http://127.0.0.1:{}/", free_port());
    let set = origin.url(&format!("/set?{}", set_cookie_query(&["s=1; Path=/"])));
    let config = format!("-A t\nurl = \"{u}\"\ndata = \"k=1\"\nnext\n-A t\nurl = \"{v}\"\n");
    std::fs::write(dir.path().join("next.cfg"), config).expect("write");
    let c = |args: &[&str]| Case::new(args);
    let cases = vec![
        c(&["-s", "-A", "t", "-d", "a=1", &u, "-:", "-A", "t", &v]),
        c(&[
            "-s", "-A", "t", "-H", "X-A: 1", &u, "--next", "-A", "t", "-H", "X-B: 2", &v,
        ]),
        c(&["-A", "t", "-i", &u, "-:", "-s", "-A", "t", "-X", "PUT", &v]),
        c(&[
            "-s",
            "-A",
            "t",
            "-w",
            "[%{urlnum} %{method}]",
            &u,
            &v,
            "-:",
            "-A",
            "t",
            &u,
        ]),
        c(&["-s", "-A", "t", "-o", "-", &u, "-:", "-A", "t", "-I", &v]),
        c(&["-s", "-:", "-A", "t", "-:", &u]),
        c(&["-s", "-A", "t", &u, "-:", "-d", "-:", "-A", "t", &v]),
        c(&["-s", "-A", "t", &u, "-:"]),
        c(&["-s", &closed, "-:", "-A", "t", &u, "-:"]),
        c(&["-s", "-A", "t", &u, "-:", &closed]),
        c(&["-s", &closed, "-:", "-A", "t", &u, "-:", "-Z"]),
        c(&["-s", "-A", "t", &u, "-:", "--bogus", &v]),
        c(&["-sK", "next.cfg"]),
        // One cookie engine for the run, on in each set that asks for it.
        c(&["-s", "-A", "t", "-b", "", &set, "-:", "-A", "t", &v]),
        c(&[
            "-s", "-A", "t", "-b", "", &set, "-:", "-A", "t", "-b", "", &v,
        ]),
        c(&[
            "-s", "-A", "t", "-c", "jar.txt", &set, "-:", "-A", "t", "-b", "jar.txt", &v,
        ]),
    ];
    assert_cases_like_curl(&cases, dir.path());
}
