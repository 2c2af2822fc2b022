//! SIGTERM starts a graceful shutdown that waits for a slow request; a
//! second signal exits at once (status 130) instead of waiting.
mod common;
use common::*;
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn second_sigterm_cuts_the_drain_short() {
    let mut server = spawn_server({
        let mut c = Command::new(example("routes"));
        c.arg("127.0.0.1:0");
        c
    });
    let mut slow = connect(server.addr);
    slow.write_all(&get("/slow?ms=8000")).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    server.signal("TERM");
    // Draining: the slow request keeps the process alive.
    assert!(
        server.wait_exit(Duration::from_millis(500)).is_none(),
        "exited before the drain"
    );
    let started = Instant::now();
    server.signal("TERM");
    let status = server
        .wait_exit(Duration::from_secs(3))
        .expect("second signal ignored");
    assert_eq!(status.code(), Some(130));
    assert!(started.elapsed() < Duration::from_secs(2));
}
