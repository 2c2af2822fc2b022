//! `fetch ws://` against this project's own WebSocket server
//! (`brisk_server::ws`, the `ws_echo` example's endpoint in-process):
//! 16 MiB messages both ways, as text lines and as binary, and a
//! permessage-deflate session.

mod common;
#[path = "common/ws.rs"]
mod ws;

use brisk_server::ws::{Endpoint, Message, WebSocket, WsConn, WsSettings};
use brisk_server::{Request, Response, Server, StatusCode};
use ws::FetchWs;

struct Echo;

impl Endpoint for Echo {
    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
        ws.send(msg);
    }
}

/// The server on a thread; stopped when the returned handle is dropped.
struct Running {
    port: u16,
    handle: brisk_server::ShutdownHandle,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.handle.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn start() -> Running {
    let settings = WsSettings {
        max_message_bytes: 16 << 20,
        max_backpressure_bytes: 17 << 20,
        ..WsSettings::default()
    };
    let echo = WebSocket::with_settings(Echo, settings);
    let server = Server::bind("127.0.0.1:0").expect("bind").workers(1);
    let port = server.local_addr().port();
    let handle = server.handle();
    let thread = std::thread::spawn(move || {
        server.serve(move |req: &Request| match req.path() {
            "/echo" => echo.upgrade(req),
            _ => Response::text(StatusCode::NOT_FOUND, "no\n"),
        })
    });
    Running {
        port,
        handle,
        thread: Some(thread),
    }
}

#[test]
fn sixteen_mebibytes_both_ways() {
    let server = start();
    let url = format!("ws://127.0.0.1:{}/echo", server.port);
    let big: Vec<u8> = (0..16 << 20).map(|i| b'a' + (i % 26) as u8).collect();
    let mut f = FetchWs::start(&[&url]);
    f.send(b"small first");
    assert_eq!(f.text(), "small first");
    f.send(&big);
    let back = f.line();
    assert_eq!(back.len(), big.len());
    assert!(back == big, "the 16 MiB echo differs");
    let done = f.finish();
    assert_eq!(done.code, 0, "{}", done.stderr);

    let mut f = FetchWs::start_raw(&["--ws-binary", &url]);
    f.send(&big);
    let mut got = Vec::with_capacity(big.len());
    while got.len() < big.len() {
        got.extend(f.line());
    }
    assert!(got == big, "the 16 MiB binary echo differs");
    let done = f.finish();
    assert_eq!(done.code, 0, "{}", done.stderr);
}

#[test]
fn compressed_messages_with_the_own_server() {
    let server = start();
    let url = format!("ws://127.0.0.1:{}/echo", server.port);
    // 1 MiB: zlib in a debug build is slow enough that 16 MiB would
    // measure the build, not the protocol.
    let text: String = (0..1 << 20)
        .map(|i| char::from(b'a' + (i % 7) as u8))
        .collect();
    let mut f = FetchWs::start(&["--compressed", "-v", &url]);
    for _ in 0..2 {
        f.send(text.as_bytes());
        assert_eq!(f.text(), text);
    }
    let done = f.finish();
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(
        done.stderr.contains("* WebSocket open, permessage-deflate"),
        "{}",
        done.stderr
    );
}

#[test]
fn over_the_limit_fails_with_1009() {
    let server = start();
    let url = format!("ws://127.0.0.1:{}/echo", server.port);
    // The server's limit is 16 MiB: one byte more is refused with 1009.
    let mut f = FetchWs::start(&["-v", &url]);
    f.send(&vec![b'x'; (16 << 20) + 1]);
    let done = f.wait();
    assert_eq!(
        done.code, 0,
        "a close frame ends the session: {}",
        done.stderr
    );
    assert!(
        done.stderr.contains("WebSocket closed: 1009"),
        "{}",
        done.stderr
    );
}

#[test]
fn many_lines_written_at_once_all_come_back() {
    // A wake taken by a zero-timeout poll once left fetch waiting on the
    // socket while its input reader waited on a full queue (2846 of
    // 100,000 lines came back): every line must come back, in order.
    let server = start();
    let url = format!("ws://127.0.0.1:{}/echo", server.port);
    let mut f = FetchWs::start(&["-s", &url]);
    for i in 0..20_000 {
        f.send(format!("line {i}").as_bytes());
    }
    for i in 0..20_000 {
        assert_eq!(f.text(), format!("line {i}"));
    }
    let done = f.finish();
    assert_eq!(done.code, 0, "{}", done.stderr);
}
