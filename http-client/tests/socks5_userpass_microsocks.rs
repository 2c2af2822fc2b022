//! SOCKS5 with RFC 1929 user/password against microsocks.
mod common;
use common::*;

#[test]
fn user_password_accepted_wrong_or_missing_refused() {
    let nginx = start_nginx(&[("a.txt", b"authed\n")], "");
    let ms = start_microsocks(Some(("bob", "hunter2")));
    let url = nginx.url("/a.txt");

    let good = format!("socks5h://bob:hunter2@127.0.0.1:{}", ms.port);
    let out = fetch(&["-sS", "-x", &good, &url]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"authed\n");

    let plain = format!("socks5://127.0.0.1:{}", ms.port);
    let out = fetch(&["-sS", "-x", &plain, "-U", "bob:hunter2", &url]);
    assert_eq!(
        code(&out),
        0,
        "-U gives the SOCKS5 credentials: {}",
        stderr(&out)
    );

    let out = fetch(&["-sS", "-x", &plain, "-U", "bob:wrong", &url]);
    assert_eq!(code(&out), 97, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("authentication failed"),
        "{}",
        stderr(&out)
    );

    let out = fetch(&["-sS", "-x", &plain, &url]);
    assert_eq!(code(&out), 97, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("requires authentication"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn microsocks_answers_socks4_with_a_version_error() {
    let ms = start_microsocks(None);
    let proxy = format!("socks4://127.0.0.1:{}", ms.port);
    let out = fetch(&["-sS", "-x", &proxy, "http://127.0.0.1:9/"]);
    assert_eq!(code(&out), 97, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a SOCKS4 proxy"),
        "{}",
        stderr(&out)
    );
}
