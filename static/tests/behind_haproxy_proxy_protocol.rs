//! `static --proxy-protocol` behind HAProxy (Debian `haproxy`, `mode tcp`):
//! with `send-proxy` (v1 text), `send-proxy-v2` (binary) and
//! `send-proxy-v2` + `ssl verify required` to `static --tls-cert` (the
//! header before the TLS handshake), the access log shows the client's
//! address, not the balancer's. curl binds 127.0.0.5 (`--interface`),
//! HAProxy listens on 127.0.0.2 and reaches `static` from 127.0.0.1, so
//! the three addresses differ. A direct connection that sends a request
//! without a header is closed without an answer. HAProxy's HTTP health
//! checks (v2: the `LOCAL` command) are answered.
mod common;
use common::tls::{path_str, Pki};
use common::*;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const CLIENT: &str = "127.0.0.5";
const BALANCER: &str = "127.0.0.2";

struct Haproxy {
    child: Child,
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        // -db: one foreground process, no workers to orphan.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port_on(ip: &str) -> u16 {
    let l = TcpListener::bind((ip, 0)).expect("bind");
    l.local_addr().expect("addr").port()
}

fn start_haproxy(dir: &std::path::Path, config: &str) -> Haproxy {
    let file = dir.join("haproxy.cfg");
    std::fs::write(&file, config).expect("write haproxy.cfg");
    let child = Command::new("haproxy")
        .arg("-f")
        .arg(&file)
        .arg("-db")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| missing_peer("haproxy", e));
    Haproxy { child }
}

/// curl from 127.0.0.5 through the balancer; body on stdout.
fn via(port: u16, path: &str) -> std::process::Output {
    curl(&[
        "--interface",
        CLIENT,
        &format!("http://{BALANCER}:{port}{path}"),
    ])
}

/// Waits (bounded) until a request through the balancer's `port` gets an
/// answer: HAProxy is listening and reaches `static`.
fn wait_through(port: u16) {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let out = curl(&[
            "--interface",
            CLIENT,
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &format!("http://{BALANCER}:{port}/ready"),
        ]);
        if out.stdout == b"404" {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no answer through HAProxy on {port}: {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        thread::sleep(Duration::from_millis(50));
    }
}

/// The access-log lines of requests from the client (not HAProxy's health
/// checks).
fn client_lines(server: &StaticServer, at_least: usize) -> Vec<String> {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let lines: Vec<String> = server
            .log_lines(0)
            .into_iter()
            .filter(|l| !l.contains("/health.txt"))
            .collect();
        if lines.len() >= at_least || Instant::now() > deadline {
            return lines;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Every client line names the client, none the balancer or loopback.
fn assert_client_logged(server: &StaticServer, at_least: usize, what: &str) {
    let lines = client_lines(server, at_least);
    assert!(lines.len() >= at_least, "{what}: {lines:?}");
    for line in &lines {
        assert!(
            line.starts_with(&format!("{CLIENT} - - [")),
            "{what}: not the client's address: {line}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"GET /a.txt HTTP/1.1\" 200 5 ")),
        "{what}: {lines:?}"
    );
}

/// HAProxy's health checks carry a PROXY header too: with `send-proxy` a
/// v1 line with the check connection's own addresses, with `send-proxy-v2`
/// the v2 `LOCAL` command (`0x20`, family unspecified, no addresses; seen
/// on the wire from HAProxy 2.6), which means "use the connection's real
/// address". static answers them and logs HAProxy's 127.0.0.1 either way.
/// Waits (bounded) for a few; a server that refused them would also be
/// marked down and the requests after would fail.
fn assert_health_checks_answered(server: &StaticServer, what: &str) {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let checks: Vec<String> = server
            .log_lines(0)
            .into_iter()
            .filter(|l| l.contains("/health.txt"))
            .collect();
        if checks.len() >= 3 {
            for line in &checks {
                assert!(
                    line.starts_with("127.0.0.1 - - [")
                        && line.contains("\"GET /health.txt HTTP/1.1\" 200 2 "),
                    "{what}: health check line {line}"
                );
            }
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: HAProxy's health checks were not answered: {checks:?}"
        );
        thread::sleep(Duration::from_millis(50));
    }
}

/// The backend lines of a server with health checks every 100 ms.
fn checked_server(name: &str, addr: SocketAddr, options: &str) -> String {
    format!(
        "  option httpchk\n  http-check send meth GET uri /health.txt ver HTTP/1.1 hdr Host t\n\
         \x20 server {name} {addr} {options} check inter 100ms\n"
    )
}

/// Sends `bytes` straight to `addr` (no PROXY header) and returns what came
/// back before the server closed: it must close, and answer nothing.
fn direct_without_header(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect_timeout(&addr, STEP_TIMEOUT).expect("connect");
    s.set_read_timeout(Some(STEP_TIMEOUT)).expect("timeout");
    s.write_all(bytes).expect("write");
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            // A reset is a close too.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return got,
            Err(e) => panic!("the server did not close the connection: {e}"),
        }
    }
}

