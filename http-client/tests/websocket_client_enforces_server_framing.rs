//! The client holds the server to RFC 6455 section 5: a masked frame
//! fails the connection with 1002, a text message that is not UTF-8 with
//! 1007, a message over the limit with 1009 (as soon as its header says
//! so). The rule-breaking server records the close code it receives.

mod common;
#[path = "common/ws.rs"]
mod ws;

use std::time::{Duration, Instant};

use brisk_client::ws::{CloseCode, WsError};
use brisk_client::Client;
use brisk_core::ws::ProtocolError;

#[test]
fn violations_fail_the_connection_with_their_code() {
    let peer = ws::start_py_raw();
    let client = Client::builder().timeout(Duration::from_secs(10)).build();
    let cases = [
        ("/masked", ProtocolError::Masking, CloseCode::Protocol),
        (
            "/badutf8",
            ProtocolError::InvalidUtf8,
            CloseCode::InvalidPayload,
        ),
        ("/big", ProtocolError::TooBig, CloseCode::TooBig),
    ];
    for (path, error, code) in cases {
        let mut sock = client
            .websocket(&ws::ws_url(&peer, path))
            .max_message_bytes(1 << 20)
            .connect()
            .expect("open");
        match sock.recv_timeout(Some(Duration::from_secs(5))) {
            Err(WsError::Protocol(e)) => assert_eq!(e, error, "{path}"),
            other => panic!("{path}: {other:?}"),
        }
        assert_eq!(error.close_code(), code);
        assert!(!sock.is_open());
        assert!(matches!(sock.send_text("x"), Err(WsError::Closed)));
        let want = format!("{} {path}", code.as_u16());
        let t0 = Instant::now();
        while !peer.log("codes.log").contains(&want) {
            assert!(
                t0.elapsed() < Duration::from_secs(5),
                "server never got {want}: {:?}",
                peer.log("codes.log")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
