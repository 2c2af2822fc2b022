//! Fan-out across processes: two `ws_echo` processes relay `/chat`
//! through a real `redis-server`; a message sent to one reaches the
//! clients of both. With Redis killed, local delivery goes on and the log
//! says Redis is away; once it is back, both relays reconnect.
//! (Run with `--features redis`, as scripts/test.sh does; the test builds
//! `ws_echo` with the feature.)
mod common;
use common::ws::*;
use common::*;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use test_support::first_stdout_line;

/// `redis-server` on `port`, no persistence; killed on drop.
struct Redis(Child);

impl Redis {
    fn start(port: u16) -> Redis {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| missing_peer_in_redis(e));
        let until = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < until, "redis-server did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        Redis(child)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn missing_peer_in_redis(e: std::io::Error) -> ! {
    panic!("redis-server cannot run ({e}): install the Debian package `redis-server` (scripts/install-peers.sh)")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `ws_echo` relaying through `redis_port`, its stderr in `log`.
fn ws_echo(redis_port: u16, log: &std::path::Path) -> ChildServer {
    let mut child = Command::new(example_with_features("ws_echo", "redis"))
        .arg("127.0.0.1:0")
        .env("REDIS_URL", format!("redis://127.0.0.1:{redis_port}/"))
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let line = first_stdout_line(&mut child, Duration::from_secs(60), |_| {}).expect("first line");
    let addr = line
        .trim()
        .strip_prefix("listening at http://")
        .and_then(|s| s.strip_suffix('/'))
        .unwrap()
        .parse()
        .unwrap();
    ChildServer { child, addr }
}

fn text(s: &mut TcpStream) -> String {
    let (_, op, p) = read_frame(s);
    assert_eq!(op, 1);
    String::from_utf8(p).unwrap()
}

/// Sends from `from` until `to` gets one of them (both relays subscribed).
fn until_relayed(from: &mut TcpStream, to: &mut TcpStream, limit: Duration) {
    to.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let until = Instant::now() + limit;
    let mut got = false;
    while !got {
        assert!(Instant::now() < until, "the relay did not (re)connect");
        from.write_all(&frame(1, b"probe")).unwrap();
        let mut h = [0u8; 2];
        got = std::io::Read::read_exact(to, &mut h).is_ok();
        if got {
            let mut p = vec![0u8; (h[1] & 0x7f) as usize];
            std::io::Read::read_exact(to, &mut p).unwrap();
        }
    }
    to.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    // Drain the probes `from` got back, and any late ones at `to`.
    std::thread::sleep(Duration::from_millis(300));
    for s in [from, to] {
        s.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        while read_any(s) {}
        s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    }
}

fn read_any(s: &mut TcpStream) -> bool {
    let mut h = [0u8; 2];
    if std::io::Read::read_exact(s, &mut h).is_err() {
        return false;
    }
    let mut p = vec![0u8; (h[1] & 0x7f) as usize];
    std::io::Read::read_exact(s, &mut p).unwrap();
    true
}

#[test]
fn chat_reaches_both_processes_and_survives_a_redis_restart() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let redis = Redis::start(port);
    let one = ws_echo(port, &dir.path().join("one.log"));
    let two = ws_echo(port, &dir.path().join("two.log"));
    let mut a = ws_connect(one.addr, "/chat");
    let mut b = ws_connect(two.addr, "/chat");
    until_relayed(&mut a, &mut b, Duration::from_secs(10));

    a.write_all(&frame(1, b"hello from one")).unwrap();
    assert_eq!(text(&mut a), "hello from one");
    assert_eq!(text(&mut b), "hello from one");
    b.write_all(&frame(1, b"hello from two")).unwrap();
    assert_eq!(text(&mut b), "hello from two");
    assert_eq!(text(&mut a), "hello from two");

    drop(redis);
    std::thread::sleep(Duration::from_millis(300));
    a.write_all(&frame(1, b"redis is away")).unwrap();
    assert_eq!(text(&mut a), "redis is away", "local delivery goes on");
    std::thread::sleep(Duration::from_millis(500));
    let log = std::fs::read_to_string(dir.path().join("one.log")).unwrap();
    assert!(log.contains("is away"), "the log says so: {log}");

    let _redis = Redis::start(port);
    until_relayed(&mut a, &mut b, Duration::from_secs(15));
    b.write_all(&frame(1, b"back again")).unwrap();
    assert_eq!(text(&mut b), "back again");
    assert_eq!(text(&mut a), "back again");
}
