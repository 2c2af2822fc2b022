//! HTTPS (issue 10): a server that closes the socket without
//! `close_notify` after a complete Content-Length or chunked body is fine
//! (exit 0, the body exactly, as curl); a body cut short that way is a
//! partial transfer (exit 18).
mod common;
#[path = "common/tls.rs"]
mod tls;

use common::*;
use tls::*;

const SERVER: &str = r#"
def serve(raw):
    try:
        s = ctx.wrap_socket(raw, server_side=True)
        req = b""
        while b"\r\n\r\n" not in req:
            chunk = s.recv(4096)
            if not chunk:
                return
            req += chunk
        path = req.split(b" ")[1]
        body = b"twelve bytes"
        if path == b"/full":
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n" + body)
        elif path == b"/chunked":
            s.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nc\r\n" + body + b"\r\n0\r\n\r\n")
        else:
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + body)
        # No unwrap(): the TCP connection ends without close_notify.
        s.close()
    except Exception:
        pass
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"#;

#[test]
fn eof_without_close_notify_after_complete_body_is_fine() {
    let fx = TlsFixture::new();
    let py = start_python_tls_listener(&fx, "good", SERVER);
    let ca = fx.ca.display().to_string();
    for path in ["/full", "/chunked"] {
        let url = format!("https://localhost:{}{path}", py.port);
        let out = fetch(&["-sS", "--cacert", &ca, &url]);
        assert_eq!(code(&out), 0, "{path}: {}", stderr(&out));
        assert_eq!(out.stdout, b"twelve bytes", "{path}");
    }
    let url = format!("https://localhost:{}/short", py.port);
    let out = fetch(&["-sS", "--cacert", &ca, &url]);
    assert_eq!(code(&out), 18, "{}", stderr(&out));
    assert_eq!(out.stdout, b"twelve bytes");
}
