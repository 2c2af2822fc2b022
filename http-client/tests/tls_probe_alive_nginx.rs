//! TLS (issue 10): the liveness probe of an idle pooled connection takes
//! in TLS records that arrived meanwhile (the TLS 1.3 NewSessionTicket
//! nginx sends after the handshake) without calling them stray bytes,
//! and fails once the server has closed (close_notify, then EOF).
mod common;
#[path = "common/tls.rs"]
mod tls;

use std::time::Duration;

use tls::*;

#[test]
fn tickets_keep_it_alive_and_a_server_close_fails_it() {
    let fx = TlsFixture::new();
    let nginx = start_nginx_tls(
        &fx,
        &[("a.txt", b"a\n")],
        &[Block {
            name: "good",
            cert: Some("good"),
            extra: "keepalive_timeout 1s;",
        }],
    );
    let config = fx.config();
    let mut conn = tls_connect(nginx.port("good"), "localhost", &config).expect("handshake");
    // The tickets are on the wire now, unread.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(conn.connection().tls13_tickets_received(), 0);
    assert!(conn.probe_alive(), "a pending ticket is not stray data");
    assert!(conn.connection().tls13_tickets_received() > 0);
    assert_eq!(get(&mut conn, "localhost", "/a.txt", false).body, b"a\n");
    assert!(conn.probe_alive());
    assert_eq!(get(&mut conn, "localhost", "/a.txt", false).body, b"a\n");
    // nginx closes idle keep-alive connections after 1 s.
    std::thread::sleep(Duration::from_millis(1800));
    assert!(!conn.probe_alive(), "a closed session must fail the probe");
}
