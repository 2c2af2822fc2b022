//! TLS (issue 10): Python's `http.server` wrapped in `ssl` as the origin
//! (OpenSSL through Python, not nginx): the handshake with the test CA,
//! a GET over it, and an end of session that the client can tell apart:
//! Python closes the socket without close_notify, which the connection
//! reports (after a complete body the caller accepts it, as curl does).
mod common;
#[path = "common/tls.rs"]
mod tls;

use std::time::{Duration, Instant};

use tls::*;

const SERVER: &str = r#"
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    def do_GET(self):
        body = b"from python\n" * 1000
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
"#;

#[test]
fn get_from_python_ssl_and_eof_without_close_notify() {
    let fx = TlsFixture::new();
    let peer = start_python_tls(&fx, "good", SERVER);
    let mut conn = tls_connect(peer.port, "localhost", &fx.config()).expect("handshake");
    assert_eq!(conn.info().ssl_verify_result(), 0);
    // HTTP/1.0 without Content-Length: the body ends with the session.
    let got = get(&mut conn, "localhost", "/", true);
    assert!(got.head.starts_with("HTTP/1.0 200"), "{}", got.head);
    assert_eq!(got.body, b"from python\n".repeat(1000));
    assert!(conn.eof());
    assert!(
        !conn.close_notify_received(),
        "Python closes without close_notify"
    );
    let mut more = [0u8; 8];
    let deadline = Instant::now() + Duration::from_secs(2);
    assert_eq!(
        conn.read_direct(&mut more, deadline)
            .expect("still the end"),
        0
    );
}
