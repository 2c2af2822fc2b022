//! TLS (issue 10): `--cert`/`--key`: nginx with `ssl_verify_client on`
//! accepts the client certificate issued by the test CA, and answers 400
//! to a client that has none.
mod common;
#[path = "common/tls.rs"]
mod tls;

use brisk_client::tls::{TlsConfig, TlsOptions, TlsVersion};
use tls::*;

#[test]
fn nginx_requires_and_accepts_the_client_certificate() {
    let fx = TlsFixture::new();
    let extra = format!(
        "ssl_client_certificate {}; ssl_verify_client on;",
        fx.ca.display()
    );
    let nginx = start_nginx_tls(
        &fx,
        &[("a.txt", b"for clients with a certificate\n")],
        &[Block {
            name: "mtls",
            cert: Some("good"),
            extra: &extra,
        }],
    );
    for max in [TlsVersion::Tls13, TlsVersion::Tls12] {
        let with_cert = TlsConfig::new(&TlsOptions {
            client_cert: Some(fx.path("client.crt")),
            client_key: Some(fx.path("client.key")),
            max_version: Some(max),
            ..fx.options()
        })
        .expect("config");
        let mut conn = tls_connect(nginx.port("mtls"), "localhost", &with_cert).expect("handshake");
        let got = get(&mut conn, "localhost", "/a.txt", false);
        assert!(
            got.head.starts_with("HTTP/1.1 200 OK"),
            "{max:?}: {}",
            got.head
        );
        assert_eq!(got.body, b"for clients with a certificate\n");

        let without = TlsConfig::new(&TlsOptions {
            max_version: Some(max),
            ..fx.options()
        })
        .expect("config");
        let mut conn = tls_connect(nginx.port("mtls"), "localhost", &without).expect("handshake");
        let got = get(&mut conn, "localhost", "/a.txt", true);
        assert!(
            got.head.starts_with("HTTP/1.1 400"),
            "{max:?}: {}",
            got.head
        );
        assert!(
            String::from_utf8_lossy(&got.body).contains("No required SSL certificate was sent"),
            "{}",
            String::from_utf8_lossy(&got.body)
        );
    }
}
