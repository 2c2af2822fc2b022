//! HTTPS (issue 10) flags: `--cert`/`--key` satisfy nginx's
//! `ssl_verify_client on`; a key file that is missing is exit 58;
//! `--tls-max 1.2` negotiates TLS 1.2; `--tlsv1.3` against a TLS 1.2-only
//! server fails the handshake with exit 35.
mod common;
#[path = "common/tls.rs"]
mod tls;

use common::*;
use tls::*;

#[test]
fn client_certificate_and_version_flags() {
    let fx = TlsFixture::new();
    let mtls = format!(
        "ssl_client_certificate {}; ssl_verify_client on;",
        fx.ca.display()
    );
    let nginx = start_nginx_tls(
        &fx,
        &[("a.txt", b"a\n")],
        &[
            Block {
                name: "mtls",
                cert: Some("good"),
                extra: &mtls,
            },
            Block {
                name: "tls12",
                cert: Some("good"),
                extra: "ssl_protocols TLSv1.2;",
            },
        ],
    );
    let ca = fx.ca.display().to_string();
    let cert = fx.path("client.crt").display().to_string();
    let key = fx.path("client.key").display().to_string();
    let mtls_url = format!("https://localhost:{}/a.txt", nginx.port("mtls"));
    let out = fetch(&[
        "-sS", "--cacert", &ca, "--cert", &cert, "--key", &key, &mtls_url,
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"a\n");

    let out = fetch(&[
        "-sS",
        "--cacert",
        &ca,
        "--cert",
        &cert,
        "--key",
        "/nonexistent/client.key",
        &mtls_url,
    ]);
    assert_eq!(code(&out), 58, "{}", stderr(&out));

    let v12 = format!("https://localhost:{}/a.txt", nginx.port("tls12"));
    let out = fetch(&["-v", "--cacert", &ca, "--tls-max", "1.2", &v12]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(err.contains("* SSL connection using TLSv1.2 / "), "{err}");

    let out = fetch(&["-sS", "--cacert", &ca, "--tlsv1.3", &v12]);
    assert_eq!(code(&out), 35, "{}", stderr(&out));
}
