//! TLS (issue 10): handshakes that cannot succeed are curl's exit 35 with
//! a reason: a TLS 1.3 minimum against a TLS 1.2-only nginx (no shared
//! version), and a TLS handshake sent to a plain-HTTP port (the server
//! answers in clear text).
mod common;
#[path = "common/tls.rs"]
mod tls;

use http_client::tls::{HandshakeFailure, TlsConfig, TlsError, TlsOptions, TlsVersion};
use tls::*;

#[test]
fn no_shared_version_and_plain_http_port() {
    let fx = TlsFixture::new();
    let nginx = start_nginx_tls(
        &fx,
        &[("a.txt", b"a\n")],
        &[
            Block {
                name: "tls12",
                cert: Some("good"),
                extra: "ssl_protocols TLSv1.2;",
            },
            Block {
                name: "plain",
                cert: None,
                extra: "",
            },
        ],
    );
    let tls13 = TlsConfig::new(&TlsOptions {
        min_version: Some(TlsVersion::Tls13),
        ..fx.options()
    })
    .expect("config");
    let err = tls_connect(nginx.port("tls12"), "localhost", &tls13).unwrap_err();
    assert_eq!(err.curl_exit_code(), 35, "{err}");
    assert!(
        matches!(
            err,
            TlsError::Handshake(HandshakeFailure::NoSharedVersion(_))
        ),
        "{err:?}"
    );
    // The default range still works with that server (TLS 1.2).
    let mut conn = tls_connect(nginx.port("tls12"), "localhost", &fx.config()).expect("1.2");
    assert_eq!(conn.info().version.as_deref(), Some("TLSv1.2"));
    assert_eq!(get(&mut conn, "localhost", "/a.txt", false).body, b"a\n");

    let err = tls_connect(nginx.port("plain"), "localhost", &fx.config()).unwrap_err();
    assert_eq!(err.curl_exit_code(), 35, "{err}");
    assert!(
        matches!(err, TlsError::Handshake(HandshakeFailure::PlainHttp)),
        "{err:?}"
    );
    assert!(err.to_string().contains("plain HTTP"), "{err}");
}

#[test]
fn contradictory_versions_are_refused_before_connecting() {
    let fx = TlsFixture::new();
    let err = TlsConfig::new(&TlsOptions {
        min_version: Some(TlsVersion::Tls13),
        max_version: Some(TlsVersion::Tls12),
        ..fx.options()
    })
    .unwrap_err();
    assert_eq!(err.curl_exit_code(), 35, "{err}");
}
