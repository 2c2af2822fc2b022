//! `fetch ws://` against Python's `websockets`: each input line is a
//! message and each echo a flushed output line (read before the next line
//! is written), `--ws-binary`, the end of input closing with 1000 (exit
//! 0), `-v` showing the handshake heads and the close code; a close the
//! server starts (exit 0, its code and reason with `-v`), a refused
//! upgrade (exit 22 and the contract's line), a dropped connection (56),
//! `--compressed` offering permessage-deflate, `-b`/`-u`/`-A` in the
//! upgrade request, `-m` bounding the whole session (28).

mod common;
#[path = "common/ws.rs"]
mod ws;

use common::{code, fetch, stderr};
use ws::FetchWs;

#[test]
fn lines_echo_one_by_one_and_end_of_input_closes() {
    let peer = ws::start_py_ws(&[]);
    let url = ws::ws_url(&peer, "/echo");
    let mut f = FetchWs::start(&["-v", "-H", "X-Extra: 1", &url]);
    for line in ["first", "second line", "ünïcode"] {
        f.send(line.as_bytes());
        assert_eq!(f.text(), line);
    }
    let done = f.finish();
    assert_eq!(done.code, 0, "{}", done.stderr);
    for want in [
        "> GET /echo HTTP/1.1",
        "> Upgrade: websocket",
        "> Sec-WebSocket-Version: 13",
        "> X-Extra: 1",
        "< HTTP/1.1 101 Switching Protocols",
        "* WebSocket closed: 1000",
    ] {
        assert!(done.stderr.contains(want), "{want} in\n{}", done.stderr);
    }
    assert_eq!(
        peer.log("received.log"),
        "first\nsecond line\nünïcode\n",
        "each line once, in order"
    );
}

#[test]
fn binary_mode_sends_bytes_and_writes_them_raw() {
    let peer = ws::start_py_ws(&[]);
    let url = ws::ws_url(&peer, "/echo");
    let mut f = FetchWs::start_raw(&["--ws-binary", &url]);
    // A binary echo is written as its bytes, no newline added.
    f.send(b"raw\xffbytes");
    let mut got = Vec::new();
    while got.len() < 9 {
        got.extend(f.line());
    }
    assert_eq!(got, b"raw\xffbytes");
    let done = f.finish();
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert_eq!(peer.log("received.log"), "", "nothing went as text");
}

#[test]
fn a_close_from_the_server_exits_0_with_its_code_and_reason() {
    let peer = ws::start_py_ws(&[]);
    let f = FetchWs::start(&["-v", &ws::ws_url(&peer, "/close/4003")]);
    assert_eq!(f.text(), "closing");
    let done = f.wait();
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(
        done.stderr.contains("* WebSocket closed: 4003 bye"),
        "{}",
        done.stderr
    );
}

#[test]
fn a_refused_upgrade_exits_22_with_the_contract_line() {
    let peer = ws::start_py_ws(&[]);
    let out = fetch(&[&ws::ws_url(&peer, "/forbidden")]);
    assert_eq!(code(&out), 22, "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "fetch: the server refused the WebSocket upgrade: HTTP 403\n"
    );
    let out = fetch(&["-s", &ws::ws_url(&peer, "/forbidden")]);
    assert_eq!((code(&out), stderr(&out).as_str()), (22, ""));
}

#[test]
fn a_dropped_connection_exits_56() {
    let peer = ws::start_py_ws(&[]);
    let mut f = FetchWs::start(&[&ws::ws_url(&peer, "/drop")]);
    f.send(b"one");
    assert_eq!(f.text(), "one");
    let done = f.wait();
    assert_eq!(done.code, 56, "{}", done.stderr);
    assert!(done.stderr.contains("lost"), "{}", done.stderr);
}

#[test]
fn compressed_offers_permessage_deflate() {
    let peer = ws::start_py_ws(&["--deflate"]);
    let url = ws::ws_url(&peer, "/headers");
    let mut f = FetchWs::start(&[
        "-v",
        "--compressed",
        "-b",
        "session=abc",
        "-u",
        "alice:s3cret",
        "-A",
        "agent/1",
        &url,
    ]);
    let fields = f.text();
    for want in [
        "permessage-deflate; client_max_window_bits",
        r#""cookie": "session=abc""#,
        "Basic YWxpY2U6czNjcmV0",
        r#""user-agent": "agent/1""#,
    ] {
        assert!(fields.contains(want), "{want} in {fields}");
    }
    let long = "abc".repeat(10_000);
    f.send(long.as_bytes());
    assert_eq!(f.text(), long);
    let done = f.finish();
    assert_eq!(done.code, 0);
    assert!(
        done.stderr.contains("* WebSocket open, permessage-deflate"),
        "{}",
        done.stderr
    );
}

#[test]
fn max_time_bounds_the_whole_session() {
    let peer = ws::start_py_raw();
    let t0 = std::time::Instant::now();
    let f = FetchWs::start(&["-m", "1", &ws::ws_url(&peer, "/silent")]);
    let done = f.wait();
    assert_eq!(done.code, 28, "{}", done.stderr);
    let took = t0.elapsed();
    assert!(took < std::time::Duration::from_secs(4), "{took:?}");
}

#[test]
fn errors_before_the_upgrade_keep_curls_codes() {
    let port = common::free_port();
    let out = fetch(&[&format!("ws://127.0.0.1:{port}/")]);
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    // An unresolvable name (6) is in unresolvable_names_ask_no_resolver.rs,
    // inside a network namespace: no test may query the system resolver.
    let out = fetch(&["ws://[::1/"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
}
