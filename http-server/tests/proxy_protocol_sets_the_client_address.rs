//! A PROXY protocol listener: v1 and v2 headers (split across writes
//! too) set `Request::peer_addr` and the access log's address, over plain
//! TCP and before TLS; LOCAL keeps the balancer's address; a missing or
//! malformed header, or one that never completes, closes the connection
//! without an answer. Without the option a PROXY line is just a bad
//! request (nobody can forge an address).
mod common;
use brisk_server::{Completion, Request, Response, StatusCode};
use common::tls::*;
use common::*;
use std::io::{BufReader, Read, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn who(req: &Request) -> Response {
    Response::text(StatusCode::OK, format!("{}\n", req.peer_addr()))
}

/// A v2 PROXY header for TCP over IPv4 from `src` to `dst`.
fn v2(src: SocketAddr, dst: SocketAddr) -> Vec<u8> {
    let (SocketAddr::V4(s), SocketAddr::V4(d)) = (src, dst) else {
        panic!("IPv4 only here");
    };
    let mut h = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    h.push(0x21); // version 2, PROXY
    h.push(0x11); // AF_INET, STREAM
    h.extend_from_slice(&12u16.to_be_bytes());
    h.extend_from_slice(&s.ip().octets());
    h.extend_from_slice(&d.ip().octets());
    h.extend_from_slice(&s.port().to_be_bytes());
    h.extend_from_slice(&d.port().to_be_bytes());
    h
}

/// A v2 LOCAL header (a health check by the balancer itself).
fn v2_local() -> Vec<u8> {
    let mut h = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    h.extend_from_slice(&[0x20, 0x00, 0x00, 0x00]);
    h
}

#[test]
fn v1_and_v2_headers_set_the_peer_and_the_log() {
    let logged = Arc::new(Mutex::new(Vec::new()));
    let log = logged.clone();
    let server = serve(
        |s| {
            s.proxy_protocol(true).on_complete(move |c: &Completion| {
                log.lock().unwrap().push(c.peer.to_string());
            })
        },
        who,
    );
    let v1 = b"PROXY TCP4 192.0.2.7 198.51.100.1 40001 443\r\n".to_vec();
    let (resp, _) = exchange(server.addr, &[v1, get("/")].concat());
    assert_eq!(resp.text(), "192.0.2.7:40001\n");
    let src: SocketAddr = "203.0.113.9:51000".parse().unwrap();
    let header = v2(src, "198.51.100.1:443".parse().unwrap());
    // Split inside the header, and the request in another write.
    let mut s = connect(server.addr);
    s.write_all(&header[..7]).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    s.write_all(&header[7..]).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    s.write_all(&get("/")).unwrap();
    let mut r = BufReader::new(s);
    assert_eq!(read_response(&mut r, false).text(), "203.0.113.9:51000\n");
    // Keep-alive: the next request on that connection has the same peer.
    r.get_mut().write_all(&get("/2")).unwrap();
    assert_eq!(read_response(&mut r, false).text(), "203.0.113.9:51000\n");
    // LOCAL: the balancer's own address stays.
    let mut local = connect(server.addr);
    let me = local.local_addr().unwrap();
    local.write_all(&[v2_local(), get("/")].concat()).unwrap();
    let mut r = BufReader::new(local);
    assert_eq!(read_response(&mut r, false).text(), format!("{me}\n"));
    let deadline = Instant::now() + Duration::from_secs(5);
    while logged.lock().unwrap().len() < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let ips = logged.lock().unwrap().clone();
    assert_eq!(
        ips,
        [
            "192.0.2.7:40001",
            "203.0.113.9:51000",
            "203.0.113.9:51000",
            &me.to_string()
        ],
        "the access log's addresses"
    );
}

#[test]
fn missing_malformed_or_unfinished_headers_close_without_an_answer() {
    let server = serve(
        |s| s.proxy_protocol(true).head_timeout(Duration::from_secs(1)),
        who,
    );
    for bytes in [
        get("/"),
        b"PROXY TCP4 999.0.0.1 1.2.3.4 1 2\r\nGET / HTTP/1.1\r\n\r\n".to_vec(),
        b"\r\n\r\n\0\r\nQUIT\n\x99\x11\x00\x0c".to_vec(),
    ] {
        let mut s = connect(server.addr);
        s.write_all(&bytes).unwrap();
        let mut got = Vec::new();
        let _ = s.read_to_end(&mut got);
        assert!(
            got.is_empty(),
            "no answer expected: {:?}",
            String::from_utf8_lossy(&got)
        );
    }
    // Half a header, then silence: cut at the head deadline.
    let started = Instant::now();
    let mut s = connect(server.addr);
    s.write_all(b"PROXY TCP4 192.0.2.7").unwrap();
    assert!(closed_by_peer(&mut s));
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
}

#[test]
fn the_header_comes_before_tls() {
    let pki = Pki::new();
    let server = serve_tls(&pki, |s| s.proxy_protocol(true), who);
    let tcp = connect(server.addr);
    let src: SocketAddr = "203.0.113.20:4444".parse().unwrap();
    (&tcp).write_all(&v2(src, server.addr)).unwrap();
    let name = brisk_server::rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let conn = brisk_server::rustls::ClientConnection::new(pki.client_config(), name).unwrap();
    let mut tls = brisk_server::rustls::StreamOwned::new(conn, tcp);
    tls.write_all(&get("/")).unwrap();
    let mut r = BufReader::new(tls);
    assert_eq!(read_response(&mut r, false).text(), "203.0.113.20:4444\n");
}

#[test]
fn without_the_option_a_proxy_line_is_a_bad_request() {
    let server = serve(|s| s, who);
    let v1 = b"PROXY TCP4 192.0.2.7 198.51.100.1 40001 443\r\n".to_vec();
    let (resp, _) = exchange(server.addr, &[v1, get("/")].concat());
    assert_eq!(resp.status, 400);
}
