//! HTTPS (issue 10): fetch refuses bad server certificates with curl's
//! exit 60 and message; `-k` accepts them (and `%{ssl_verify_result}`
//! still says why not); `SSL_CERT_FILE` is a trust store; a `--cacert`
//! that does not exist is exit 77, only for https URLs.
mod common;
#[path = "common/tls.rs"]
mod tls;

use common::*;
use tls::*;

#[test]
fn certificate_failures_exit_60_and_k_accepts() {
    let fx = TlsFixture::new();
    let nginx = start_nginx_tls(
        &fx,
        &[("a.txt", b"a\n")],
        &[
            Block::cert("expired"),
            Block::cert("other_name"),
            Block::cert("self_signed"),
            Block::cert("good"),
            Block::plain("plain"),
        ],
    );
    let ca = fx.ca.display().to_string();
    for (name, msg) in [
        (
            "expired",
            "SSL certificate problem: certificate has expired",
        ),
        (
            "other_name",
            "SSL: no alternative certificate subject name matches target host name 'localhost'",
        ),
        (
            "self_signed",
            "SSL certificate problem: self-signed certificate",
        ),
    ] {
        let url = format!("https://localhost:{}/a.txt", nginx.port(name));
        let out = fetch(&["--cacert", &ca, &url]);
        let err = stderr(&out);
        assert_eq!(code(&out), 60, "{name}: {err}");
        assert!(err.contains(msg), "{name}: want {msg:?} in {err}");
        assert!(out.stdout.is_empty(), "{name}");

        let out = fetch(&["-k", "-w", "%{ssl_verify_result}", &url]);
        assert_eq!(code(&out), 0, "{name} -k: {}", stderr(&out));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let verify = stdout.strip_prefix("a\n").expect("body first");
        assert_ne!(verify, "0", "{name}: -k still reports the failure");
    }

    // The trust store from SSL_CERT_FILE, without any flag (an empty
    // CURL_CA_BUNDLE is ignored, as curl ignores it).
    let good = format!("https://localhost:{}/a.txt", nginx.port("good"));
    let out = fetch_env(&[&good], &[("SSL_CERT_FILE", &ca), ("CURL_CA_BUNDLE", "")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"a\n");

    // A missing --cacert: 77 for https; an http URL does not load it.
    let out = fetch(&["--cacert", "/nonexistent/ca.pem", &good]);
    let err = stderr(&out);
    assert_eq!(code(&out), 77, "{err}");
    assert!(
        err.contains("error setting certificate file: /nonexistent/ca.pem"),
        "{err}"
    );
    let plain = format!("http://localhost:{}/a.txt", nginx.port("plain"));
    let out = fetch(&["--cacert", "/nonexistent/ca.pem", &plain]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"a\n");
}
