//! A response head whose lines end in a bare LF (old appliances, CGI
//! scripts), or with a folded field value, is read as curl reads it
//! (RFC 9112 2.2 and 5.2): same body, same exit code, and a folded value
//! arrives as one value with the fold turned into spaces.
mod common;
use common::*;

/// Answers every request on a connection with a head in bare-LF lines
/// (one field folded), keeping the connection open.
const BARE_LF: &str = r#"
import socket, sys, threading
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1]))); srv.listen(16)
def serve(c):
    buf = b""
    while True:
        while b"\r\n\r\n" not in buf:
            d = c.recv(4096)
            if not d: return
            buf += d
        buf = buf.split(b"\r\n\r\n", 1)[1]
        c.sendall(b"HTTP/1.1 200 OK\nContent-Type: text/plain\nX-Folded: first\n  second\nContent-Length: 6\n\nhello\n")
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"#;

#[test]
fn bare_lf_heads_are_read_like_curl() {
    let py = start_python(BARE_LF);
    let url = py.url("/");
    let ours = fetch(&["-s", &url]);
    assert_eq!(code(&ours), 0, "{}", stderr(&ours));
    assert_eq!(ours.stdout, b"hello\n");
    let curl = run(&require("curl", "curl"), &["-s", &url], &[]);
    assert_eq!(code(&curl), 0);
    assert_eq!(curl.stdout, ours.stdout, "the same body as curl");

    // Two URLs: the lenient head still frames the body exactly, so the
    // connection is reused for the second.
    let twice = fetch(&["-s", "-v", &url, &url]);
    assert_eq!(code(&twice), 0, "{}", stderr(&twice));
    assert_eq!(twice.stdout, b"hello\nhello\n");
    assert!(
        stderr(&twice).contains("Re-using existing connection"),
        "{}",
        stderr(&twice)
    );
}

#[test]
fn a_folded_value_is_one_value_with_spaces() {
    let py = start_python(BARE_LF);
    let client = brisk_client::Client::builder().build();
    let resp = client.get(&py.url("/")).send().expect("lenient head");
    assert_eq!(resp.status(), 200);
    // RFC 9112 5.2: each obs-fold becomes one or more SP.
    let folded = resp
        .header("x-folded")
        .expect("the folded field")
        .to_string();
    let (first, second) = folded.split_once(' ').expect("a space where the fold was");
    assert_eq!(
        (first, second.trim_start()),
        ("first", "second"),
        "{folded:?}"
    );
    assert_eq!(resp.text(1 << 10).expect("body"), "hello\n");
}
