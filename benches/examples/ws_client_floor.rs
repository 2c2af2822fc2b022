//! The floor of a WebSocket echo client, as a measuring stick for
//! `benches/load/ws_vs_tungstenite.py` (what `floor.rs` is to the
//! server): the least a client can spend on that loop. It is NOT a
//! client: it sends one canned upgrade request and only looks for `101`
//! in the answer, sends frames built once (the same masking key every
//! time, which RFC 6455 forbids a real client), and counts echoed bytes
//! without reading a frame header, so anything but the expected echoes
//! (a ping, a fragmented message) is miscounted.
//!
//!     ws_client_floor ws://127.0.0.1:PORT/PATH [MESSAGES] [IN_FLIGHT]
//!
//! The loop is `ws_echo_loop`'s and the tungstenite peer's: MESSAGES text
//! messages of 64 bytes in batches of IN_FLIGHT, a batch in one blocking
//! `write`, then blocking reads until its echoes (66 bytes each: a 2-byte
//! header and the payload) are in, then a close. It prints
//! `messages N wall_s W` (the script takes the CPU time from `wait4`).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Instant;

/// Every message's payload length; the echo's header is then 2 bytes.
const PAYLOAD: usize = 64;
const ECHO_BYTES: usize = 2 + PAYLOAD;
const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .ok_or("usage: ws_client_floor ws://HOST:PORT/PATH [MESSAGES] [IN_FLIGHT]")?;
    let total: usize = args.get(2).map_or(Ok(200_000), |s| s.parse())?;
    let window: usize = args.get(3).map_or(Ok(16), |s| s.parse())?;
    let rest = url.strip_prefix("ws://").ok_or("a ws:// URL")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };

    let t0 = Instant::now();
    let mut sock = TcpStream::connect(authority)?;
    sock.set_nodelay(true)?;
    upgrade(&mut sock, authority, path)?;
    let batch = frames(window);
    let mut inbox = vec![0u8; 64 << 10];
    let mut got = 0;
    while got < total {
        let n = window.min(total - got);
        sock.write_all(&batch[..n * (ECHO_BYTES + 4)])?;
        let mut want = n * ECHO_BYTES;
        while want > 0 {
            match sock.read(&mut inbox)? {
                0 => return Err("the server closed mid-batch".into()),
                k => want = want.saturating_sub(k),
            }
        }
        got += n;
    }
    close(&mut sock, &mut inbox)?;
    let wall = t0.elapsed().as_secs_f64();
    println!("messages {got} wall_s {wall:.6}");
    Ok(())
}

/// Sends the upgrade request and reads the answer's head; `101` or an error.
fn upgrade(sock: &mut TcpStream, authority: &str, path: &str) -> io::Result<()> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    );
    sock.write_all(request.as_bytes())?;
    // Byte by byte, so that nothing after the head is read here (the
    // server sends nothing before the first echo anyway).
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        if sock.read(&mut byte)? == 0 || head.len() > 8 << 10 {
            return Err(io::Error::other("no complete answer to the upgrade"));
        }
        head.push(byte[0]);
    }
    if !head.starts_with(b"HTTP/1.1 101") {
        return Err(io::Error::other("the server refused the upgrade"));
    }
    Ok(())
}

/// `count` masked text frames of PAYLOAD bytes, back to back.
fn frames(count: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(count * (ECHO_BYTES + 4));
    for _ in 0..count {
        out.extend_from_slice(&[0x81, 0x80 | PAYLOAD as u8]);
        out.extend_from_slice(&MASK);
        out.extend((0..PAYLOAD).map(|i| b'x' ^ MASK[i % 4]));
    }
    out
}

/// Sends a close (1000) and reads until the server's close and its end of
/// the connection.
fn close(sock: &mut TcpStream, inbox: &mut [u8]) -> io::Result<()> {
    let code = 1000u16.to_be_bytes();
    let frame = [
        0x88,
        0x82,
        MASK[0],
        MASK[1],
        MASK[2],
        MASK[3],
        code[0] ^ MASK[0],
        code[1] ^ MASK[1],
    ];
    sock.write_all(&frame)?;
    while sock.read(inbox)? > 0 {}
    Ok(())
}
