//! A chunked request body whose trailer section is not zero or more field
//! lines and an empty line (RFC 9112 7.1.2) gets 400 and a closed
//! connection: the message boundary is lost, so the bytes after it are
//! never read as a request. A well-formed trailer section is accepted (the
//! request then reaches the handler, which refuses POST with 405).
mod common;
use common::*;

const HEAD: &[u8] = b"POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
const BODY: &[u8] = b"5\r\nhello\r\n0\r\n";
const NEXT: &[u8] = b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";

/// A chunked POST ending in `trailer`, and a GET pipelined behind it.
fn with_trailer(trailer: &[u8]) -> Vec<u8> {
    [HEAD, BODY, trailer, NEXT].concat()
}

#[test]
fn malformed_trailer_gets_400() {
    let dir = site();
    write(dir.path(), "index.html", "home");
    let server = StaticServer::start(dir.path(), &["-q"]);

    let malformed: &[(&str, &[u8])] = &[
        ("the next request line where the empty line was due", b""),
        ("a line that is no field line", b"not a field\r\n\r\n"),
        ("whitespace before the colon", b"X-Sum : 1\r\n\r\n"),
        ("obs-fold", b"X-Sum: 1\r\n 2\r\n\r\n"),
        ("a bare LF ending a field", b"X-Sum: 1\n\r\n"),
        ("a bare LF as the empty line", b"X-Sum: 1\r\n\n"),
        ("a control byte in a value", b"X-Sum: 1\x01\r\n\r\n"),
    ];
    for (class, trailer) in malformed {
        assert_400_and_close(server.addr, &with_trailer(trailer), class);
    }

    // Well-formed: empty, or field lines; both requests are answered.
    for trailer in [&b"\r\n"[..], b"X-Sum: 1\r\nx-b:\tv w \r\n\r\n"] {
        let received = send_until_server_closes(server.addr, &with_trailer(trailer));
        assert_eq!(parse_reply(&received).status, 405, "{trailer:?}");
        assert_eq!(count_responses(&received), 2, "{trailer:?}");
        assert!(String::from_utf8_lossy(&received).ends_with("home"));
    }
}
