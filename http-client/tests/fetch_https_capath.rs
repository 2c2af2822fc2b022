//! HTTPS (issue 10): `--capath DIR` trusts the PEM certificates in a
//! directory (here one `*.crt` file, no hashed names); the same directory
//! from `SSL_CERT_DIR` does too, and without it the test CA is unknown
//! (exit 60).
mod common;
#[path = "common/tls.rs"]
mod tls;

use common::*;
use tls::*;

#[test]
fn capath_and_ssl_cert_dir_trust_a_directory() {
    let fx = TlsFixture::new();
    let nginx = start_nginx_tls_good(&fx, &[("a.txt", b"a\n")]);
    let dir = fx.path("cadir");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::copy(&fx.ca, dir.join("test-ca.crt")).expect("copy CA");
    let dir_s = dir.display().to_string();
    let url = format!("https://localhost:{}/a.txt", nginx.port("good"));
    // Only the directory: no CA file from the environment.
    let no_file = [
        ("CURL_CA_BUNDLE", ""),
        ("SSL_CERT_FILE", ""),
        ("SSL_CERT_DIR", ""),
    ];

    let out = fetch_env(&["-sS", "--capath", &dir_s, &url], &no_file);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"a\n");

    let env = [
        ("CURL_CA_BUNDLE", ""),
        ("SSL_CERT_FILE", ""),
        ("SSL_CERT_DIR", dir_s.as_str()),
    ];
    let out = fetch_env(&["-sS", &url], &env);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let out = fetch_env(&["-sS", &url], &no_file);
    assert_eq!(code(&out), 60, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unable to get local issuer certificate"),
        "{}",
        stderr(&out)
    );
}
