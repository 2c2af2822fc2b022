//! The client reads a response's chunk lines as curl does (a deliberate
//! leniency, see http-core's `chunked` module doc): whitespace after the
//! size and extensions outside RFC 9112 7.1's grammar are skipped up to the
//! CRLF, where a server reading a request refuses them. A control byte in
//! a size line is where `fetch` stays stricter than curl (which skips it,
//! as it skips everything up to the LF):
//! exit 8, "malformed chunked body".
mod common;
use common::*;

/// Answers each request with the chunked body whose size lines are given
/// (`sys.argv[2]`, a Python bytes literal), keeping the connection open.
const CHUNKED: &str = r#"
import ast, socket, sys, threading
body = ast.literal_eval(sys.argv[2])
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
        c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"#;

fn origin(body: &str) -> Peer {
    start_python_with_args(CHUNKED, &[std::ffi::OsStr::new(body)])
}

#[test]
fn lenient_size_lines_are_read_like_curl() {
    // Each would be a 400 in a request.
    let body = r#"b"5 \r\nhello\r\n1;\r\n,\r\n2;=x\r\n w\r\n4;a=\"q\r\norld\r\n0\r\n\r\n""#;
    let py = origin(body);
    let url = py.url("/");
    let curl = run(&require("curl", "curl"), &["-s", &url], &[]);
    assert_eq!(code(&curl), 0);
    assert_eq!(curl.stdout, b"hello, world");
    let ours = fetch(&["-s", &url]);
    assert_eq!(code(&ours), 0, "{}", stderr(&ours));
    assert_eq!(ours.stdout, curl.stdout, "the same body as curl");
    // The body is framed exactly: the connection is reused.
    let twice = fetch(&["-s", "-v", &url, &url]);
    assert_eq!(code(&twice), 0, "{}", stderr(&twice));
    assert_eq!(twice.stdout, b"hello, worldhello, world");
    assert!(stderr(&twice).contains("Re-using existing connection"));
}

#[test]
fn a_control_byte_in_a_size_line_is_refused() {
    let py = origin(r#"b"5;a\x01\r\nhello\r\n0\r\n\r\n""#);
    let url = py.url("/");
    let ours = fetch(&["-sS", &url]);
    assert_eq!(code(&ours), 8, "{}", stderr(&ours));
    assert!(
        stderr(&ours).contains("malformed chunked body"),
        "{}",
        stderr(&ours)
    );
    assert!(ours.stdout.is_empty());
}
