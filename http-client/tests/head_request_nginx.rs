//! -I sends HEAD, prints the head, reads no body, and keeps the connection.
mod common;
use common::*;

#[test]
fn head_prints_head_only_and_reuses() {
    let nginx = start_nginx(&[("a.txt", b"0123456789")], "");
    let out = fetch(&["-v", "-I", &nginx.url("/a.txt"), &nginx.url("/a.txt")]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(text.contains("Content-Length: 10\r\n"), "{text}");
    assert!(!text.contains("0123456789"), "no body after HEAD: {text}");
    assert!(err.contains("> HEAD /a.txt HTTP/1.1"), "{err}");
    assert!(err.contains("Re-using existing connection #0"), "{err}");
}
