//! Connecting to a listener whose accept queue is full times out at the
//! connect deadline (the SYN is dropped, connect never completes).
mod common;
use common::*;

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// A listener with backlog 0 that never accepts, filled until a connect
/// attempt hangs. Returns the listener and the connections that hold it.
fn full_listener() -> (socket2::Socket, SocketAddr, Vec<TcpStream>) {
    let s =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    s.bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .expect("bind");
    s.listen(0).expect("listen");
    let addr = s.local_addr().expect("addr").as_socket().expect("inet");
    let mut held = Vec::new();
    for _ in 0..64 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(c) => held.push(c),
            Err(_) => return (s, addr, held),
        }
    }
    panic!("the accept queue of a backlog-0 listener never filled after 64 connections");
}

#[test]
fn connect_times_out_against_a_full_backlog() {
    let (_listener, addr, _held) = full_listener();
    let t0 = Instant::now();
    let out = fetch(&["-sS", "--connect-timeout", "1", &format!("http://{addr}/")]);
    let took = t0.elapsed();
    assert_eq!(code(&out), 28, "{}", stderr(&out));
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "{took:?}"
    );

    let client = brisk_client::Client::builder()
        .connect_timeout(Duration::from_millis(300))
        .build();
    let t0 = Instant::now();
    match client.get(&format!("http://{addr}/")).send() {
        Err(brisk_client::Error::Timeout {
            phase: brisk_client::Phase::Connect,
        }) => {}
        other => panic!("want a connect timeout, got {other:?}"),
    }
    assert!(t0.elapsed() < Duration::from_secs(2));
}
