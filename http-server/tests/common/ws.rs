//! A raw WebSocket client for the behaviour tests: the handshake and
//! frames written by hand (not with brisk_core::ws, so that the server is
//! checked against an independent reading of RFC 6455). Every read is
//! bounded by the socket's timeouts.

use super::connect;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

pub const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
pub const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
pub const MASK: [u8; 4] = [0x12, 0x34, 0x56, 0x78];

/// The upgrade request for `path`, with extra header lines.
pub fn upgrade_request(path: &str, extra: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
    .into_bytes()
}

/// Reads a response head byte by byte (so no frame byte after it is
/// taken); returns it as text.
pub fn read_head(s: &mut impl Read) -> String {
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut b) {
            Ok(1) => head.push(b[0]),
            other => panic!(
                "head cut short ({other:?}): {:?}",
                String::from_utf8_lossy(&head)
            ),
        }
    }
    String::from_utf8(head).unwrap()
}

/// Connects and upgrades; `extra` is sent right after the request in the
/// same write (pipelined frames).
pub fn ws_connect_with(addr: SocketAddr, path: &str, extra_head: &str, extra: &[u8]) -> TcpStream {
    let mut s = connect(addr);
    let mut req = upgrade_request(path, extra_head);
    req.extend_from_slice(extra);
    s.write_all(&req).unwrap();
    let head = read_head(&mut s);
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    assert!(
        head.contains(&format!("Sec-WebSocket-Accept: {ACCEPT}\r\n")),
        "{head}"
    );
    s
}

pub fn ws_connect(addr: SocketAddr, path: &str) -> TcpStream {
    ws_connect_with(addr, path, "", b"")
}

/// A client frame, masked with [`MASK`] unless `masked` is false.
/// `b0` is the first byte as is (FIN, RSV, opcode).
pub fn raw_frame(b0: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut out = vec![b0];
    let m = if masked { 0x80 } else { 0 };
    match payload.len() {
        n @ 0..=125 => out.push(m | n as u8),
        n @ 126..=0xffff => {
            out.push(m | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(m | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    if masked {
        out.extend_from_slice(&MASK);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// A whole masked message frame: opcode 1 (text) or 2 (binary), FIN set.
pub fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    raw_frame(0x80 | opcode, payload, true)
}

/// A close frame with `code`.
pub fn close_frame(code: u16, reason: &str) -> Vec<u8> {
    let mut p = code.to_be_bytes().to_vec();
    p.extend_from_slice(reason.as_bytes());
    frame(8, &p)
}

/// One server frame: (FIN, opcode, payload). Panics on a masked one.
pub fn read_frame(s: &mut impl Read) -> (bool, u8, Vec<u8>) {
    let mut h = [0u8; 2];
    s.read_exact(&mut h).expect("a frame header");
    assert_eq!(h[1] & 0x80, 0, "server frames are not masked");
    let len = match h[1] & 0x7f {
        126 => {
            let mut b = [0u8; 2];
            s.read_exact(&mut b).unwrap();
            u16::from_be_bytes(b) as usize
        }
        127 => {
            let mut b = [0u8; 8];
            s.read_exact(&mut b).unwrap();
            u64::from_be_bytes(b) as usize
        }
        n => n as usize,
    };
    let mut payload = vec![0u8; len];
    s.read_exact(&mut payload).expect("a frame payload");
    (h[0] & 0x80 != 0, h[0] & 0x0f, payload)
}

/// Reads frames up to the close frame; returns its code (None for an
/// empty close), skipping pings and data.
pub fn read_close(s: &mut impl Read) -> Option<u16> {
    loop {
        let (_, op, p) = read_frame(s);
        if op == 8 {
            return (p.len() >= 2).then(|| u16::from_be_bytes([p[0], p[1]]));
        }
    }
}

/// Whether the server closed the TCP connection (EOF or reset) within the
/// socket's read timeout, after any remaining bytes.
pub fn tcp_closed(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}
