//! SOCKS4a (remote name resolution) against a small proxy written here:
//! no Debian package serves SOCKS4a. The proxy splits its reply across two
//! writes and sends the first tunnel bytes in the same write as the end of
//! the reply, to exercise both traps.
mod common;
use common::*;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

/// Reads a SOCKS4a request; returns (port, user id, host name).
fn read_socks4a_request(s: &mut TcpStream) -> (u16, String, String) {
    let mut head = [0u8; 8];
    s.read_exact(&mut head).expect("request head");
    assert_eq!(&head[..2], &[4, 1], "SOCKS4 CONNECT");
    assert_eq!(&head[4..8], &[0, 0, 0, 1], "SOCKS4a marker address");
    let port = u16::from_be_bytes([head[2], head[3]]);
    let mut read_cstr = || {
        let mut v = Vec::new();
        let mut b = [0u8; 1];
        loop {
            s.read_exact(&mut b).expect("cstring byte");
            if b[0] == 0 {
                break String::from_utf8(v).expect("utf8");
            }
            v.push(b[0]);
        }
    };
    let user = read_cstr();
    let host = read_cstr();
    (port, user, host)
}

/// Serves one SOCKS4a connection: grants it, then relays to the origin.
/// `refuse` answers 0x5B instead. Reports what was asked for.
fn spawn_socks4a(refuse: bool) -> (u16, mpsc::Receiver<(u16, String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut client, _) = listener.accept().expect("accept");
        client
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let (dport, user, host) = read_socks4a_request(&mut client);
        let _ = tx.send((dport, user, host.clone()));
        if refuse {
            // Two bytes then close: the client must still name the code.
            let _ = client.write_all(&[0, 0x5B]);
            return;
        }
        let mut origin = TcpStream::connect((host.as_str(), dport)).expect("origin");
        // Reply split across two writes.
        client.write_all(&[0, 0x5A, 0, 0]).expect("reply part 1");
        std::thread::sleep(Duration::from_millis(50));
        client.write_all(&[0, 0, 0, 0]).expect("reply part 2");
        let mut c2 = client.try_clone().expect("clone");
        let mut o2 = origin.try_clone().expect("clone");
        let up = std::thread::spawn(move || {
            let _ = std::io::copy(&mut c2, &mut o2);
            let _ = o2.shutdown(std::net::Shutdown::Write);
        });
        let _ = std::io::copy(&mut origin, &mut client);
        let _ = client.shutdown(std::net::Shutdown::Write);
        let _ = up.join();
    });
    (port, rx)
}

#[test]
fn socks4a_sends_the_name_and_tunnels() {
    let nginx = start_nginx(&[("a.txt", b"four-a\n")], "");
    let (port, asked) = spawn_socks4a(false);
    let proxy = format!("socks4a://someone@127.0.0.1:{port}");
    let url = format!("http://localhost:{}/a.txt", nginx.port);
    let out = fetch(&["-sS", "-x", &proxy, &url]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"four-a\n");
    let (dport, user, host) = asked
        .recv_timeout(Duration::from_secs(5))
        .expect("request seen");
    assert_eq!(
        (dport, user.as_str(), host.as_str()),
        (nginx.port, "someone", "localhost")
    );
}

#[test]
fn socks4a_refusal_in_two_bytes_is_reported() {
    let (port, _asked) = spawn_socks4a(true);
    let proxy = format!("socks4a://127.0.0.1:{port}");
    let out = fetch(&["-sS", "-x", &proxy, "http://localhost:9/"]);
    assert_eq!(code(&out), 97, "{}", stderr(&out));
    assert!(stderr(&out).contains("0x5b"), "{}", stderr(&out));
}
