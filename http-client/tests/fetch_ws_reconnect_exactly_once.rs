//! `fetch --ws-reconnect`: the server is stopped mid-session and started
//! again on the same port; fetch notices the loss (an end of stream
//! without a close frame), reconnects with backoff (`-v` notes each
//! attempt) and goes on with the input lines not yet written, so the
//! server's log holds every line exactly once. Without `--ws-reconnect`
//! the loss exits 56; with `--retry N` the attempts stop after N; a
//! silent server found by `--ws-ping` is a loss too.

mod common;
#[path = "common/ws.rs"]
mod ws;

use std::time::{Duration, Instant};

use ws::FetchWs;

#[test]
fn a_restarted_server_gets_every_line_exactly_once() {
    ws::require_websockets();
    let dir = tempfile::tempdir().expect("tempdir");
    let first = ws::start_py(ws::PY_WS_SERVER, 0, Some(dir.path()), &[]);
    let port = first.port;
    let url = format!("ws://127.0.0.1:{port}/echo");
    let mut f = FetchWs::start(&["-v", "--ws-reconnect", &url]);
    for i in 1..=5 {
        let line = format!("line {i}");
        f.send(line.as_bytes());
        assert_eq!(f.text(), line);
    }
    drop(first); // SIGTERM: the server dies without a close frame
                 // fetch, waiting in its receive, sees the end of stream at once; these
                 // lines wait for the new connection.
    std::thread::sleep(Duration::from_millis(300));
    for i in 6..=10 {
        f.send(format!("line {i}").as_bytes());
    }
    let second = ws::start_py(ws::PY_WS_SERVER, port, Some(dir.path()), &[]);
    for i in 6..=10 {
        assert_eq!(f.text(), format!("line {i}"));
    }
    let done = f.finish();
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(
        done.stderr.contains("reconnect attempt 1"),
        "{}",
        done.stderr
    );
    drop(second);
    let log = std::fs::read_to_string(dir.path().join("received.log")).expect("log");
    let want: String = (1..=10).map(|i| format!("line {i}\n")).collect();
    assert_eq!(log, want, "every line exactly once, in order");
}

#[test]
fn without_reconnect_a_loss_exits_56() {
    let peer = ws::start_py_ws(&[]);
    let mut f = FetchWs::start(&[&ws::ws_url(&peer, "/echo")]);
    f.send(b"hello");
    assert_eq!(f.text(), "hello");
    drop(peer);
    let done = f.wait();
    assert_eq!(done.code, 56, "{}", done.stderr);
}

#[test]
fn retry_bounds_the_attempts() {
    let peer = ws::start_py_ws(&[]);
    let mut f = FetchWs::start(&[
        "-v",
        "--ws-reconnect",
        "--retry",
        "2",
        &ws::ws_url(&peer, "/echo"),
    ]);
    f.send(b"hello");
    assert_eq!(f.text(), "hello");
    drop(peer); // and never back
    let t0 = Instant::now();
    let done = f.wait();
    assert_eq!(done.code, 56, "{}", done.stderr);
    assert!(
        done.stderr.contains("reconnect attempt 2"),
        "{}",
        done.stderr
    );
    assert!(
        !done.stderr.contains("reconnect attempt 3"),
        "{}",
        done.stderr
    );
    // Ceilings 0.5 s then 1 s: well under 5 s with jitter.
    assert!(t0.elapsed() < Duration::from_secs(5));
}

#[test]
fn ws_ping_finds_a_silent_server() {
    let peer = ws::start_py_raw();
    let t0 = Instant::now();
    let f = FetchWs::start(&["--ws-ping", "0.3", &ws::ws_url(&peer, "/silent")]);
    let done = f.wait();
    assert_eq!(done.code, 56, "{}", done.stderr);
    assert!(done.stderr.contains("heartbeat"), "{}", done.stderr);
    assert!(t0.elapsed() < Duration::from_secs(5));
}
