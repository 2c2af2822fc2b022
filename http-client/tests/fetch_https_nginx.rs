//! HTTPS (issue 10): `fetch --cacert CA https://localhost:PORT/` against
//! nginx with ssl: the body exactly, exit 0, curl's `-v` TLS lines, and
//! `-w %{ssl_verify_result}` / `%{time_appconnect}`.
mod common;
#[path = "common/tls.rs"]
mod tls;

use common::*;
use tls::*;

#[test]
fn fetch_https_body_verbose_and_write_out() {
    let fx = TlsFixture::new();
    let nginx = start_nginx_tls_good(&fx, &[("hello.txt", b"hello over TLS\n")]);
    let ca = fx.ca.display().to_string();
    let url = format!("https://localhost:{}/hello.txt", nginx.port("good"));
    let out = fetch(&[
        "-v",
        "--cacert",
        &ca,
        "-w",
        "\\n%{ssl_verify_result} %{time_appconnect} %{time_connect}",
        &url,
    ]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, w) = stdout.split_at(stdout.len() - stdout.rsplit('\n').next().map_or(0, str::len));
    assert_eq!(body, "hello over TLS\n\n");
    let mut w = w.split(' ');
    assert_eq!(w.next(), Some("0"), "{stdout}");
    let appconnect: f64 = w.next().and_then(|v| v.parse().ok()).expect("appconnect");
    let connect: f64 = w.next().and_then(|v| v.parse().ok()).expect("connect");
    assert!(appconnect >= connect && appconnect > 0.0, "{stdout}");
    for line in [
        "* ALPN: offers http/1.1",
        &format!("*  CAfile: {ca}"),
        "* SSL connection using TLSv1.3 / TLS_",
        "* ALPN: server accepted http/1.1",
        "*  subject: CN=localhost",
        "*  subjectAltName: host \"localhost\" matched cert's \"localhost\"",
        "*  SSL certificate verify ok.",
        "> GET /hello.txt HTTP/1.1",
        "< HTTP/1.1 200 OK",
    ] {
        assert!(
            err.lines().any(|l| l.starts_with(line)),
            "want {line:?} in\n{err}"
        );
    }
    // Host header without the port only for 443.
    assert!(
        err.contains(&format!("> Host: localhost:{}", nginx.port("good"))),
        "{err}"
    );
}
