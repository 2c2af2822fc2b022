//! SIGTERM to `ws_echo`: every WebSocket gets a close frame with 1001
//! (going away); once the peers answer, the server exits 0.
mod common;
use common::ws::*;
use common::*;
use std::io::Write;
use std::process::Command;
use std::time::Duration;

#[test]
fn sigterm_closes_every_websocket_with_1001() {
    let mut cmd = Command::new(example("ws_echo"));
    cmd.arg("127.0.0.1:0");
    let mut server = spawn_server(cmd);
    let mut a = ws_connect(server.addr, "/echo");
    let mut b = ws_connect(server.addr, "/chat");
    a.write_all(&frame(1, b"before")).unwrap();
    assert_eq!(read_frame(&mut a).2, b"before");
    server.signal("TERM");
    for s in [&mut a, &mut b] {
        assert_eq!(read_close(s), Some(1001));
        s.write_all(&close_frame(1001, "")).unwrap();
        assert!(tcp_closed(s));
    }
    let status = server.wait_exit(Duration::from_secs(10)).expect("exited");
    assert!(status.success(), "{status:?}");
}
