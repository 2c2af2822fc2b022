//! The example servers keep DESIGN.md's contract: the address as the only
//! argument, `listening at http://HOST:PORT/` first on stdout, and (for
//! hello) `200`, `Content-Type: text/plain`, `Hello, World!`.
mod common;
use common::*;
use std::process::Command;

fn start(name: &str) -> ChildServer {
    let mut c = Command::new(example(name));
    c.arg("127.0.0.1:0");
    spawn_server(c)
}

#[test]
fn hello_answers_plaintext() {
    let server = start("hello");
    let (resp, _) = exchange(server.addr, &get("/anything"));
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("text/plain"));
    assert_eq!(resp.text(), "Hello, World!");
}

#[test]
fn echo_echoes_method_query_and_body() {
    let server = start("echo");
    let (resp, _) = exchange(
        server.addr,
        b"POST /a%20b?x=1&y=two+words HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc",
    );
    assert_eq!(
        resp.text(),
        "method: POST\npath: /a b\nquery: x=1\nquery: y=two words\nbody: 3 bytes\nabc"
    );
}

#[test]
fn routes_serves_its_routes() {
    let server = start("routes");
    let (resp, _) = exchange(server.addr, &get("/hello/you"));
    assert_eq!(resp.text(), "Hello, you!\n");
    let (resp, _) = exchange(
        server.addr,
        b"POST /sum HTTP/1.1\r\nHost: t\r\nContent-Length: 8\r\n\r\na=1&b=41",
    );
    assert_eq!(resp.text(), "42\n");
    let (resp, _) = exchange(server.addr, &get("/stream"));
    assert_eq!(resp.header("transfer-encoding"), Some("chunked"));
    let (resp, _) = exchange(server.addr, b"DELETE /sum HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!((resp.status, resp.header("allow")), (405, Some("POST")));
    let (resp, _) = exchange(server.addr, &get("/nope"));
    assert_eq!(resp.status, 404);
}
