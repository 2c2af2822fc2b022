//! TLS (issue 10): handshakes that cannot succeed are curl's exit 35 with
//! a reason: a TLS 1.3 minimum against a TLS 1.2-only nginx (no shared
//! version), a TLS 1.2 maximum against a TLS 1.3-only nginx, a TLS
//! handshake sent to a plain-HTTP port (the server answers in clear
//! text), and a server that answers with bytes that are not TLS at all.
mod common;
#[path = "common/tls.rs"]
mod tls;

use brisk_client::tls::{HandshakeFailure, TlsConfig, TlsError, TlsOptions, TlsVersion};
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
                name: "tls13",
                cert: Some("good"),
                extra: "ssl_protocols TLSv1.3;",
            },
            Block::plain("plain"),
        ],
    );
    let tls12 = TlsConfig::new(&TlsOptions {
        max_version: Some(TlsVersion::Tls12),
        ..fx.options()
    })
    .expect("config");
    let err = tls_connect(nginx.port("tls13"), "localhost", &tls12).unwrap_err();
    assert_eq!(err.curl_exit_code(), 35, "{err}");
    assert!(
        matches!(
            err,
            TlsError::Handshake(HandshakeFailure::NoSharedVersion(_))
        ),
        "{err:?}"
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

#[test]
fn a_server_that_does_not_speak_tls() {
    use std::io::Write;
    let fx = TlsFixture::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let _ = s.write_all(b"SSH-2.0-OpenSSH_9.2\r\n");
            std::thread::sleep(std::time::Duration::from_millis(300));
        }
    });
    let err = tls_connect(port, "localhost", &fx.config()).unwrap_err();
    assert_eq!(err.curl_exit_code(), 35, "{err}");
    assert!(
        matches!(
            err,
            TlsError::Handshake(HandshakeFailure::Protocol(_) | HandshakeFailure::Closed)
        ),
        "{err:?}"
    );
    server.join().expect("server thread");
}
