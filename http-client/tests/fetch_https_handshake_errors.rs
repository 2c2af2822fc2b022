//! HTTPS (issue 10): an https URL to a plain-HTTP port fails the
//! handshake with curl's exit 35; a listener that never answers the
//! ClientHello is bounded by `--connect-timeout` (exit 28).
mod common;
#[path = "common/tls.rs"]
mod tls;

use std::time::{Duration, Instant};

use common::*;
use tls::*;

#[test]
fn plain_http_port_is_exit_35() {
    let fx = TlsFixture::new();
    let nginx = start_nginx_tls(&fx, &[("a.txt", b"a\n")], &[Block::plain("plain")]);
    let ca = fx.ca.display().to_string();
    let url = format!("https://localhost:{}/a.txt", nginx.port("plain"));
    let out = fetch(&["--cacert", &ca, &url]);
    let err = stderr(&out);
    assert_eq!(code(&out), 35, "{err}");
    assert!(err.contains("TLS connect error"), "{err}");
}

#[test]
fn stalled_handshake_times_out_with_28() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // Accept and hold the connection without a byte of answer.
    let hold = std::thread::spawn(move || {
        let conn = listener.accept();
        std::thread::sleep(Duration::from_secs(4));
        drop(conn);
    });
    let t0 = Instant::now();
    let out = fetch(&[
        "-k",
        "--connect-timeout",
        "1",
        &format!("https://127.0.0.1:{port}/"),
    ]);
    let took = t0.elapsed();
    let err = stderr(&out);
    assert_eq!(code(&out), 28, "{err}");
    assert!(err.contains("TLS handshake"), "{err}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
    let _ = hold.join();
}
