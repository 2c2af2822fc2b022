//! A receive with nothing to send waits inside the socket's read (one
//! blocking `recv`, `SO_RCVTIMEO` bounding it, the last few milliseconds
//! through the poll): the caller's timeout and the session deadline still
//! end it on time, not early and not much late, and the connection goes
//! on working after a wait that timed out.

mod common;
#[path = "common/ws.rs"]
mod ws;

use std::time::{Duration, Instant};

use brisk_client::ws::{Message, WsError};
use brisk_client::Client;

const MS: Duration = Duration::from_millis(1);
/// What a loaded 2-core machine may add to a wait's end.
const LATE: Duration = Duration::from_millis(300);

#[test]
fn the_receive_timeout_and_the_deadline_end_on_time() {
    let peer = ws::start_py_ws(&[]);
    let mut sock = Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .websocket(&ws::ws_url(&peer, "/echo"))
        .connect()
        .expect("open");

    let t0 = Instant::now();
    let got = sock.recv_timeout(Some(MS * 700)).expect("a quiet wait");
    let took = t0.elapsed();
    assert_eq!(got, None);
    assert!(took >= MS * 700 && took < MS * 700 + LATE, "{took:?}");

    sock.send_text("after the wait").expect("send");
    assert_eq!(
        sock.recv_timeout(Some(Duration::from_secs(5)))
            .expect("echo"),
        Some(Message::Text("after the wait".into()))
    );

    sock.set_deadline(Some(Instant::now() + MS * 600));
    let t0 = Instant::now();
    let err = sock
        .recv()
        .expect_err("the deadline ends a receive without limit");
    let took = t0.elapsed();
    assert!(matches!(err, WsError::Timeout), "{err:?}");
    assert!(took >= MS * 590 && took < MS * 600 + LATE, "{took:?}");
}
