//! With SIGPIPE at its default action in the embedding program, clients
//! that vanish in the middle of large bodies (memory, sendfile, chunked
//! stream) do not kill the server.
//!
//! Over TCP the kernel reports the first failed write as ECONNRESET (no
//! signal) and the server drops the connection then, so this test passes
//! even without the defences; `sys::tests` shows that they work (sendfile
//! to a closed peer raises SIGPIPE, held pending by the worker's mask;
//! `send`/`sendmsg` with MSG_NOSIGNAL raise none).
mod common;
use common::*;
use std::io::{Read, Write};
use std::process::Command;
use std::time::Duration;

#[test]
fn disconnecting_clients_do_not_kill_a_sigpipe_default_process() {
    let mut server = spawn_server({
        let mut c = Command::new(example("sigpipe_default"));
        c.arg("127.0.0.1:0");
        c
    });
    for round in 0..5 {
        for path in ["/bytes", "/file", "/stream"] {
            let mut s = connect(server.addr);
            s.write_all(&get(path)).unwrap();
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "{path}: no response");
            // Vanish with a reset, so the server's next write fails.
            socket2::SockRef::from(&s)
                .set_linger(Some(Duration::ZERO))
                .unwrap();
            drop(s);
            std::thread::sleep(Duration::from_millis(20));
            assert!(
                server.child.try_wait().unwrap().is_none(),
                "server died after a client left {path} (round {round})"
            );
        }
    }
    let (resp, _) = exchange(server.addr, &get("/"));
    assert_eq!(resp.text(), "alive");
    assert!(server.child.try_wait().unwrap().is_none());
}
