//! Many connections that trickle heads do not keep other clients from
//! being served, and are all cut at the head deadline.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::Write;
use std::time::{Duration, Instant};

#[test]
fn slow_clients_are_cut_and_others_are_served() {
    let server = serve(
        |s| s.head_timeout(Duration::from_secs(3)),
        |_r: &Request| Response::text(StatusCode::OK, "fine"),
    );
    let mut slow: Vec<_> = (0..200).map(|_| connect(server.addr)).collect();
    for s in &mut slow {
        s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n").unwrap();
    }
    let started = Instant::now();
    for _ in 0..20 {
        let (resp, _) = exchange(server.addr, &get("/"));
        assert_eq!(resp.status, 200);
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "others were delayed"
    );
    for s in &mut slow {
        s.set_read_timeout(Some(Duration::from_secs(6))).unwrap();
        assert!(closed_by_peer(s), "a slow connection outlived its deadline");
    }
}
