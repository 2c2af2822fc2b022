//! `fetch ws://` against a server that never answers our close: the
//! wait for its close frame ends after 5 s and the session exits 0 (our
//! close went out; the end of input asked for nothing more). Before the
//! fix the expired wait sent the loop spinning at full CPU forever.

mod common;
#[path = "common/ws.rs"]
mod ws;

use std::time::{Duration, Instant};

use ws::FetchWs;

#[test]
fn a_server_that_never_answers_the_close_ends_the_session_in_5_s() {
    let peer = ws::start_py_raw();
    let t0 = Instant::now();
    let mut f = FetchWs::start(&["-v", "--ws-linger", "0", &ws::ws_url(&peer, "/deaf")]);
    f.send(b"hello");
    let done = f.finish();
    let took = t0.elapsed();
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(
        (Duration::from_secs(5)..Duration::from_secs(9)).contains(&took),
        "{took:?}"
    );
    assert!(
        done.stderr
            .contains("* WebSocket closed (WebSocket wait timed out)"),
        "{}",
        done.stderr
    );
    assert_eq!(peer.log("codes.log"), "1000 /deaf\n");
}
