//! TLS (issue 10): a certificate from the trusted test CA, for the name
//! connected to: the handshake succeeds (TLS 1.3, ALPN http/1.1), an
//! HTTP/1.1 GET over the session returns the body, `-v`'s facts are
//! curl's, and the server's close_notify ends the session cleanly.
mod common;
#[path = "common/tls.rs"]
mod tls;

use tls::*;

#[test]
fn handshake_and_get_by_name_and_by_ip() {
    let fx = TlsFixture::new();
    let nginx = start_nginx_tls_good(&fx, &[("hello.txt", b"hello over TLS\n")]);
    let config = fx.config();
    for host in ["localhost", "127.0.0.1"] {
        let mut conn = tls_connect(nginx.port("good"), host, &config)
            .unwrap_or_else(|e| panic!("handshake with {host}: {e}"));
        let info = conn.info();
        assert_eq!(info.version.as_deref(), Some("TLSv1.3"));
        assert_eq!(info.alpn.as_deref(), Some(&b"http/1.1"[..]));
        assert_eq!(info.ssl_verify_result(), 0);
        let lines = info.lines();
        assert!(
            lines[0].starts_with("SSL connection using TLSv1.3 / TLS_"),
            "{lines:?}"
        );
        assert!(
            lines.contains(&" subject: CN=localhost".to_string()),
            "{lines:?}"
        );
        assert!(
            lines.contains(&" issuer: O=http-client tests; CN=http-client test CA".to_string()),
            "{lines:?}"
        );
        let san = if host == "localhost" {
            " subjectAltName: host \"localhost\" matched cert's \"localhost\"".to_string()
        } else {
            " subjectAltName: host \"127.0.0.1\" matched cert's IP address!".to_string()
        };
        assert!(lines.contains(&san), "{lines:?}");
        assert_eq!(
            lines.last().map(String::as_str),
            Some(" SSL certificate verify ok.")
        );

        let got = get(&mut conn, host, "/hello.txt", true);
        assert!(got.head.starts_with("HTTP/1.1 200 OK\r\n"), "{}", got.head);
        assert_eq!(got.body, b"hello over TLS\n");
        // With Connection: close, nginx ends the session with close_notify.
        let mut rest = [0u8; 16];
        let deadline = std::time::Instant::now() + TLS_TIMEOUT;
        assert_eq!(conn.read_direct(&mut rest, deadline).expect("end"), 0);
        assert!(conn.close_notify_received());
        conn.close(std::time::Duration::from_millis(100));
    }
}

#[test]
fn tls12_maximum_negotiates_tls12() {
    let fx = TlsFixture::new();
    let nginx = start_nginx_tls_good(&fx, &[("a.txt", b"a\n")]);
    let config = brisk_client::tls::TlsConfig::new(&brisk_client::tls::TlsOptions {
        max_version: Some(brisk_client::tls::TlsVersion::Tls12),
        ..fx.options()
    })
    .expect("config");
    let mut conn = tls_connect(nginx.port("good"), "localhost", &config).expect("handshake");
    let info = conn.info();
    assert_eq!(info.version.as_deref(), Some("TLSv1.2"));
    assert!(
        info.lines()[0].starts_with("SSL connection using TLSv1.2 / ECDHE-ECDSA-"),
        "{:?}",
        info.lines()
    );
    assert_eq!(get(&mut conn, "localhost", "/a.txt", false).body, b"a\n");
}
