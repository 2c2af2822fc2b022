//! The library's WebSocket against Python's `websockets` server: text and
//! binary echo, the upgrade's extra headers (cookie, Basic credentials
//! from the URL, User-Agent), a subprotocol, permessage-deflate, pings
//! from the server answered while the client waits, and the closing
//! handshake ending with the server's close frame.

mod common;
#[path = "common/ws.rs"]
mod ws;

use std::time::Duration;

use brisk_client::ws::{CloseCode, Message};
use brisk_client::Client;

const WAIT: Option<Duration> = Some(Duration::from_secs(5));

fn client() -> Client {
    Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .build()
}

#[test]
fn text_binary_headers_subprotocol_and_close() {
    let peer = ws::start_py_ws(&[]);
    let url = format!("ws://alice:s3cret@127.0.0.1:{}/headers", peer.port);
    let mut sock = client()
        .websocket(&url)
        .header("Cookie", "session=abc")
        .header("X-Extra", "1")
        .protocols(["other", "chat"])
        .connect()
        .expect("open");
    assert_eq!(sock.protocol(), Some("chat"));
    assert!(!sock.is_compressed());
    let Some(Message::Text(fields)) = sock.recv_timeout(WAIT).expect("fields") else {
        panic!("no header report");
    };
    assert!(fields.contains(r#""cookie": "session=abc""#), "{fields}");
    assert!(fields.contains(r#""x-extra": "1""#), "{fields}");
    // base64("alice:s3cret")
    assert!(fields.contains("Basic YWxpY2U6czNjcmV0"), "{fields}");
    assert!(fields.contains("http-client/"), "{fields}");
    assert!(fields.contains(r#""protocol": "chat""#), "{fields}");

    sock.send_text("héllo").expect("send text");
    assert_eq!(
        sock.recv_timeout(WAIT).expect("echo"),
        Some(Message::Text("héllo".into()))
    );
    let blob: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    sock.send_binary(&blob).expect("send binary");
    assert_eq!(
        sock.recv_timeout(WAIT).expect("echo"),
        Some(Message::Binary(blob))
    );
    // Many queued messages in one flush come back in order.
    for i in 0..100 {
        sock.queue_text(&format!("m{i}")).expect("queue");
    }
    sock.flush().expect("flush");
    assert_eq!(sock.messages_sent(), 102);
    for i in 0..100 {
        assert_eq!(
            sock.recv_timeout(WAIT).expect("echo"),
            Some(Message::Text(format!("m{i}")))
        );
    }
    sock.close(CloseCode::Normal, "done").expect("close");
    match sock.recv_timeout(WAIT).expect("close answer") {
        Some(Message::Close(Some(status))) => assert_eq!(status.code, CloseCode::Normal),
        other => panic!("{other:?}"),
    }
    assert!(!sock.is_open());
}

#[test]
fn permessage_deflate_when_offered() {
    let peer = ws::start_py_ws(&["--deflate"]);
    let mut sock = client()
        .websocket(&ws::ws_url(&peer, "/echo"))
        .deflate(true)
        .connect()
        .expect("open");
    assert!(sock.is_compressed());
    let text = "compressible ".repeat(50_000);
    for _ in 0..3 {
        sock.send_text(&text).expect("send");
        assert_eq!(
            sock.recv_timeout(WAIT).expect("echo"),
            Some(Message::Text(text.clone()))
        );
    }
    // Without the offer the server must not compress.
    let plain = client()
        .websocket(&ws::ws_url(&peer, "/echo"))
        .connect()
        .expect("open");
    assert!(!plain.is_compressed());
}

#[test]
fn server_pings_are_answered_while_waiting() {
    // The server pings every 0.2 s and closes (1011) when a pong is 1 s late.
    let peer = ws::start_py_ws(&["--ping"]);
    let mut sock = client()
        .websocket(&ws::ws_url(&peer, "/echo"))
        .connect()
        .expect("open");
    assert_eq!(
        sock.recv_timeout(Some(Duration::from_millis(2500)))
            .expect("quiet wait"),
        None
    );
    sock.send_text("still here").expect("send");
    assert_eq!(
        sock.recv_timeout(WAIT).expect("echo"),
        Some(Message::Text("still here".into()))
    );
}
