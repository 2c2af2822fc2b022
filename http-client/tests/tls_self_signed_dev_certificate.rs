//! TLS (issue 10): the self-signed certificate people make for local use
//! (`openssl req -x509`, marked CA:TRUE, which webpki alone refuses as a
//! server certificate) works when it is given as trusted, as with curl's
//! `--cacert cert.pem`; its name is still checked.
mod common;
#[path = "common/tls.rs"]
mod tls;

use std::process::Command;

use brisk_client::tls::{TlsConfig, TlsErrorKind};
use tls::*;

#[test]
fn the_rcgen_dev_certificate_given_as_trusted() {
    let fx = TlsFixture::new();
    let nginx = start_nginx_tls(
        &fx,
        &[("a.txt", b"dev\n")],
        &[Block {
            name: "ss",
            cert: Some("self_signed"),
            extra: "",
        }],
    );
    let config = TlsConfig::new(&fx.options_trusting(fx.path("self_signed.crt"))).expect("config");
    for host in ["localhost", "127.0.0.1"] {
        let mut conn =
            tls_connect(nginx.port("ss"), host, &config).unwrap_or_else(|e| panic!("{host}: {e}"));
        assert_eq!(conn.info().ssl_verify_result(), 0);
        assert_eq!(get(&mut conn, host, "/a.txt", false).body, b"dev\n");
    }
    let err = tls_connect(nginx.port("ss"), "127.0.0.2", &config).unwrap_err();
    assert_eq!(err.kind(), TlsErrorKind::Verify, "{err}");
}

#[test]
fn the_openssl_req_x509_certificate_given_as_trusted() {
    let openssl = common::require("openssl", "openssl");
    let fx = TlsFixture::new();
    let status = Command::new(openssl)
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
        ])
        .arg(fx.path("openssl.key"))
        .arg("-out")
        .arg(fx.path("openssl.crt"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run openssl");
    assert!(status.success());
    let nginx = start_nginx_tls(
        &fx,
        &[("a.txt", b"openssl\n")],
        &[Block {
            name: "ss",
            cert: Some("openssl"),
            extra: "",
        }],
    );
    let config = TlsConfig::new(&fx.options_trusting(fx.path("openssl.crt"))).expect("config");
    let mut conn = tls_connect(nginx.port("ss"), "localhost", &config).expect("handshake");
    assert_eq!(
        get(&mut conn, "localhost", "/a.txt", false).body,
        b"openssl\n"
    );
    // Not trusted (only the test CA is): refused as self-signed.
    let err = tls_connect(nginx.port("ss"), "localhost", &fx.config()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "SSL certificate problem: self-signed certificate"
    );
}
