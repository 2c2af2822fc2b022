//! SOCKS4 and SOCKS5 (local and remote resolution) through dante-server.
mod common;
use common::*;

#[test]
fn socks4_socks5_and_socks5h_through_dante() {
    let nginx = start_nginx(&[("a.txt", b"socks ok\n")], "");
    let dante = start_danted();
    let by_name = format!("http://localhost:{}/a.txt", nginx.port);
    for scheme in ["socks4", "socks5", "socks5h"] {
        let proxy = format!("{scheme}://127.0.0.1:{}", dante.port);
        let out = fetch(&["-sS", "-x", &proxy, &by_name, &nginx.url("/a.txt")]);
        assert_eq!(
            code(&out),
            0,
            "{scheme}: {}\n{}",
            stderr(&out),
            dante.log("danted.log")
        );
        assert_eq!(out.stdout, b"socks ok\nsocks ok\n", "{scheme}");
    }
}

#[test]
fn socks4a_is_refused_by_dante_with_a_clear_error() {
    let nginx = start_nginx(&[("a.txt", b"x")], "");
    let dante = start_danted();
    let proxy = format!("socks4a://127.0.0.1:{}", dante.port);
    let out = fetch(&[
        "-sS",
        "-x",
        &proxy,
        &format!("http://localhost:{}/a.txt", nginx.port),
    ]);
    assert_eq!(code(&out), 97, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("SOCKS4 request rejected or failed (0x5b)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn socks5_target_refused_is_named() {
    let dante = start_danted();
    let closed = free_port();
    let proxy = format!("socks5://127.0.0.1:{}", dante.port);
    let out = fetch(&["-sS", "-x", &proxy, &format!("http://127.0.0.1:{closed}/")]);
    assert_eq!(code(&out), 97, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("SOCKS5"), "{err}");
}
