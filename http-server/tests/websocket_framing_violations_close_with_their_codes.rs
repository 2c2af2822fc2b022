//! RFC 6455 section 5, case by case over raw sockets: each violation is
//! answered with a close frame carrying its code (1002, 1007, 1009), then
//! the TCP close; pings are answered with the same payload, also between
//! the fragments of a message; unsolicited pongs are ignored.
mod common;
use brisk_server::ws::{CloseCode, Endpoint, Message, WebSocket, WsConn, WsSettings};
use brisk_server::Request;
use common::ws::*;
use common::*;
use std::io::Write;
use std::sync::mpsc;
use std::sync::Mutex;

struct Echo {
    closes: Mutex<mpsc::Sender<u16>>,
}
impl Endpoint for Echo {
    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
        ws.send(msg);
    }
    fn close(&self, _: &mut WsConn<'_>, code: CloseCode, _: &str) {
        let _ = self.closes.lock().unwrap().send(code.as_u16());
    }
}

const LIMIT: usize = 1024;

fn server() -> (TestServer, mpsc::Receiver<u16>) {
    let (tx, rx) = mpsc::channel();
    let settings = WsSettings {
        max_message_bytes: LIMIT,
        ..WsSettings::default()
    };
    let ws = WebSocket::with_settings(
        Echo {
            closes: Mutex::new(tx),
        },
        settings,
    );
    (serve(|s| s, move |req: &Request| ws.upgrade(req)), rx)
}

/// Sends `bytes` on a fresh connection; the close code the server sends.
fn verdict(server: &TestServer, bytes: &[u8]) -> Option<u16> {
    let mut s = ws_connect(server.addr, "/");
    s.write_all(bytes).unwrap();
    let code = read_close(&mut s);
    assert!(tcp_closed(&mut s), "the TCP close follows");
    code
}

#[test]
fn each_violation_closes_with_its_code() {
    let (server, closes) = server();
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("unmasked client frame", raw_frame(0x81, b"hi", false), 1002),
        (
            "RSV1 without an extension",
            raw_frame(0xC1, b"hi", true),
            1002,
        ),
        ("RSV2", raw_frame(0xA1, b"hi", true), 1002),
        ("RSV3", raw_frame(0x91, b"hi", true), 1002),
        ("reserved data opcode 3", raw_frame(0x83, b"", true), 1002),
        (
            "reserved control opcode 0xB",
            raw_frame(0x8B, b"", true),
            1002,
        ),
        (
            "ping over 125 bytes",
            raw_frame(0x89, &[0; 126], true),
            1002,
        ),
        ("fragmented ping", raw_frame(0x09, b"p", true), 1002),
        (
            "continuation with nothing to continue",
            raw_frame(0x80, b"x", true),
            1002,
        ),
        (
            "new data frame inside a fragmented message",
            [raw_frame(0x01, b"a", true), raw_frame(0x81, b"b", true)].concat(),
            1002,
        ),
        ("invalid UTF-8 in text", frame(1, b"\xce\xba\xff"), 1007),
        (
            "invalid UTF-8 in a close reason",
            frame(8, b"\x03\xe8\xff"),
            1007,
        ),
        ("close code 999", close_frame(999, ""), 1002),
        ("close code 1004", close_frame(1004, ""), 1002),
        ("close code 1005", close_frame(1005, ""), 1002),
        ("close code 1006", close_frame(1006, ""), 1002),
        ("close code 1015", close_frame(1015, ""), 1002),
        ("close code 1016", close_frame(1016, ""), 1002),
        ("close code 2999", close_frame(2999, ""), 1002),
        ("close code 5000", close_frame(5000, ""), 1002),
        ("1-byte close payload", frame(8, &[3]), 1002),
        (
            "message over the limit",
            frame(2, &vec![0; LIMIT + 1]),
            1009,
        ),
        (
            "fragments over the limit together",
            [
                raw_frame(0x02, &[0; LIMIT], true),
                raw_frame(0x80, &[0; 1], true),
            ]
            .concat(),
            1009,
        ),
    ];
    for (what, bytes, code) in cases {
        assert_eq!(verdict(&server, &bytes), Some(code), "{what}");
        let reported = closes.recv_timeout(IO_TIMEOUT).expect("close reported");
        assert_eq!(reported, code, "{what}: the endpoint learns the code");
    }
}

#[test]
fn invalid_utf8_fails_before_the_message_ends() {
    let (server, _closes) = server();
    let mut s = ws_connect(server.addr, "/");
    // The bad byte is in the first fragment; no final fragment ever comes.
    s.write_all(&raw_frame(0x01, b"ok \xff", true)).unwrap();
    assert_eq!(read_close(&mut s), Some(1007));
}

#[test]
fn valid_close_codes_are_echoed() {
    let (server, closes) = server();
    for code in [1000u16, 1001, 1003, 1007, 1011, 3000, 4999] {
        assert_eq!(
            verdict(&server, &close_frame(code, "bye")),
            Some(code),
            "{code}"
        );
        assert_eq!(closes.recv_timeout(IO_TIMEOUT).unwrap(), code);
    }
    // An empty close is answered with an empty close, reported as 1005.
    assert_eq!(verdict(&server, &frame(8, b"")), None);
    assert_eq!(closes.recv_timeout(IO_TIMEOUT).unwrap(), 1005);
}

#[test]
fn pings_are_answered_also_between_fragments_and_pongs_ignored() {
    let (server, _closes) = server();
    let mut s = ws_connect(server.addr, "/");
    let mut burst = raw_frame(0x01, b"frag", true);
    burst.extend(raw_frame(0x89, b"p1", true));
    burst.extend(raw_frame(0x8A, b"unsolicited", true));
    burst.extend(raw_frame(0x00, b"men", true));
    burst.extend(raw_frame(0x89, b"", true));
    burst.extend(raw_frame(0x80, b"ted", true));
    s.write_all(&burst).unwrap();
    assert_eq!(read_frame(&mut s), (true, 0xA, b"p1".to_vec()));
    assert_eq!(read_frame(&mut s), (true, 0xA, vec![]));
    assert_eq!(read_frame(&mut s), (true, 1, b"fragmented".to_vec()));
    s.write_all(&close_frame(1000, "")).unwrap();
    assert_eq!(read_close(&mut s), Some(1000));
    assert!(tcp_closed(&mut s));
}
