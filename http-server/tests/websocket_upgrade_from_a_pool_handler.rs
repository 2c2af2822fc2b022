//! The upgrade hand-off works the same when the handler runs on the
//! handler pool: the 101 comes back through the pool's channel, and
//! pipelined requests before the upgrade are answered first, in order.
mod common;
use brisk_server::ws::{Endpoint, Message, WebSocket, WsConn};
use brisk_server::{Request, Response, StatusCode};
use common::ws::*;
use common::*;
use std::io::{BufReader, Write};

struct Echo;
impl Endpoint for Echo {
    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
        ws.send(msg);
    }
}

#[test]
fn a_pool_handler_upgrades_after_earlier_pipelined_answers() {
    let ws = WebSocket::new(Echo);
    let server = serve(
        |s| s.handler_threads(2),
        move |req: &Request| match req.path() {
            "/ws" => ws.upgrade(req),
            p => Response::text(StatusCode::OK, format!("plain {p}")),
        },
    );
    let mut s = connect(server.addr);
    let mut burst = get("/one");
    burst.extend(get("/two"));
    burst.extend(upgrade_request("/ws", ""));
    burst.extend(frame(1, b"after the upgrade"));
    s.write_all(&burst).unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    assert_eq!(read_response(&mut r, false).text(), "plain /one");
    assert_eq!(read_response(&mut r, false).text(), "plain /two");
    let head = read_head(&mut r);
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    assert_eq!(read_frame(&mut r).2, b"after the upgrade");
}
