//! An idle WebSocket holds no read or write buffer: after a 64 KiB
//! message each way, thousands of idle connections cost about a
//! kilobyte each at most (the session itself), not the buffers they used.
mod common;
use brisk_server::ws::{Endpoint, Message, WebSocket, WsConn, WsSettings};
use brisk_server::Request;
use common::memory::*;
use common::ws::*;
use common::*;
use std::io::Write;

struct Echo;
impl Endpoint for Echo {
    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
        ws.send(msg);
    }
}

#[test]
fn idle_websockets_are_cheap() {
    const N: usize = 2000;
    if !descriptors_allow(2 * N + 100) {
        return;
    }
    // No compression: the raw client offers none (zlib's state would
    // dominate otherwise; see the README).
    let settings = WsSettings {
        ping_interval: std::time::Duration::ZERO,
        ..WsSettings::default()
    };
    let ws = WebSocket::with_settings(Echo, settings);
    let server = serve(|s| s, move |req: &Request| ws.upgrade(req));
    let small = frame(1, b"warm");
    // Warm up the worker (its read buffer and first allocations).
    let mut warm = ws_connect(server.addr, "/");
    warm.write_all(&frame(2, &vec![1u8; 64 << 10])).unwrap();
    assert_eq!(read_frame(&mut warm).2.len(), 64 << 10);
    let before = rss_kib();
    let mut clients = Vec::with_capacity(N);
    for _ in 0..N {
        let mut s = ws_connect(server.addr, "/");
        s.write_all(&small).unwrap();
        clients.push(s);
    }
    for s in &mut clients {
        assert_eq!(read_frame(s).2, b"warm");
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    let per_conn = (rss_kib().saturating_sub(before)) * 1024 / N as u64;
    eprintln!("{per_conn} bytes per idle WebSocket connection (server and test client)");
    // Holding the 64 KiB read buffer, or even a 1 KiB one, would be far
    // above this.
    assert!(
        per_conn < 1024,
        "{per_conn} bytes per idle connection (target: at most 1 KiB)"
    );
}
