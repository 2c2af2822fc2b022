//! tinyproxy with BasicAuth: 407 without credentials, success with -U,
//! for absolute-form and for CONNECT.
mod common;
use common::*;

#[test]
fn proxy_auth_required_and_given() {
    let nginx = start_nginx(&[("a.txt", b"secret\n")], "");
    let proxy = start_tinyproxy("BasicAuth alice s3cret");
    let url = nginx.url("/a.txt");
    let p = proxy.url("");

    // Absolute-form without credentials: the 407 is the response (exit 0, 22 with -f).
    let out = fetch(&[
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-x",
        &p,
        &url,
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "407",
        "{}",
        stderr(&out)
    );
    let out = fetch(&["-sf", "-x", &p, &url]);
    assert_eq!(code(&out), 22);

    // With -U (and with credentials in the proxy URL) it passes.
    let out = fetch(&["-s", "-x", &p, "-U", "alice:s3cret", &url]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"secret\n");
    let with_userinfo = format!("http://alice:s3cret@127.0.0.1:{}", proxy.port);
    let out = fetch(&["-s", "-x", &with_userinfo, &url]);
    assert_eq!(out.stdout, b"secret\n", "{}", stderr(&out));

    // CONNECT refused with 407: curl's exit 56 and a clear message.
    let out = fetch(&["-sS", "-p", "-x", &p, &url]);
    assert_eq!(code(&out), 56, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("CONNECT tunnel failed, response 407"),
        "{}",
        stderr(&out)
    );
    let out = fetch(&["-s", "-p", "-x", &p, "-U", "alice:s3cret", &url]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"secret\n");
}
