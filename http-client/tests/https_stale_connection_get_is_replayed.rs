//! HTTPS (issue 10): the replay-once rule holds over TLS. A pooled TLS
//! connection that dies after the probe, before any response byte (the
//! server read the request and closed without close_notify), has its GET
//! replayed once on a fresh connection, transparently.
mod common;
#[path = "common/tls.rs"]
mod tls;

use std::time::Duration;

use brisk_client::Client;
use tls::*;

const SERVER: &str = r#"
def head(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            raise EOFError()
        buf += chunk
n = 0
while True:
    raw, _ = srv.accept()
    try:
        s = ctx.wrap_socket(raw, server_side=True)
    except Exception:
        continue  # the readiness probe
    n += 1
    with open("handshakes.txt", "w") as f:
        f.write(str(n))
    try:
        head(s)
        if n == 1:
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            head(s)
            open("second_on_first.txt", "w").write("yes")
            s.close()  # read the request, then close: no answer, no close_notify
        else:
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh")
            head(s)
    except Exception:
        pass
"#;

#[test]
fn get_on_a_dying_pooled_tls_connection_is_retried() {
    let fx = TlsFixture::new();
    let py = start_python_tls_listener(&fx, "good", SERVER);
    let client = Client::builder()
        .tls(fx.options())
        .timeout(Duration::from_secs(10))
        .build();
    let url = format!("https://localhost:{}/", py.port);
    let r = client.get(&url).send().expect("first");
    assert_eq!(r.text(100).expect("body"), "ok");
    let r = client.get(&url).send().expect("replayed");
    assert!(
        !r.reused_connection(),
        "the answer came on a fresh connection"
    );
    assert_eq!(r.text(100).expect("body"), "fresh");
    assert_eq!(py.log("handshakes.txt"), "2");
    // The second GET went out on the pooled connection first (the probe
    // passed), then again on the fresh one.
    assert_eq!(py.log("second_on_first.txt"), "yes");
}
