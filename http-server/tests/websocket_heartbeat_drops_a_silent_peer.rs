//! Heartbeats: a connection silent for the ping interval gets a ping; a
//! peer that answers nothing within the pong timeout is dropped (reported
//! 1006) within interval + timeout; a peer that answers stays.
mod common;
use brisk_server::ws::{CloseCode, Endpoint, Message, WebSocket, WsConn, WsSettings};
use brisk_server::Request;
use common::ws::*;
use common::*;
use std::io::Write;
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const PING: Duration = Duration::from_millis(300);
const PONG: Duration = Duration::from_millis(300);

struct Echo {
    closes: Mutex<mpsc::Sender<u16>>,
}
impl Endpoint for Echo {
    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
        ws.send(msg);
    }
    fn close(&self, _: &mut WsConn<'_>, code: CloseCode, _: &str) {
        let _ = self.closes.lock().unwrap().send(code.as_u16());
    }
}

fn server() -> (TestServer, mpsc::Receiver<u16>) {
    let (tx, rx) = mpsc::channel();
    let settings = WsSettings {
        ping_interval: PING,
        pong_timeout: PONG,
        ..WsSettings::default()
    };
    let ws = WebSocket::with_settings(
        Echo {
            closes: Mutex::new(tx),
        },
        settings,
    );
    (serve(|s| s, move |req: &Request| ws.upgrade(req)), rx)
}

#[test]
fn a_silent_peer_is_dropped_within_interval_plus_timeout() {
    let (server, closes) = server();
    let start = Instant::now();
    let mut s = ws_connect(server.addr, "/");
    // Never answer: the server pings, then gives up.
    let code = closes
        .recv_timeout(Duration::from_secs(5))
        .expect("dropped");
    let took = start.elapsed();
    assert_eq!(code, 1006);
    assert!(took >= PING + PONG - Duration::from_millis(50), "{took:?}");
    assert!(took < PING + PONG + Duration::from_millis(1500), "{took:?}");
    // It did ping first; then the connection is gone.
    assert_eq!(read_frame(&mut s).1, 0x9);
    assert!(tcp_closed(&mut s));
}

#[test]
fn a_peer_that_answers_pings_stays() {
    let (server, closes) = server();
    let mut s = ws_connect(server.addr, "/");
    let until = Instant::now() + (PING + PONG) * 3;
    let mut pings = 0;
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    while Instant::now() < until {
        let mut h = [0u8; 2];
        match std::io::Read::read_exact(&mut s, &mut h) {
            Ok(()) => {
                assert_eq!(h, [0x89, 0], "an empty ping");
                pings += 1;
                s.write_all(&frame(0xA, b"")).unwrap();
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert!(pings >= 2, "{pings} pings");
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    s.write_all(&frame(1, b"still here")).unwrap();
    assert_eq!(read_frame(&mut s), (true, 1, b"still here".to_vec()));
    assert!(closes.try_recv().is_err(), "not closed");
}
