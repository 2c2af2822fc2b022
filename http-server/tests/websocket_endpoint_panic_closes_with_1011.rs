//! A panicking endpoint callback does not take the worker down: that
//! connection closes with 1011 (internal error), the others go on.
mod common;
use brisk_server::ws::{Endpoint, Message, WebSocket, WsConn};
use brisk_server::Request;
use common::ws::*;
use common::*;
use std::io::Write;

struct Fragile;
impl Endpoint for Fragile {
    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
        if msg == Message::Text("boom") {
            panic!("the endpoint's own bug");
        }
        ws.send(msg);
    }
}

#[test]
fn a_panic_closes_only_its_connection_with_1011() {
    let ws = WebSocket::new(Fragile);
    let server = serve(|s| s, move |req: &Request| ws.upgrade(req));
    let mut calm = ws_connect(server.addr, "/");
    let mut doomed = ws_connect(server.addr, "/");
    doomed.write_all(&frame(1, b"boom")).unwrap();
    assert_eq!(read_close(&mut doomed), Some(1011));
    calm.write_all(&frame(1, b"still fine")).unwrap();
    assert_eq!(read_frame(&mut calm).2, b"still fine");
    let mut fresh = ws_connect(server.addr, "/");
    fresh.write_all(&frame(1, b"new")).unwrap();
    assert_eq!(read_frame(&mut fresh).2, b"new");
}
