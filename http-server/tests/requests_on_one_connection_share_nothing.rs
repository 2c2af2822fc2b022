//! The server reuses a connection's request buffers from one request to the
//! next: nothing of an earlier request (headers, body, decoded path, query)
//! may show through in a later one, inline or on the handler pool.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Write};

fn describe(req: &Request) -> Response {
    let names: Vec<&str> = req.headers().iter().map(|(name, _)| name).collect();
    Response::text(
        StatusCode::OK,
        format!(
            "{} {} raw={} query={:?} headers={} body={}",
            req.method(),
            req.path(),
            req.raw_path(),
            req.query(),
            names.join(","),
            String::from_utf8_lossy(req.body()),
        ),
    )
}

fn check(pool: bool) {
    let server = serve(|s| if pool { s.handler_threads(2) } else { s }, describe);
    let mut s = connect(server.addr);
    let mut raw = Vec::new();
    raw.extend(b"POST /a%20b?q=1 HTTP/1.1\r\nHost: t\r\nX-One: 1\r\nX-Two: 2\r\nContent-Length: 5\r\n\r\nhello");
    raw.extend(b"GET /plain HTTP/1.1\r\nHost: t\r\n\r\n");
    raw.extend(
        b"PUT /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    );
    raw.extend(b"DELETE /d HTTP/1.1\r\nHost: t\r\n\r\n");
    s.write_all(&raw).unwrap();
    let mut r = BufReader::new(s);
    let want = [
        "POST /a b raw=/a%20b query=Some(\"q=1\") headers=Host,X-One,X-Two,Content-Length body=hello",
        "GET /plain raw=/plain query=None headers=Host body=",
        "PUT /c raw=/c query=None headers=Host,Transfer-Encoding body=abc",
        "DELETE /d raw=/d query=None headers=Host body=",
    ];
    for w in want {
        let resp = read_response(&mut r, false);
        assert_eq!(resp.status, 200);
        assert_eq!(resp.text(), w);
    }
}

#[test]
fn inline_handler_sees_only_its_own_request() {
    check(false);
}

#[test]
fn pool_handler_sees_only_its_own_request() {
    check(true);
}
