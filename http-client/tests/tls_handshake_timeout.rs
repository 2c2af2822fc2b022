//! TLS (issue 10): a listener that accepts and never answers the
//! ClientHello: the handshake stops at the deadline it was given (the
//! connect deadline: curl's `--connect-timeout`, exit 28).
mod common;
#[path = "common/tls.rs"]
mod tls;

use std::time::{Duration, Instant};

use brisk_client::tls::{TlsConn, TlsError, TlsErrorKind};
use tls::*;

#[test]
fn a_silent_server_times_out_at_the_deadline() {
    let fx = TlsFixture::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // Accept and hold the connection open, saying nothing.
    let holder = std::thread::spawn(move || {
        let held = listener.accept();
        std::thread::sleep(Duration::from_secs(2));
        drop(held);
    });
    let (s, addr) = tcp(port);
    let t0 = Instant::now();
    let limit = Duration::from_millis(700);
    let err = TlsConn::connect(s, addr, "localhost", &fx.config(), t0 + limit).unwrap_err();
    let took = t0.elapsed();
    assert!(matches!(err, TlsError::Timeout), "{err:?}");
    assert_eq!(err.kind(), TlsErrorKind::Timeout);
    assert_eq!(err.curl_exit_code(), 28);
    assert!(took >= limit, "stopped early: {took:?}");
    assert!(
        took < limit + Duration::from_secs(1),
        "stopped late: {took:?}"
    );
    // As a client error it is a timeout of the TLS phase.
    let e = brisk_client::Error::from(err);
    assert!(e.is_timeout());
    assert_eq!(e.phase(), Some(brisk_client::Phase::Tls));
    holder.join().expect("holder thread");
}