#[test]
fn behind_haproxy_send_proxy_v1_and_v2() {
    require_peer("haproxy", "-v");
    let dir = site();
    write(dir.path(), "site/a.txt", "alpha");
    write(dir.path(), "site/b.txt", "beta");
    write(dir.path(), "site/health.txt", "ok");
    let v1_server = StaticServer::start(&dir.path().join("site"), &["--proxy-protocol"]);
    let v2_server = StaticServer::start(&dir.path().join("site"), &["--proxy-protocol"]);
    let (p1, p2) = (free_port_on(BALANCER), free_port_on(BALANCER));
    let config = format!(
        "defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n\
         frontend v1\n  bind {BALANCER}:{p1}\n  default_backend b1\n\
         backend b1\n{b1}\
         frontend v2\n  bind {BALANCER}:{p2}\n  default_backend b2\n\
         backend b2\n{b2}",
        b1 = checked_server("s1", v1_server.addr, "send-proxy"),
        b2 = checked_server("s2", v2_server.addr, "send-proxy-v2"),
    );
    let _haproxy = start_haproxy(dir.path(), &config);
    wait_through(p1);
    wait_through(p2);
    assert_health_checks_answered(&v1_server, "send-proxy");
    assert_health_checks_answered(&v2_server, "send-proxy-v2 (LOCAL)");

    for (port, server, what) in [
        (p1, &v1_server, "send-proxy"),
        (p2, &v2_server, "send-proxy-v2"),
    ] {
        assert_eq!(via(port, "/a.txt").stdout, b"alpha", "{what}");
        // Two requests on one connection: one header, both lines the client's.
        let both = curl(&[
            "--interface",
            CLIENT,
            &format!("http://{BALANCER}:{port}/a.txt"),
            &format!("http://{BALANCER}:{port}/b.txt"),
        ]);
        assert_eq!(both.stdout, b"alphabeta", "{what}");
        assert_client_logged(server, 4, what);
        let lines = client_lines(server, 4);
        assert!(
            lines
                .iter()
                .any(|l| l.contains("\"GET /b.txt HTTP/1.1\" 200 4 ")),
            "{what}: {lines:?}"
        );

        // Straight to static, no header: closed, nothing answered, nothing logged.
        let before = client_lines(server, 0).len();
        let got = direct_without_header(
            server.addr,
            b"GET /a.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        );
        assert!(
            got.is_empty(),
            "{what}: a request without a PROXY header was answered: {:?}",
            String::from_utf8_lossy(&got)
        );
        // A forged header from the client is not trusted in a request either:
        // the address comes only from the PROXY line before it.
        let got = direct_without_header(
            server.addr,
            b"GET /a.txt HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 10.9.9.9\r\n\r\n",
        );
        assert!(
            got.is_empty(),
            "{what}: {:?}",
            String::from_utf8_lossy(&got)
        );
        thread::sleep(Duration::from_millis(200));
        let lines = client_lines(server, 0);
        assert!(
            lines[before..].iter().all(|l| !l.contains("\" 200 ")),
            "{what}: a headerless request was served: {lines:?}"
        );
        assert_client_logged(server, 4, what);
    }
}

#[test]
fn behind_haproxy_send_proxy_v2_then_tls() {
    require_peer("haproxy", "-v");
    let pki = Pki::new();
    let dir = site();
    write(dir.path(), "site/a.txt", "alpha");
    write(dir.path(), "site/health.txt", "ok");
    let tls = pki.args("good");
    let mut args = vec!["--proxy-protocol"];
    args.extend(tls.iter().map(String::as_str));
    let server = StaticServer::start(&dir.path().join("site"), &args);
    assert!(server.url.starts_with("https://"), "{}", server.first_line);
    let port = free_port_on(BALANCER);
    // HAProxy writes the PROXY v2 header in the clear, then starts TLS to
    // static and checks its certificate against the test CA and the name.
    let config = format!(
        "defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n\
         frontend f\n  bind {BALANCER}:{port}\n  default_backend b\n\
         backend b\n{b}",
        b = checked_server(
            "s",
            server.addr,
            &format!(
                "send-proxy-v2 ssl verify required ca-file {} verifyhost localhost \
                 sni str(localhost) alpn http/1.1",
                path_str(&pki.ca)
            )
        ),
    );
    let _haproxy = start_haproxy(dir.path(), &config);
    wait_through(port);
    assert_health_checks_answered(&server, "send-proxy-v2 (LOCAL) + ssl");
    assert_eq!(via(port, "/a.txt").stdout, b"alpha");
    let both = curl(&[
        "--interface",
        CLIENT,
        &format!("http://{BALANCER}:{port}/a.txt"),
        &format!("http://{BALANCER}:{port}/a.txt"),
    ]);
    assert_eq!(both.stdout, b"alphaalpha");
    assert_client_logged(&server, 4, "send-proxy-v2 + ssl");

    // A TLS client straight to static, without the header: closed, and no
    // handshake answered (the first bytes are not a PROXY header).
    let ca = path_str(&pki.ca);
    let direct = curl(&[
        "--cacert",
        &ca,
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        &server.url,
    ]);
    assert!(
        !direct.status.success(),
        "TLS without a PROXY header was served"
    );
    assert_eq!(direct.stdout, b"000");
}

#[test]
fn behind_haproxy_ipv6_clients_and_v2_tlvs() {
    require_peer("haproxy", "-v");
    let dir = site();
    write(dir.path(), "site/a.txt", "alpha");
    let v1_server = StaticServer::start(&dir.path().join("site"), &["--proxy-protocol"]);
    let v2_server = StaticServer::start(&dir.path().join("site"), &["--proxy-protocol"]);
    let port = |ip: &str| {
        let l = TcpListener::bind((ip, 0)).expect("bind");
        l.local_addr().expect("addr").port()
    };
    let (p1, p2) = (port("::1"), port("::1"));
    // Clients on [::1], static on 127.0.0.1: the header says TCP6 (v1) or
    // family 0x21 (v2). The v2 header also carries TLVs: a CRC32c of the
    // header, a unique ID, and the authority (the SNI, absent here).
    let config = format!(
        "defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n\
         frontend v1\n  bind [::1]:{p1}\n  default_backend b1\n\
         backend b1\n  server s1 {a1} send-proxy\n\
         frontend v2\n  bind [::1]:{p2}\n  unique-id-format %{{+X}}o\\ %ci:%cp_%fi:%fp_%Ts_%rt\n\
         \x20 default_backend b2\n\
         backend b2\n  server s2 {a2} send-proxy-v2 proxy-v2-options crc32c,unique-id,authority\n",
        a1 = v1_server.addr,
        a2 = v2_server.addr,
    );
    let _haproxy = start_haproxy(dir.path(), &config);
    for (port, server, what) in [
        (p1, &v1_server, "v1 TCP6"),
        (p2, &v2_server, "v2 TCP6 + TLVs"),
    ] {
        let url = format!("http://[::1]:{port}/a.txt");
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            let out = curl(&["-g", &url]);
            if out.stdout == b"alpha" {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: no answer through HAProxy"
            );
            thread::sleep(Duration::from_millis(50));
        }
        let lines = server.log_lines(1);
        assert!(!lines.is_empty(), "{what}: no log line");
        for line in &lines {
            assert!(line.starts_with("::1 - - ["), "{what}: {line}");
        }
    }
}
