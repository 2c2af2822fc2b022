//! HEAD: the GET head (Content-Length, validators), no body, and the
//! connection stays usable.
mod common;
use common::*;

#[test]
fn head_sends_no_body() {
    let dir = site();
    write(dir.path(), "f.txt", "x".repeat(12_345));
    let server = StaticServer::start(dir.path(), &[]);
    let url = format!("{}f.txt", server.url);

    let get = parse_reply(&curl(&["-i", &url]).stdout);
    let head = parse_reply(&curl(&["-i", "-I", &url]).stdout);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("Content-Length"), Some("12345"));
    for name in ["ETag", "Last-Modified", "Content-Type", "Accept-Ranges"] {
        assert_eq!(head.header(name), get.header(name), "{name}");
    }

    // Two HEADs and a GET on one connection: framing stays right.
    let reply = raw(
        server.addr,
        b"HEAD /f.txt HTTP/1.1\r\nHost: t\r\n\r\nHEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET /f.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(reply.status, 200);
    let all = String::from_utf8_lossy(&reply.body).into_owned();
    assert_eq!(all.matches("HTTP/1.1 200 OK").count(), 2, "{all}");
    assert!(all.ends_with(&"x".repeat(12_345)));
}
