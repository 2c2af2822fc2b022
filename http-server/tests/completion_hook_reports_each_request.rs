//! The completion hook sees every answered request once its response is
//! written: method, target, status, exact bytes, peer, user agent.
mod common;
use brisk_server::{Completion, Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn each_request_is_reported_with_its_bytes() {
    let log: Arc<Mutex<Vec<Completion>>> = Arc::default();
    let sink = log.clone();
    let server = serve(
        move |s| s.on_complete(move |c| sink.lock().unwrap().push(c.clone())),
        |req: &Request| Response::text(StatusCode::OK, "x".repeat(req.path().len())),
    );
    let mut s = connect(server.addr);
    s.write_all(
        b"GET /one HTTP/1.1\r\nHost: t\r\nUser-Agent: tester\r\nReferer: http://r/\r\n\r\n",
    )
    .unwrap();
    s.write_all(&get("/three?q")).unwrap();
    let mut r = BufReader::new(s);
    let mut sizes = vec![];
    let mut bodies = vec![];
    for _ in 0..2 {
        let resp = read_response(&mut r, false);
        let head_len = format!(
            "HTTP/1.1 200 OK\r\n{}\r\n",
            resp.headers
                .iter()
                .map(|(n, v)| format!("{n}: {v}\r\n"))
                .collect::<String>()
        )
        .len();
        sizes.push((head_len + resp.body.len()) as u64);
        bodies.push(resp.body.len() as u64);
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while log.lock().unwrap().len() < 2 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(5));
    }
    let log = log.lock().unwrap();
    assert_eq!(log[0].target, "/one");
    assert_eq!(log[0].method, brisk_server::Method::Get);
    assert_eq!(log[0].status, 200);
    assert_eq!(log[0].user_agent.as_deref(), Some("tester"));
    assert_eq!(log[0].referer.as_deref(), Some("http://r/"));
    assert_eq!(log[1].target, "/three?q");
    assert_eq!([log[0].bytes_sent, log[1].bytes_sent], [sizes[0], sizes[1]]);
    assert_eq!(
        [log[0].body_bytes, log[1].body_bytes],
        [bodies[0], bodies[1]]
    );
    assert_eq!(log[0].peer.ip(), std::net::Ipv4Addr::LOCALHOST);
}

#[test]
fn duration_covers_a_slow_handler_on_the_pool() {
    let log: Arc<Mutex<Vec<Completion>>> = Arc::default();
    let sink = log.clone();
    let server = serve(
        move |s| {
            s.handler_threads(2)
                .on_complete(move |c| sink.lock().unwrap().push(c.clone()))
        },
        |_req: &Request| {
            std::thread::sleep(Duration::from_millis(150));
            Response::text(StatusCode::OK, "slow")
        },
    );
    let (resp, _) = exchange(server.addr, &get("/slow"));
    assert_eq!(resp.text(), "slow");
    let deadline = Instant::now() + Duration::from_secs(5);
    while log.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(5));
    }
    let d = log.lock().unwrap()[0].duration;
    assert!(
        d >= Duration::from_millis(150) && d < Duration::from_secs(2),
        "{d:?}"
    );
}

#[test]
fn refused_requests_with_a_head_are_reported() {
    let log: Arc<Mutex<Vec<Completion>>> = Arc::default();
    let sink = log.clone();
    let server = serve(
        move |s| {
            s.max_body_bytes(10)
                .on_complete(move |c| sink.lock().unwrap().push(c.clone()))
        },
        |_req: &Request| Response::text(StatusCode::OK, "never"),
    );
    let (resp, _) = exchange(
        server.addr,
        b"POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n",
    );
    assert_eq!(resp.status, 413);
    let (resp, _) = exchange(server.addr, b"GET /nohost HTTP/1.1\r\n\r\n");
    assert_eq!(resp.status, 400);
    let deadline = Instant::now() + Duration::from_secs(5);
    while log.lock().unwrap().len() < 2 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(100));
    let log = log.lock().unwrap();
    let seen: Vec<(u16, &str)> = log.iter().map(|c| (c.status, c.target.as_str())).collect();
    assert_eq!(seen, [(413, "/big"), (400, "/nohost")]);
    assert!(log[0].bytes_sent > 0);
}

/// Bytes that never formed a head still get a log line, as nginx logs its
/// 400s: with the method and target when the request line got that far.
#[test]
fn refused_bytes_without_a_head_are_reported() {
    let log: Arc<Mutex<Vec<Completion>>> = Arc::default();
    let sink = log.clone();
    let server = serve(
        move |s| s.on_complete(move |c| sink.lock().unwrap().push(c.clone())),
        |_req: &Request| Response::text(StatusCode::OK, "never"),
    );
    // Past the 8 KiB request-line limit.
    let long = format!("GET /{} HTTP/1.1\r\nHost: t\r\n\r\n", "a".repeat(9000));
    let cases: [(&[u8], u16, &str, &str); 4] = [
        (b"BAD LINE\r\n\r\n", 400, "BAD", "LINE"),
        (
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
            400,
            "-",
            "-",
        ),
        (b"GET /v HTTP/2.0\r\nHost: t\r\n\r\n", 505, "GET", "/v"),
        (long.as_bytes(), 414, "GET", ""),
    ];
    for (i, (raw, status, method, target)) in cases.iter().enumerate() {
        let (resp, _) = exchange(server.addr, raw);
        assert_eq!(resp.status, *status);
        let deadline = Instant::now() + Duration::from_secs(5);
        while log.lock().unwrap().len() <= i {
            assert!(Instant::now() < deadline, "no completion for case {i}");
            std::thread::sleep(Duration::from_millis(5));
        }
        let c = log.lock().unwrap()[i].clone();
        assert_eq!(
            (c.status, c.method.as_str()),
            (*status, *method),
            "case {i}"
        );
        if target.is_empty() {
            // A 9 KiB target: the log gets its first KiB, not all of it.
            assert!(
                c.target.starts_with("/aaa") && c.target.len() < 1100,
                "{}",
                c.target.len()
            );
        } else {
            assert_eq!(c.target, *target, "case {i}");
        }
        assert!(c.bytes_sent > 0 && c.body_bytes > 0, "case {i}");
    }
}

#[test]
fn a_response_cut_by_the_client_is_reported_with_the_bytes_sent() {
    let log: Arc<Mutex<Vec<Completion>>> = Arc::default();
    let sink = log.clone();
    let server = serve(
        move |s| s.on_complete(move |c| sink.lock().unwrap().push(c.clone())),
        |_req: &Request| Response::new(StatusCode::OK).bytes(vec![b'x'; 50 << 20]),
    );
    let mut s = connect(server.addr);
    s.write_all(&get("/huge")).unwrap();
    let mut buf = vec![0u8; 1 << 16];
    std::io::Read::read_exact(&mut s, &mut buf).unwrap();
    socket2::SockRef::from(&s)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(s);
    let deadline = Instant::now() + Duration::from_secs(5);
    while log.lock().unwrap().is_empty() {
        assert!(
            Instant::now() < deadline,
            "no completion for a cut response"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let c = log.lock().unwrap()[0].clone();
    assert_eq!((c.status, c.target.as_str()), (200, "/huge"));
    assert!(
        c.bytes_sent >= 1 << 16 && c.bytes_sent < 50 << 20,
        "{}",
        c.bytes_sent
    );
}
