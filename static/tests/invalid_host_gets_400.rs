//! A request whose `Host` is not `uri-host [ ":" port ]` (RFC 9112 3.2,
//! RFC 3986) gets 400 and a closed connection, one class of bad value
//! after another; a request pipelined behind it is never answered. Valid
//! but unusual values (IP literals, an empty port) are served.
mod common;
use common::*;

#[test]
fn invalid_host_gets_400() {
    let dir = site();
    write(dir.path(), "index.html", "home");
    let server = StaticServer::start(dir.path(), &["-q"]);

    let invalid: &[(&str, &[u8])] = &[
        ("userinfo", b"user@t"),
        ("path", b"t/x"),
        ("query", b"t?x"),
        ("space", b"a b"),
        ("control byte", b"a\x01b"),
        ("non-ASCII", "h\u{e9}te".as_bytes()),
        ("unclosed bracket", b"[::1"),
        ("not an address in brackets", b"[zz]"),
        ("port out of range", b"t:65536"),
        ("port not digits", b"t:http"),
        ("two ports", b"t:80:81"),
    ];
    for (class, host) in invalid {
        let mut request = b"GET / HTTP/1.1\r\nHost: ".to_vec();
        request.extend_from_slice(host);
        request.extend_from_slice(b"\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
        assert_400_and_close(server.addr, &request, &format!("{class}: {host:?}"));
    }

    for host in [
        "t",
        "127.0.0.1:8080",
        "[::1]:8080",
        "[::1]",
        "t:",
        "xn--caf-dma.example",
    ] {
        let reply = raw(
            server.addr,
            format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        assert_eq!(reply.status, 200, "{host:?}");
        assert_eq!(reply.body, b"home");
    }
}
