//! The limits and slow-client defences hold over TLS: a client that
//! pipelines requests for large answers and never reads them is throttled
//! (memory bounded, others served) and cut at the write timeout; a
//! trickled head is cut at the head deadline; oversized heads and bodies
//! get their 431 and 413 inside the TLS session.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::memory::*;
use common::tls::*;
use common::*;
use std::io::{BufReader, Read, Write};
use std::time::{Duration, Instant};

fn big_or_small(req: &Request) -> Response {
    if req.path() == "/big" {
        Response::new(StatusCode::OK).bytes(vec![b'z'; 1 << 20])
    } else {
        Response::text(StatusCode::OK, "small")
    }
}

fn small_over_tls(pki: &Pki, addr: std::net::SocketAddr) -> String {
    let mut tls = connect_tls(addr, pki.client_config());
    tls.write_all(&get("/small")).unwrap();
    read_response(&mut BufReader::new(tls), false).text()
}

#[test]
fn a_non_reading_tls_client_is_throttled_then_cut() {
    let pki = Pki::new();
    let server = serve_tls(
        &pki,
        |s| s.write_timeout(Duration::from_secs(3)),
        big_or_small,
    );
    let before = rss_kib();
    let mut hog = connect_tls(server.addr, pki.client_config());
    hog.write_all(&get("/small")).unwrap(); // completes the handshake
    let mut first = [0u8; 64];
    let _ = hog.read(&mut first).unwrap();
    // 300 requests for 1 MiB each, encrypted up front, written until the
    // socket stops taking them.
    hog.conn.set_buffer_limit(None);
    for _ in 0..300 {
        hog.conn.writer().write_all(&get("/big")).unwrap();
    }
    hog.sock
        .set_write_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    while hog.conn.wants_write() {
        if hog.conn.write_tls(&mut hog.sock).is_err() {
            break; // the server stopped reading: fine
        }
    }
    let started = Instant::now();
    for _ in 0..10 {
        assert_eq!(small_over_tls(&pki, server.addr), "small");
    }
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "others were delayed"
    );
    let grown_mib = rss_kib().saturating_sub(before) / 1024;
    assert!(grown_mib < 64, "memory grew by {grown_mib} MiB");
    // Not reading past the write timeout: the server cuts the connection.
    std::thread::sleep(Duration::from_secs(5));
    hog.sock
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = vec![0u8; 1 << 16];
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut total = 0usize;
    loop {
        match hog.sock.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("{e}"),
        }
        assert!(Instant::now() < deadline, "stalled TLS connection not cut");
    }
    assert!(
        total < 200 << 20,
        "the server sent {total} bytes: it buffered everything"
    );
}

#[test]
fn a_trickled_head_over_tls_is_cut_at_the_deadline() {
    let pki = Pki::new();
    let server = serve_tls(
        &pki,
        |s| s.head_timeout(Duration::from_secs(1)),
        big_or_small,
    );
    let started = Instant::now();
    let mut tls = connect_tls(server.addr, pki.client_config());
    let mut cut = false;
    for b in b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: "
        .iter()
        .chain(b"y".repeat(100).iter())
    {
        if tls.write_all(&[*b]).is_err() {
            cut = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        if started.elapsed() > Duration::from_secs(4) {
            break;
        }
    }
    if !cut {
        let mut rest = Vec::new();
        let _ = tls.read_to_end(&mut rest);
        assert!(rest.is_empty(), "no answer to a trickled head");
    }
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(4), "not cut: {waited:?}");
}

#[test]
fn oversized_heads_and_bodies_are_refused_inside_tls() {
    let pki = Pki::new();
    let server = serve_tls(&pki, |s| s.max_body_bytes(1000), big_or_small);
    let ask = |raw: Vec<u8>| {
        let mut tls = connect_tls(server.addr, pki.client_config());
        tls.write_all(&raw).unwrap();
        let mut r = BufReader::new(tls);
        let resp = read_response(&mut r, false);
        let mut rest = Vec::new();
        let clean = r.read_to_end(&mut rest).is_ok();
        (resp.status, clean)
    };
    let huge = format!(
        "GET / HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n",
        "a".repeat(40_000)
    );
    assert_eq!(ask(huge.into_bytes()), (431, true));
    let post = b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n".to_vec();
    assert_eq!(ask(post), (413, true));
}
