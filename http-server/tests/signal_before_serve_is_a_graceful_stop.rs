//! A SIGTERM that arrives after the program announced its address but
//! before `serve` runs is a graceful stop (exit 0), not death by signal:
//! `shutdown_on_signals` installs the handlers when it is called. The
//! fixture holds the gap open until the test writes to its stdin, so the
//! signal lands in it every time.
mod common;
use common::*;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn sigterm_between_the_first_line_and_serve_exits_0() {
    let mut server = spawn_server({
        let mut c = Command::new(example("signal_before_serve"));
        c.arg("127.0.0.1:0").stdin(Stdio::piped());
        c
    });
    // `kill` returns once the signal is sent; the fixture is still
    // waiting on stdin, short of `serve`.
    server.signal("TERM");
    std::thread::sleep(Duration::from_millis(100));
    let mut stdin = server.child.stdin.take().expect("piped stdin");
    // The write fails (EPIPE) if the signal killed the process already.
    let _ = stdin.write_all(b"serve\n");
    drop(stdin);
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("serve did not return within 10 s after an early SIGTERM");
    assert_eq!(
        status.code(),
        Some(0),
        "expected a graceful exit 0, got {status:?} (signal {:?})",
        status.signal()
    );
}
