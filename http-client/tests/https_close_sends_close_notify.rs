//! HTTPS (issue 10): closing a pooled TLS connection (here by
//! `close_idle_connections`) sends `close_notify` first, so the server
//! sees a clean end of the session rather than a truncation.
mod common;
#[path = "common/tls.rs"]
mod tls;

use std::io::Read;
use std::time::{Duration, Instant};

use brisk_client::Client;
use tls::*;

const SERVER: &str = r#"
def serve(raw):
    s = ctx.wrap_socket(raw, server_side=True, suppress_ragged_eofs=False)
    req = b""
    while b"\r\n\r\n" not in req:
        chunk = s.recv(4096)
        if not chunk:
            return
        req += chunk
    s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    try:
        outcome = "clean" if s.recv(4096) == b"" else "data"
    except ssl.SSLEOFError:
        outcome = "no close_notify"
    except Exception as e:
        outcome = repr(e)
    with open("outcome.txt", "w") as f:
        f.write(outcome)
    s.close()
while True:
    raw, _ = srv.accept()
    try:
        serve(raw)
    except Exception:
        # The readiness probe connects and leaves without a handshake.
        pass
"#;

#[test]
fn dropping_a_tls_connection_sends_close_notify() {
    let fx = TlsFixture::new();
    let py = start_python_tls_listener(&fx, "good", SERVER);
    let client = Client::builder().tls(fx.options()).build();
    let mut resp = client
        .get(&format!("https://localhost:{}/", py.port))
        .send()
        .expect("GET");
    let mut body = String::new();
    resp.body().read_to_string(&mut body).expect("body");
    assert_eq!(body, "ok");
    assert_eq!(client.idle_connections(), 1);
    client.close_idle_connections();
    let path = py.dir.path().join("outcome.txt");
    let deadline = Instant::now() + TLS_TIMEOUT;
    let outcome = loop {
        match std::fs::read_to_string(&path) {
            Ok(s) if !s.is_empty() => break s,
            _ if Instant::now() > deadline => panic!("the server saw no end of session"),
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    assert_eq!(outcome, "clean");
}
