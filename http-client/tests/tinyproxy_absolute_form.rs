//! Through tinyproxy, http:// requests go in absolute-form.
mod common;
use common::*;

#[test]
fn absolute_form_through_tinyproxy() {
    let nginx = start_nginx(&[("a.txt", b"via proxy\n")], "");
    let proxy = start_tinyproxy("");
    let out = fetch(&["-v", "-x", &proxy.url(""), &nginx.url("/a.txt")]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}\n{}", proxy.log("tinyproxy.log"));
    assert_eq!(out.stdout, b"via proxy\n");
    let want = format!("> GET {} HTTP/1.1", nginx.url("/a.txt"));
    assert!(err.contains(&want), "absolute-form target expected:\n{err}");
    assert!(
        err.contains(&format!(
            "Connected to 127.0.0.1 (127.0.0.1) port {}",
            proxy.port
        )),
        "{err}"
    );
}

#[test]
fn http_proxy_from_environment() {
    let nginx = start_nginx(&[("a.txt", b"env proxy\n")], "");
    let proxy = start_tinyproxy("");
    let out = fetch_env(
        &["-v", &nginx.url("/a.txt")],
        &[("http_proxy", &proxy.url(""))],
    );
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert_eq!(out.stdout, b"env proxy\n");
    assert!(
        err.contains(&format!("port {}", proxy.port)),
        "went through the proxy: {err}"
    );
}
