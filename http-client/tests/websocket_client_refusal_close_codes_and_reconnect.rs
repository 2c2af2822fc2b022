//! The end of a session, as a library user sees it: a refused upgrade
//! (403) is `Refused` and not worth a retry; a close frame from the
//! server (any code) is a `Message::Close` with its code and reason, not
//! an error; a dropped connection is `Lost` and transient, and
//! `WsBuilder::reconnect` opens again with its hook told of each attempt,
//! giving up after the policy's bound when the server stays down.

mod common;
#[path = "common/ws.rs"]
mod ws;

use std::time::{Duration, Instant};

use brisk_client::ws::{CloseCode, Lost, Message, ReconnectPolicy, WsError};
use brisk_client::Client;

const WAIT: Option<Duration> = Some(Duration::from_secs(5));

fn client() -> Client {
    Client::builder()
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(10))
        .build()
}

#[test]
fn a_refusal_is_not_transient() {
    let peer = ws::start_py_ws(&[]);
    match client()
        .websocket(&ws::ws_url(&peer, "/forbidden"))
        .connect()
    {
        Err(e @ WsError::Refused { status: 403, .. }) => {
            assert!(!e.is_transient());
            assert_eq!(
                e.to_string(),
                "the server refused the WebSocket upgrade: HTTP 403"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn close_codes_reach_the_caller() {
    let peer = ws::start_py_ws(&[]);
    for code in [1000u16, 1001, 1011, 4000] {
        let mut sock = client()
            .websocket(&ws::ws_url(&peer, &format!("/close/{code}")))
            .connect()
            .expect("open");
        assert_eq!(
            sock.recv_timeout(WAIT).expect("first"),
            Some(Message::Text("closing".into()))
        );
        match sock.recv_timeout(WAIT).expect("close") {
            Some(Message::Close(Some(s))) => {
                assert_eq!(
                    (s.code, s.reason.as_str()),
                    (CloseCode::from_u16(code), "bye")
                )
            }
            other => panic!("{code}: {other:?}"),
        }
        assert!(matches!(sock.recv_timeout(WAIT), Err(WsError::Closed)));
    }
}

#[test]
fn a_drop_is_lost_and_reconnect_opens_again() {
    let peer = ws::start_py_ws(&[]);
    let opener = client().websocket(&ws::ws_url(&peer, "/drop"));
    let mut sock = opener.connect().expect("open");
    sock.send_text("one").expect("send");
    assert_eq!(
        sock.recv_timeout(WAIT).expect("echo"),
        Some(Message::Text("one".into()))
    );
    let err = sock.recv_timeout(WAIT).expect_err("dropped");
    assert!(
        matches!(err, WsError::Lost(Lost::Eof | Lost::Io(_))),
        "{err:?}"
    );
    assert!(err.is_transient());
    let policy = ReconnectPolicy {
        initial_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(200),
        max_attempts: Some(5),
    };
    let mut attempts = Vec::new();
    let mut again = opener
        .reconnect(&policy, |a| attempts.push(*a))
        .expect("reconnect");
    assert_eq!(attempts.len(), 1);
    assert!(attempts[0].delay <= Duration::from_millis(50));
    again.send_text("two").expect("send");
    assert_eq!(
        again.recv_timeout(WAIT).expect("echo"),
        Some(Message::Text("two".into()))
    );
}

#[test]
fn reconnect_gives_up_after_the_bound() {
    let port = common::free_port(); // nobody listens there
    let opener = client().websocket(&format!("ws://127.0.0.1:{port}/"));
    let policy = ReconnectPolicy {
        initial_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(80),
        max_attempts: Some(4),
    };
    let mut numbers = Vec::new();
    let t0 = Instant::now();
    let err = opener
        .reconnect(&policy, |a| {
            assert!(a.delay <= policy.ceiling(a.number));
            numbers.push(a.number)
        })
        .expect_err("nobody listens");
    assert_eq!(numbers, [1, 2, 3, 4]);
    assert!(
        matches!(err, WsError::Open(brisk_client::Error::Connect { .. })),
        "{err:?}"
    );
    assert!(t0.elapsed() < Duration::from_secs(2));
}
