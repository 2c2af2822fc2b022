//! A peer that vanishes without a close frame is reported to the
//! endpoint as 1006 (abnormal closure), once; a peer's close frame is
//! reported with its own code and reason.
mod common;
use brisk_server::ws::{CloseCode, Endpoint, Message, WebSocket, WsConn};
use brisk_server::Request;
use common::ws::*;
use common::*;
use std::io::Write;
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::Duration;

struct Watch {
    closes: Mutex<mpsc::Sender<(u16, String)>>,
}
impl Endpoint for Watch {
    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
        ws.send(msg);
    }
    fn close(&self, _: &mut WsConn<'_>, code: CloseCode, reason: &str) {
        let _ = self
            .closes
            .lock()
            .unwrap()
            .send((code.as_u16(), reason.to_owned()));
    }
}

#[test]
fn vanishing_peer_is_1006_and_a_close_frame_its_code() {
    let (tx, closes) = mpsc::channel();
    let ws = WebSocket::new(Watch {
        closes: Mutex::new(tx),
    });
    let server = serve(|s| s, move |req: &Request| ws.upgrade(req));

    let mut s = ws_connect(server.addr, "/");
    s.write_all(&frame(1, b"x")).unwrap();
    assert_eq!(read_frame(&mut s).2, b"x");
    drop(s);
    assert_eq!(
        closes.recv_timeout(IO_TIMEOUT).unwrap(),
        (1006, String::new())
    );

    let mut s = ws_connect(server.addr, "/");
    s.write_all(&close_frame(4001, "app reason")).unwrap();
    assert_eq!(read_close(&mut s), Some(4001));
    assert!(tcp_closed(&mut s));
    assert_eq!(
        closes.recv_timeout(IO_TIMEOUT).unwrap(),
        (4001, "app reason".into())
    );
    // Reported once.
    assert!(closes.recv_timeout(Duration::from_millis(300)).is_err());
}
