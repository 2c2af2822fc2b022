//! TLS (issue 10): each certificate the client must refuse is classified
//! as curl reports it (exit 60): expired, not yet valid, issued for
//! another name (the message names both), an unknown issuer, an
//! untrusted self-signed certificate. With `-k` each is accepted, and
//! `%{ssl_verify_result}` still tells what was wrong.
mod common;
#[path = "common/tls.rs"]
mod tls;

use brisk_client::tls::{TlsConfig, TlsErrorKind, TlsOptions, VerifyFailure};
use tls::*;

#[test]
fn refused_certificates_are_classified() {
    let fx = TlsFixture::new();
    let nginx = start_nginx_tls(
        &fx,
        &[("a.txt", b"a\n")],
        &[
            Block::cert("expired"),
            Block::cert("not_yet_valid"),
            Block::cert("other_name"),
            Block::cert("self_signed"),
            Block::cert("good"),
        ],
    );
    let config = fx.config();
    let cases: [(&str, &str, fn(&VerifyFailure) -> bool, &str); 5] = [
        (
            "expired",
            "localhost",
            |f| *f == VerifyFailure::Expired,
            "SSL certificate problem: certificate has expired",
        ),
        (
            "not_yet_valid",
            "localhost",
            |f| *f == VerifyFailure::NotYetValid,
            "SSL certificate problem: certificate is not yet valid",
        ),
        (
            "other_name",
            "localhost",
            |f| matches!(f, VerifyFailure::WrongName { .. }),
            "SSL: no alternative certificate subject name matches target host name 'localhost'",
        ),
        (
            "self_signed",
            "localhost",
            |f| *f == VerifyFailure::SelfSigned,
            "SSL certificate problem: self-signed certificate",
        ),
        (
            "good",
            "127.0.0.2",
            |f| matches!(f, VerifyFailure::WrongName { .. }),
            "target host name '127.0.0.2'",
        ),
    ];
    for (block, host, is, msg) in cases {
        let err = tls_connect(nginx.port(block), host, &config)
            .expect_err(&format!("{block} must be refused"));
        assert_eq!(err.kind(), TlsErrorKind::Verify, "{block}: {err}");
        assert_eq!(err.curl_exit_code(), 60);
        match &err {
            brisk_client::tls::TlsError::Verify(f) => assert!(is(f), "{block}: {f:?}"),
            other => panic!("{block}: {other:?}"),
        }
        assert!(err.to_string().contains(msg), "{block}: {err}");
    }
    let wrong = tls_connect(nginx.port("other_name"), "localhost", &config).unwrap_err();
    assert!(wrong.to_string().contains("other.example"), "{wrong}");

    // Trusting only another CA: the server's issuer is unknown.
    let stranger_ca = fx.path("stranger-ca.crt");
    std::fs::write(
        &stranger_ca,
        test_support::tls::TestCa::new("stranger CA").cert_pem,
    )
    .expect("write CA");
    let stranger = fx.options_trusting(stranger_ca);
    let err = tls_connect(
        nginx.port("good"),
        "localhost",
        &TlsConfig::new(&stranger).expect("config"),
    )
    .unwrap_err();
    assert_eq!(err.kind(), TlsErrorKind::Verify);
    assert_eq!(
        err.to_string(),
        "SSL certificate problem: unable to get local issuer certificate"
    );

    // -k: every one is accepted; the verify result still says why not.
    let insecure = |o: &TlsOptions| {
        TlsConfig::new(&TlsOptions {
            insecure: true,
            ..o.clone()
        })
        .expect("config")
    };
    let (ours, theirs) = (insecure(&fx.options()), insecure(&stranger));
    for (block, config, want) in [
        ("expired", &ours, 10),
        ("not_yet_valid", &ours, 9),
        ("other_name", &ours, 1),
        ("self_signed", &ours, 18),
        ("good", &ours, 0),
        ("good", &theirs, 20),
    ] {
        let host = "localhost";
        let mut conn = tls_connect(nginx.port(block), host, config)
            .unwrap_or_else(|e| panic!("-k {block}: {e}"));
        assert_eq!(conn.info().ssl_verify_result(), want, "{block}");
        assert_eq!(get(&mut conn, host, "/a.txt", false).body, b"a\n");
    }
}
