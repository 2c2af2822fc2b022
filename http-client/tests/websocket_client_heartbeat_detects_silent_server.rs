//! The heartbeat: after the interval with nothing received the client
//! pings; a server that never answers (it reads and ignores everything)
//! makes the connection lost (`Lost::Heartbeat`) one timeout later, and
//! the client says goodbye with a close frame on the way out.

mod common;
#[path = "common/ws.rs"]
mod ws;

use std::time::{Duration, Instant};

use brisk_client::ws::{Lost, WsError};
use brisk_client::Client;

#[test]
fn no_pong_means_lost_within_interval_plus_timeout() {
    let peer = ws::start_py_raw();
    let client = Client::builder().timeout(Duration::from_secs(10)).build();
    let mut sock = client
        .websocket(&ws::ws_url(&peer, "/silent"))
        .heartbeat(Duration::from_millis(300), Duration::from_millis(300))
        .connect()
        .expect("open");
    let t0 = Instant::now();
    let err = sock.recv().expect_err("a silent server is lost");
    let took = t0.elapsed();
    assert!(matches!(err, WsError::Lost(Lost::Heartbeat)), "{err:?}");
    assert!(err.is_transient());
    assert!(
        took >= Duration::from_millis(550) && took < Duration::from_secs(3),
        "{took:?}"
    );
}

#[test]
fn a_short_receive_timeout_is_not_a_loss() {
    let peer = ws::start_py_raw();
    let client = Client::builder().build();
    let mut sock = client
        .websocket(&ws::ws_url(&peer, "/silent"))
        .connect()
        .expect("open");
    let got = sock
        .recv_timeout(Some(Duration::from_millis(200)))
        .expect("timeout only");
    assert_eq!(got, None);
    assert!(sock.is_open());
}
