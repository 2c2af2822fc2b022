//! The opening handshake per RFC 6455 4.2: a good request gets 101 with
//! the right accept key; bad ones 400; another version 426 with
//! `Sec-WebSocket-Version: 13`; a plain GET to a WebSocket-only endpoint
//! 426 with `Upgrade: websocket`. Frames sent in the same write as the
//! upgrade request belong to the WebSocket and are not lost.
mod common;
use brisk_server::ws::{Endpoint, Message, WebSocket, WsConn};
use brisk_server::Request;
use common::ws::*;
use common::*;
use std::io::Write;

struct Echo;
impl Endpoint for Echo {
    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
        ws.send(msg);
    }
}

fn server() -> TestServer {
    let ws = WebSocket::new(Echo);
    serve(|s| s, move |req: &Request| ws.upgrade(req))
}

#[test]
fn a_good_handshake_switches_protocols() {
    let server = server();
    let mut s = connect(server.addr);
    s.write_all(&upgrade_request(
        "/",
        "Sec-WebSocket-Protocol: chat\r\nOrigin: http://x\r\n",
    ))
    .unwrap();
    let head = read_head(&mut s);
    assert!(
        head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{head}"
    );
    let lower = head.to_ascii_lowercase();
    assert!(lower.contains("\r\nupgrade: websocket\r\n"), "{head}");
    assert!(lower.contains("\r\nconnection: upgrade\r\n"), "{head}");
    assert!(
        head.contains(&format!("Sec-WebSocket-Accept: {ACCEPT}\r\n")),
        "{head}"
    );
    // No subprotocol chosen by default, no body framing on a 101.
    assert!(!lower.contains("sec-websocket-protocol"), "{head}");
    assert!(!lower.contains("content-length"), "{head}");
    s.write_all(&frame(1, b"hi")).unwrap();
    assert_eq!(read_frame(&mut s), (true, 1, b"hi".to_vec()));
}

#[test]
fn frames_pipelined_behind_the_upgrade_request_are_not_lost() {
    let server = server();
    let mut burst = frame(1, b"first");
    burst.extend(frame(2, &[1, 2, 3]));
    burst.extend(frame(9, b"ping"));
    let mut s = ws_connect_with(server.addr, "/", "", &burst);
    assert_eq!(read_frame(&mut s), (true, 1, b"first".to_vec()));
    assert_eq!(read_frame(&mut s), (true, 2, vec![1, 2, 3]));
    assert_eq!(read_frame(&mut s), (true, 0xA, b"ping".to_vec()));
}

fn status_of(server: &TestServer, raw: &str) -> Resp {
    exchange(server.addr, raw.as_bytes()).0
}

#[test]
fn bad_handshakes_are_refused_with_their_status() {
    let server = server();
    let good_fields = format!(
        "Host: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n"
    );
    let without = |name: &str| -> String {
        good_fields
            .split("\r\n")
            .filter(|l| !l.is_empty() && !l.starts_with(name))
            .map(|l| format!("{l}\r\n"))
            .collect()
    };
    let cases: Vec<(String, u16)> = vec![
        (
            format!("POST / HTTP/1.1\r\n{good_fields}Content-Length: 0\r\n\r\n"),
            400,
        ),
        (
            format!("GET / HTTP/1.1\r\n{}\r\n", without("Sec-WebSocket-Key")),
            400,
        ),
        (
            format!(
                "GET / HTTP/1.1\r\n{}Sec-WebSocket-Key: tooshort\r\n\r\n",
                without("Sec-WebSocket-Key")
            ),
            400,
        ),
        (format!("GET / HTTP/1.1\r\n{}\r\n", without("Upgrade")), 400),
        (
            format!(
                "GET / HTTP/1.1\r\n{}Upgrade: h2c\r\n\r\n",
                without("Upgrade")
            ),
            400,
        ),
        (
            format!("GET / HTTP/1.1\r\n{}\r\n", without("Connection")),
            400,
        ),
        (
            format!(
                "GET / HTTP/1.1\r\n{}Sec-WebSocket-Version: 8\r\n\r\n",
                without("Sec-WebSocket-Version")
            ),
            426,
        ),
        ("GET / HTTP/1.1\r\nHost: t\r\n\r\n".to_string(), 426),
    ];
    for (raw, status) in cases {
        let resp = status_of(&server, &raw);
        assert_eq!(resp.status, status, "{raw}");
        if status == 426 && raw.contains("Version: 8") {
            assert_eq!(resp.header("sec-websocket-version"), Some("13"), "{raw}");
        }
        if raw == "GET / HTTP/1.1\r\nHost: t\r\n\r\n" {
            assert_eq!(resp.header("upgrade"), Some("websocket"));
        }
    }
}
