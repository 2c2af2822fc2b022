//! Backpressure: publishes to a peer that stops reading pile up only to
//! the send limit. With the default policy the connection is then closed
//! with 1008 and, since the close frame cannot get through, cut after the
//! close wait; with `Backpressure::Drop` the excess is dropped and the
//! connection stays, its frames whole when the peer reads again.
mod common;
use brisk_server::ws::{Backpressure, CloseCode, Endpoint, Message, WebSocket, WsConn, WsSettings};
use brisk_server::Request;
use common::ws::*;
use common::*;
use std::io::Read;
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const LIMIT: usize = 256 << 10;

struct Feed {
    closes: Mutex<mpsc::Sender<u16>>,
}
impl Endpoint for Feed {
    fn open(&self, ws: &mut WsConn<'_>) {
        ws.subscribe("feed");
    }
    fn message(&self, _: &mut WsConn<'_>, _: Message<'_>) {}
    fn close(&self, _: &mut WsConn<'_>, code: CloseCode, _: &str) {
        let _ = self.closes.lock().unwrap().send(code.as_u16());
    }
}

fn server(policy: Backpressure) -> (TestServer, WebSocket, mpsc::Receiver<u16>) {
    let (tx, rx) = mpsc::channel();
    let settings = WsSettings {
        max_backpressure_bytes: LIMIT,
        backpressure: policy,
        close_timeout: Duration::from_millis(500),
        ..WsSettings::default()
    };
    let ws = WebSocket::with_settings(
        Feed {
            closes: Mutex::new(tx),
        },
        settings,
    );
    let endpoint = ws.clone();
    let server = serve(|s| s, move |req: &Request| endpoint.upgrade(req));
    (server, ws, rx)
}

/// Publishes 64 KiB messages until `stop` says so or 64 MiB went out.
fn flood(ws: &WebSocket, stop: impl Fn() -> bool) -> usize {
    let chunk = vec![b'x'; 64 << 10];
    let mut sent = 0;
    while sent < 1024 && !stop() {
        ws.publish("feed", Message::Binary(&chunk));
        sent += 1;
        std::thread::sleep(Duration::from_millis(1));
    }
    sent
}

#[test]
fn by_default_the_connection_is_closed_with_1008_and_cut() {
    let (server, ws, closes) = server(Backpressure::Close);
    let mut s = ws_connect(server.addr, "/");
    let start = Instant::now();
    let code = std::cell::Cell::new(None);
    flood(&ws, || {
        if code.get().is_none() {
            code.set(closes.try_recv().ok());
        }
        code.get().is_some()
    });
    let code = code.get().or_else(|| closes.recv_timeout(IO_TIMEOUT).ok());
    assert_eq!(code, Some(1008), "closed for the policy");
    // Unsubscribed at once; the TCP connection is cut after the close wait.
    assert_eq!(ws.topics().subscribers("feed"), 0);
    assert!(start.elapsed() < Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(800));
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    // What did arrive is bounded by the limit plus the kernel's buffers,
    // not by what was published.
    assert!(all.len() < 64 << 20, "{}", all.len());
}

#[test]
fn with_drop_the_excess_is_dropped_and_the_connection_stays() {
    let (server, ws, closes) = server(Backpressure::Drop);
    let mut s = ws_connect(server.addr, "/");
    let published = flood(&ws, || false);
    assert_eq!(published, 1024);
    assert_eq!(ws.topics().subscribers("feed"), 1, "still subscribed");
    assert!(closes.try_recv().is_err(), "not closed");
    // Reading again: whole frames, far fewer than were published.
    s.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut frames = 0;
    loop {
        let mut h = [0u8; 10];
        match s.read_exact(&mut h) {
            Ok(()) => {
                // Binary, FIN, the 64-bit length form for 64 KiB.
                assert_eq!(h[..2], [0x82, 127]);
                assert_eq!(u64::from_be_bytes(h[2..].try_into().unwrap()), 64 << 10);
                let mut body = vec![0u8; 64 << 10];
                s.read_exact(&mut body).unwrap();
                assert!(body.iter().all(|&b| b == b'x'));
                frames += 1;
            }
            Err(_) => break,
        }
    }
    assert!(frames > 0 && frames < 1024, "{frames} frames of 1024");
}
