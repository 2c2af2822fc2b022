//! -p tunnels through tinyproxy with CONNECT; the origin sees origin-form.
mod common;
use common::*;

#[test]
fn connect_tunnel_through_tinyproxy() {
    let nginx = start_nginx(&[("a.txt", b"tunnelled\n")], "");
    let proxy = start_tinyproxy("");
    let a = nginx.url("/a.txt");
    let out = fetch(&["-v", "-p", "-x", &proxy.url(""), &a, &a]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}\n{}", proxy.log("tinyproxy.log"));
    assert_eq!(out.stdout, b"tunnelled\ntunnelled\n");
    assert!(
        err.contains(&format!("> CONNECT 127.0.0.1:{} HTTP/1.1", nginx.port)),
        "{err}"
    );
    assert!(
        err.contains("< HTTP/1.0 200 Connection established"),
        "{err}"
    );
    assert!(
        err.contains("> GET /a.txt HTTP/1.1"),
        "origin-form inside the tunnel: {err}"
    );
    // The tunnel stays open: the second URL reuses it.
    assert!(err.contains("Re-using existing connection #0"), "{err}");
}
