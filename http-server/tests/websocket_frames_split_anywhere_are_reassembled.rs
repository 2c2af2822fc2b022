//! Frames arrive however TCP cuts them: split at every byte position,
//! trickled one byte per write, or a thousand small frames in one write;
//! every message comes back whole and in order.
mod common;
use brisk_server::ws::{Endpoint, Message, WebSocket, WsConn};
use brisk_server::Request;
use common::ws::*;
use common::*;
use std::io::Write;
use std::time::Duration;

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

/// A fragmented text message with a ping between its fragments, then a
/// binary message with a 16-bit length.
fn conversation() -> Vec<u8> {
    let mut out = raw_frame(0x01, "κό".as_bytes(), true);
    out.extend(raw_frame(0x89, b"mid", true));
    out.extend(raw_frame(0x80, "σμε".as_bytes(), true));
    out.extend(frame(2, &[7u8; 300]));
    out
}

fn expect_replies(s: &mut std::net::TcpStream) {
    assert_eq!(read_frame(s), (true, 0xA, b"mid".to_vec()));
    assert_eq!(read_frame(s), (true, 1, "κόσμε".as_bytes().to_vec()));
    assert_eq!(read_frame(s), (true, 2, vec![7u8; 300]));
}

#[test]
fn split_at_every_byte_position() {
    let server = server();
    let mut s = ws_connect(server.addr, "/");
    s.set_nodelay(true).unwrap();
    let conv = conversation();
    for cut in 1..conv.len() {
        s.write_all(&conv[..cut]).unwrap();
        std::thread::sleep(Duration::from_millis(1));
        s.write_all(&conv[cut..]).unwrap();
        expect_replies(&mut s);
    }
}

#[test]
fn one_byte_per_write() {
    let server = server();
    let mut s = ws_connect(server.addr, "/");
    s.set_nodelay(true).unwrap();
    for b in conversation() {
        s.write_all(&[b]).unwrap();
        std::thread::sleep(Duration::from_micros(200));
    }
    expect_replies(&mut s);
}

#[test]
fn a_thousand_small_frames_in_one_write() {
    let server = server();
    let mut s = ws_connect(server.addr, "/");
    let mut burst = Vec::new();
    for i in 0..1000 {
        burst.extend(frame(1, format!("m{i}").as_bytes()));
    }
    s.write_all(&burst).unwrap();
    for i in 0..1000 {
        assert_eq!(read_frame(&mut s), (true, 1, format!("m{i}").into_bytes()));
    }
}
