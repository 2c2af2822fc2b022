//! 64 KiB, 1 MiB and 16 MiB messages (the default limit) are echoed
//! intact, whole and in 64 KiB fragments; one byte more than the limit
//! closes with 1009.
mod common;
use brisk_server::ws::{Endpoint, Message, WebSocket, WsConn, WsSettings};
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
    let settings = WsSettings {
        // Room for one 16 MiB echo in the send buffer.
        max_backpressure_bytes: 17 << 20,
        ..WsSettings::default()
    };
    let ws = WebSocket::with_settings(Echo, settings);
    serve(|s| s, move |req: &Request| ws.upgrade(req))
}

fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

/// Writes on a thread (the server echoes while we still send).
fn send_then_read(s: &mut std::net::TcpStream, bytes: Vec<u8>) -> (bool, u8, Vec<u8>) {
    let mut w = s.try_clone().unwrap();
    let writer = std::thread::spawn(move || w.write_all(&bytes).unwrap());
    let got = read_frame(s);
    writer.join().unwrap();
    got
}

#[test]
fn whole_messages_up_to_16_mib() {
    let server = server();
    let mut s = ws_connect(server.addr, "/");
    for len in [64 << 10, 1 << 20, 16 << 20] {
        let p = payload(len);
        let got = send_then_read(&mut s, frame(2, &p));
        assert_eq!(got.1, 2);
        assert!(got.2 == p, "{len} bytes echoed intact");
    }
}

#[test]
fn fragmented_messages_up_to_16_mib() {
    let server = server();
    let mut s = ws_connect(server.addr, "/");
    for len in [64 << 10, 1 << 20, 16 << 20] {
        let p = payload(len);
        let mut wire = Vec::new();
        let chunks: Vec<&[u8]> = p.chunks(64 << 10).collect();
        for (i, c) in chunks.iter().enumerate() {
            let op = if i == 0 { 2 } else { 0 };
            let fin = if i + 1 == chunks.len() { 0x80 } else { 0 };
            wire.extend(raw_frame(fin | op, c, true));
        }
        let got = send_then_read(&mut s, wire);
        assert!(got.2 == p, "{len} bytes echoed intact");
    }
}

#[test]
fn one_byte_over_the_limit_closes_with_1009() {
    let server = server();
    let mut s = ws_connect(server.addr, "/");
    // The header alone tells the server; the payload need not follow.
    let big = (16usize << 20) + 1;
    let mut head = vec![0x82, 0x80 | 127];
    head.extend_from_slice(&(big as u64).to_be_bytes());
    head.extend_from_slice(&MASK);
    s.write_all(&head).unwrap();
    assert_eq!(read_close(&mut s), Some(1009));
}
