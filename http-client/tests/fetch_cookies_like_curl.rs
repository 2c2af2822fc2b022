//! The cookie engine against curl 7.88 on the same commands: `-c` writes
//! the jar in curl's Netscape format (every attribute: Domain, Path,
//! Secure, HttpOnly, Expires, deletion), `-b FILE` reads Netscape files
//! and `Set-Cookie` lines, `-j` drops session cookies, `-b STRING` joins
//! the engine's cookies, and cookies go across `-L` redirects (to other
//! hosts by the domain rules) and across the URLs of one command. Names
//! are pinned to 127.0.0.1 with `--resolve`; no DNS.
mod common;
#[path = "common/echo.rs"]
mod echo;

use echo::*;

#[test]
fn cookies_are_kept_and_sent_as_curl_does() {
    let origin = start_echo();
    let dir = tempfile::tempdir().expect("temp dir");
    let port = origin.addr().port();
    let resolve: Vec<String> = ["www.example.com", "example.com", "other.org"]
        .iter()
        .map(|h| format!("{h}:{port}:127.0.0.1"))
        .collect();
    let www = |p: &str| format!("http://www.example.com:{port}{p}");
    let apex = |p: &str| format!("http://example.com:{port}{p}");
    let other = |p: &str| format!("http://other.org:{port}{p}");
    let local = |p: &str| origin.url(p);
    let exp = "Expires=Thu, 01 Jan 2037 00:00:00 GMT";
    let set_many = set_cookie_query(&[
        "s=1",
        "t=2; Path=/x/",
        &format!("d=3; Domain=example.com; {exp}"),
        "dot=3; Domain=.example.com; Path=/",
        "h=4; HttpOnly",
        "sec=5; Secure",
        "bad=6; Domain=other.org",
        "tld=7; Domain=com",
        "gone=8; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        "q=9; Path=/cookies",
        "tab=a\tb",
        "=noname",
        "novalue",
    ]);
    let netscape = concat!(
        "# Netscape HTTP Cookie File\n",
        ".example.com\tTRUE\t/\tFALSE\t0\tsession\t1\n",
        "www.example.com\tFALSE\t/cookies\tFALSE\t2114380800\tpathed\t2\n",
        "www.example.com\tFALSE\t/\tTRUE\t2114380800\tsecure\t3\n",
        "#HttpOnly_.example.com\tTRUE\t/\tFALSE\t2114380800\tho\t4\n",
        "www.example.com\tFALSE\t/\tFALSE\t1\texpired\t5\n",
        "other.org\tFALSE\t/\tFALSE\t0\telsewhere\t6\n",
        "127.0.0.1\tFALSE\t/\tTRUE\t0\tlocal\t7\n"
    );
    std::fs::write(dir.path().join("jar.txt"), netscape).expect("write");
    std::fs::write(
        dir.path().join("headers.txt"),
        "Set-Cookie: fromfile=1; Path=/\nset-cookie: other=2; Domain=example.com\n",
    )
    .expect("write");
    let redirect_setting = www(&format!(
        "/cookies/r?{}&to={}",
        set_cookie_query(&["hop=1; Domain=example.com; Path=/", "hostonly=2; Path=/"]),
        apex("/after")
    ));
    let to_other = www(&format!(
        "/r?{}&to={}",
        set_cookie_query(&["mine=1; Path=/"]),
        other("/there")
    ));
    let c = |args: &[&str]| {
        let mut v: Vec<String> = vec!["-s".into(), "-A".into(), "t".into()];
        for r in &resolve {
            v.push("--resolve".into());
            v.push(r.clone());
        }
        v.extend(args.iter().map(|s| s.to_string()));
        Case {
            args: v,
            stdin: Vec::new(),
        }
    };
    let cases = vec![
        c(&["-c", "-", &www(&format!("/cookies/set?{set_many}"))]),
        c(&[
            "-c",
            "-",
            "-b",
            "",
            &www(&format!("/cookies/set?{set_many}")),
            &www("/cookies/x"),
            &apex("/x/y"),
        ]),
        c(&["-b", "jar.txt", &www("/cookies/deep")]),
        c(&["-b", "jar.txt", &apex("/")]),
        c(&["-b", "jar.txt", &local("/")]),
        c(&["-b", "jar.txt", "-j", "-c", "-", &www("/")]),
        c(&["-b", "headers.txt", &other("/any")]),
        c(&["-b", "headers.txt", "-c", "-", &www("/")]),
        c(&["-b", "jar.txt", "-b", "k=v", "-b", "k2=v2", &www("/")]),
        c(&["-b", "k=v", &www("/")]),
        c(&["-b", "k=v", "-H", "Cookie: mine=1", &www("/")]),
        c(&["-L", "-b", "", "-c", "-", &redirect_setting]),
        c(&["-L", "-b", "", "-b", "fixed=1", &to_other]),
        c(&["-b", "missing-file", "-c", "-", &local("/")]),
        c(&[
            "-c",
            "-",
            &local(&format!(
                "/?{}",
                set_cookie_query(&["a=1; Domain=127.0.0.1", "b=2; Domain=0.0.1", "c=3; Secure"])
            )),
        ]),
    ];
    assert_cases_like_curl(&cases, dir.path());
}
