//! An HTTP/1.0 request with `Transfer-Encoding` has faulty framing (RFC
//! 9112 6.1: a 1.0 sender may not know chunked, and Content-Length does
//! not save it): 400 and a close, with nothing answered after it, where
//! the same request in HTTP/1.1 is read and answered.
mod common;
use common::*;

#[test]
fn http10_transfer_encoding_gets_400() {
    let dir = site();
    write(dir.path(), "index.html", "home");
    let server = StaticServer::start(dir.path(), &["-q"]);
    let next = b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";

    for framing in [
        &b"Transfer-Encoding: chunked\r\n"[..],
        b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
    ] {
        let request = [
            &b"POST /up HTTP/1.0\r\nHost: t\r\nConnection: keep-alive\r\n"[..],
            framing,
            b"\r\n5\r\nhello\r\n0\r\n\r\n",
            next,
        ]
        .concat();
        assert_400_and_close(server.addr, &request, &format!("{framing:?}"));
    }

    let request = [
        &b"POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"[..],
        next,
    ]
    .concat();
    let received = send_until_server_closes(server.addr, &request);
    assert_eq!(parse_reply(&received).status, 405);
    assert_eq!(count_responses(&received), 2);
}
