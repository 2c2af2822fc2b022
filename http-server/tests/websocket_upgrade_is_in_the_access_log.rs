//! A WebSocket upgrade reaches the completion hook (the access log) once
//! its `101` is written: status 101, the request's method and target, the
//! head's exact size and no body bytes; the session's messages add no
//! lines. A refused handshake is logged as any answer.
mod common;
use brisk_server::ws::{Endpoint, Message, WebSocket, WsConn};
use brisk_server::{Completion, Method, Request, Response, StatusCode};
use common::ws::*;
use common::*;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Echo;
impl Endpoint for Echo {
    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
        ws.send(msg);
    }
}

/// Waits (bounded) until the log holds `n` lines.
fn wait_for_lines(log: &Mutex<Vec<Completion>>, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while log.lock().unwrap().len() < n {
        assert!(Instant::now() < deadline, "{n} log lines expected");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn the_101_is_logged_once_with_its_head_size() {
    let log: Arc<Mutex<Vec<Completion>>> = Arc::default();
    let sink = log.clone();
    let ws = WebSocket::new(Echo);
    let server = serve(
        move |s| s.on_complete(move |c| sink.lock().unwrap().push(c.clone())),
        move |req: &Request| match req.path() {
            "/ws" => ws.upgrade(req),
            _ => Response::text(StatusCode::NOT_FOUND, "no\n"),
        },
    );
    let mut s = connect(server.addr);
    s.write_all(&upgrade_request("/ws?room=1", "User-Agent: tester\r\n"))
        .unwrap();
    let head = read_head(&mut s);
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    wait_for_lines(&log, 1);
    for text in [&b"one"[..], b"two"] {
        s.write_all(&frame(1, text)).unwrap();
        assert_eq!(read_frame(&mut s).2, text);
    }
    s.write_all(&close_frame(1000, "")).unwrap();
    assert_eq!(read_close(&mut s), Some(1000));
    assert!(tcp_closed(&mut s));

    // A plain GET to the WebSocket endpoint: refused with 426, logged.
    let (resp, _) = exchange(server.addr, &get("/ws"));
    assert_eq!(resp.status, 426);
    wait_for_lines(&log, 2);
    std::thread::sleep(Duration::from_millis(50));

    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2, "one line per answer: {log:?}");
    let up = &log[0];
    assert_eq!(
        (up.status, &up.method, up.target.as_str()),
        (101, &Method::Get, "/ws?room=1")
    );
    assert_eq!(up.bytes_sent, head.len() as u64);
    assert_eq!(up.body_bytes, 0);
    assert_eq!(up.user_agent.as_deref(), Some("tester"));
    assert_eq!(up.peer.ip(), std::net::Ipv4Addr::LOCALHOST);
    assert_eq!((log[1].status, log[1].target.as_str()), (426, "/ws"));
}
