//! HTTPS (issue 10) through proxies, TLS to the origin after the tunnel:
//! an HTTP proxy (tinyproxy) always gets CONNECT for an https URL, even
//! without `-p`; SOCKS5 (dante) and SOCKS5h (microsocks) carry the
//! session too. The certificate is checked against the origin's name.
mod common;
#[path = "common/tls.rs"]
mod tls;

use common::*;
use tls::*;

fn origin(fx: &TlsFixture) -> NginxTls {
    start_nginx_tls_good(fx, &[("a.txt", b"through the tunnel\n")])
}

#[test]
fn https_through_tinyproxy_uses_connect() {
    let fx = TlsFixture::new();
    let nginx = origin(&fx);
    let proxy = start_tinyproxy("");
    let ca = fx.ca.display().to_string();
    let url = format!("https://localhost:{}/a.txt", nginx.port("good"));
    let out = fetch(&["-v", "--cacert", &ca, "-x", &proxy.url(""), &url, &url]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}\n{}", proxy.log("tinyproxy.log"));
    assert_eq!(out.stdout, b"through the tunnel\nthrough the tunnel\n");
    assert!(
        err.contains(&format!(
            "> CONNECT localhost:{} HTTP/1.1",
            nginx.port("good")
        )),
        "{err}"
    );
    assert!(err.contains("SSL certificate verify ok."), "{err}");
    assert!(err.contains("> GET /a.txt HTTP/1.1"), "origin-form: {err}");
    assert!(err.contains("Re-using existing connection #0"), "{err}");
}

#[test]
fn https_through_socks5_dante_and_socks5h_microsocks() {
    let fx = TlsFixture::new();
    let nginx = origin(&fx);
    let dante = start_danted();
    let micro = start_microsocks(None);
    let ca = fx.ca.display().to_string();
    let url = format!("https://localhost:{}/a.txt", nginx.port("good"));
    for proxy in [
        format!("socks5://127.0.0.1:{}", dante.port),
        format!("socks5h://127.0.0.1:{}", micro.port),
    ] {
        let out = fetch(&["-sS", "--cacert", &ca, "-x", &proxy, &url]);
        assert_eq!(
            code(&out),
            0,
            "{proxy}: {}\n{}",
            stderr(&out),
            dante.log("danted.log")
        );
        assert_eq!(out.stdout, b"through the tunnel\n", "{proxy}");
    }
}
