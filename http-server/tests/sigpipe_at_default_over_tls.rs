//! With SIGPIPE at its default action in the embedding program, TLS
//! clients that vanish in the middle of large bodies (memory, a file read
//! in slices through the cipher, a chunked stream) do not kill the
//! server: the `sigpipe_default` example given a certificate and a key.
//!
//! Two ways to vanish: a reset (the next write fails with ECONNRESET), and
//! a plain close after reading a little, so that the server's ciphertext
//! writes meet a socket whose peer has gone (EPIPE, where a write without
//! `MSG_NOSIGNAL` would raise SIGPIPE).
mod common;
use common::tls::*;
use common::*;
use std::io::{Read, Write};
use std::process::Command;
use std::time::Duration;

#[test]
fn disconnecting_tls_clients_do_not_kill_a_sigpipe_default_process() {
    let pki = Pki::new();
    let (cert, key) = pki.pair("good");
    let mut server = spawn_server({
        let mut c = Command::new(example("sigpipe_default"));
        c.arg("127.0.0.1:0").arg(&cert).arg(&key);
        c
    });
    let config = pki.client_config();
    for round in 0..4 {
        for path in ["/bytes", "/file", "/stream"] {
            let mut s = connect_tls(server.addr, config.clone());
            s.write_all(&get(path)).unwrap();
            let mut buf = [0u8; 16 << 10];
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "{path}: no response");
            let head = String::from_utf8_lossy(&buf[..n]);
            assert!(head.starts_with("HTTP/1.1 200 "), "{path}: {head}");
            if round % 2 == 0 {
                // A reset: the server's next write fails at once.
                socket2::SockRef::from(&s.sock)
                    .set_linger(Some(Duration::ZERO))
                    .unwrap();
            } else {
                // Read a little more, then a plain close with data unread
                // (the kernel answers the server's next segments with RST,
                // and the write after that is EPIPE).
                let _ = s.read(&mut buf);
                s.sock.shutdown(std::net::Shutdown::Both).unwrap();
            }
            drop(s);
            std::thread::sleep(Duration::from_millis(50));
            assert!(
                server.child.try_wait().unwrap().is_none(),
                "server died after a TLS client left {path} (round {round})"
            );
        }
    }
    let mut s = connect_tls(server.addr, config);
    s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(answer.ends_with("alive"), "{answer}");
    assert!(server.child.try_wait().unwrap().is_none());
}
