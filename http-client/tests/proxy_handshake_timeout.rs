//! A proxy that accepts but never answers the handshake: the wait ends at
//! the connect timeout (the handshake counts against it), exit 28.
mod common;
use common::*;

use std::net::TcpListener;
use std::time::{Duration, Instant};

#[test]
fn silent_proxy_times_out_in_the_handshake() {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        l.set_nonblocking(true).expect("nonblocking");
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(10) {
            if let Ok((s, _)) = l.accept() {
                held.push(s);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    for scheme in ["socks4", "socks5h", "http"] {
        let proxy = format!("{scheme}://127.0.0.1:{port}");
        let mut args = vec!["-sS", "--connect-timeout", "1", "-x", &proxy];
        if scheme == "http" {
            args.push("-p");
        }
        args.push("http://127.0.0.1:9/");
        let t0 = Instant::now();
        let out = fetch(&args);
        let took = t0.elapsed();
        assert_eq!(code(&out), 28, "{scheme}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("proxy handshake"),
            "{scheme}: {}",
            stderr(&out)
        );
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(4),
            "{scheme}: {took:?}"
        );
    }
}
