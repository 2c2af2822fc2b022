//! `static --proxy-protocol` with PROXY headers written by the test over
//! real loopback sockets, for the cases HAProxy does not produce on
//! demand: a v1 line trickled a byte at a time, a header and a request in
//! one write, `PROXY UNKNOWN` and v2 `LOCAL` (the connection's own address),
//! a malformed line (closed, unanswered), and a second PROXY line later on
//! a keep-alive connection (a bad request, the address unchanged). The
//! addresses inside the headers are documentation ranges: only text, no
//! traffic goes to them.
mod common;
use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

const GET: &[u8] = b"GET /a.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";

fn connect(server: &StaticServer) -> TcpStream {
    let s = TcpStream::connect_timeout(&server.addr, STEP_TIMEOUT).expect("connect");
    s.set_read_timeout(Some(STEP_TIMEOUT)).expect("timeout");
    s
}

/// Reads until the server closes (a reset counts as a close).
fn read_all(s: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return got,
            Err(e) => panic!("the server did not close the connection: {e}"),
        }
    }
}

/// The newest access-log line once there are `count`.
fn line(server: &StaticServer, count: usize) -> String {
    let lines = server.log_lines(count);
    assert!(lines.len() >= count, "{lines:?}");
    lines[count - 1].clone()
}

/// A v2 header: signature, version/command, family, length, payload.
fn v2(command: u8, family: u8, payload: &[u8]) -> Vec<u8> {
    let mut h = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    h.push(command);
    h.push(family);
    h.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    h.extend_from_slice(payload);
    h
}

#[test]
fn proxy_protocol_headers_on_the_wire() {
    let dir = site();
    write(dir.path(), "a.txt", "alpha");
    let server = StaticServer::start(dir.path(), &["--proxy-protocol"]);

    // A v1 line a byte at a time, then the request.
    let mut s = connect(&server);
    for b in b"PROXY TCP4 203.0.113.7 127.0.0.1 40000 443\r\n" {
        s.write_all(&[*b]).expect("write");
        thread::sleep(Duration::from_millis(5));
    }
    s.write_all(GET).expect("write");
    let reply = parse_reply(&read_all(&mut s));
    assert_eq!((reply.status, reply.body.as_slice()), (200, &b"alpha"[..]));
    assert!(
        line(&server, 1).starts_with("203.0.113.7 - - ["),
        "{}",
        line(&server, 1)
    );

    // Header and request in one write: the request is not lost.
    let mut s = connect(&server);
    let mut bytes = b"PROXY TCP6 2001:db8::9 ::1 40001 443\r\n".to_vec();
    bytes.extend_from_slice(GET);
    s.write_all(&bytes).expect("write");
    assert_eq!(parse_reply(&read_all(&mut s)).status, 200);
    assert!(
        line(&server, 2).starts_with("2001:db8::9 - - ["),
        "{}",
        line(&server, 2)
    );

    // v2 over IPv4, split inside the address block.
    let mut s = connect(&server);
    let mut payload = vec![198, 51, 100, 9, 127, 0, 0, 1];
    payload.extend_from_slice(&40002u16.to_be_bytes());
    payload.extend_from_slice(&443u16.to_be_bytes());
    let header = v2(0x21, 0x11, &payload);
    s.write_all(&header[..20]).expect("write");
    thread::sleep(Duration::from_millis(50));
    s.write_all(&header[20..]).expect("write");
    s.write_all(GET).expect("write");
    assert_eq!(parse_reply(&read_all(&mut s)).status, 200);
    assert!(
        line(&server, 3).starts_with("198.51.100.9 - - ["),
        "{}",
        line(&server, 3)
    );

    // No client address in the header: the connection's own.
    for (what, header) in [
        ("PROXY UNKNOWN", b"PROXY UNKNOWN\r\n".to_vec()),
        ("v2 LOCAL", v2(0x20, 0x00, &[])),
    ] {
        let mut s = connect(&server);
        let mut bytes = header;
        bytes.extend_from_slice(GET);
        s.write_all(&bytes).expect("write");
        assert_eq!(parse_reply(&read_all(&mut s)).status, 200, "{what}");
    }
    assert!(
        line(&server, 4).starts_with("127.0.0.1 - - ["),
        "{}",
        line(&server, 4)
    );
    assert!(
        line(&server, 5).starts_with("127.0.0.1 - - ["),
        "{}",
        line(&server, 5)
    );

    // Malformed headers: closed, nothing answered.
    for bad in [
        &b"PROXY TCP4 not-an-address 127.0.0.1 1 2\r\n"[..],
        &b"PROXY TCP4 203.0.113.7 127.0.0.1 40000\r\n"[..],
        &b"\r\n\r\n\0\r\nQUIT\n\x31\x11\x00\x0c"[..], // version 3
    ] {
        let mut s = connect(&server);
        let mut bytes = bad.to_vec();
        bytes.extend_from_slice(GET);
        s.write_all(&bytes).expect("write");
        let got = read_all(&mut s);
        assert!(
            got.is_empty(),
            "{:?} was answered: {:?}",
            String::from_utf8_lossy(bad),
            String::from_utf8_lossy(&got)
        );
    }

    // One header per connection: a PROXY line later on a keep-alive
    // connection is a bad request, and the address stays the first one.
    let mut s = connect(&server);
    s.write_all(
        b"PROXY TCP4 203.0.113.8 127.0.0.1 40003 443\r\nGET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n",
    )
    .expect("write");
    s.write_all(
        b"PROXY TCP4 192.0.2.66 127.0.0.1 40004 443\r\nGET /a.txt HTTP/1.1\r\nHost: t\r\n\r\n",
    )
    .expect("write");
    let got = read_all(&mut s);
    assert_eq!(
        count_responses(&got),
        2,
        "{}",
        String::from_utf8_lossy(&got)
    );
    let first = parse_reply(&got);
    assert_eq!(first.status, 200);
    let text = String::from_utf8_lossy(&got);
    assert!(text.contains("HTTP/1.1 400 "), "{text}");
    let lines = server.log_lines(7);
    assert!(lines.len() >= 7, "{lines:?}");
    for l in &lines[5..] {
        assert!(l.starts_with("203.0.113.8 - - ["), "{l}");
    }
}
