//! `static --tls-cert/--tls-key` reloads the pair on SIGHUP: the files are
//! replaced by a new certificate from the same CA (another serial and CN),
//! SIGHUP, and a new client gets the new certificate (compared as DER)
//! while a keep-alive connection opened before keeps answering in its old
//! session. Then broken pairs (a garbage key; an empty certificate file; a
//! certificate with another certificate's key) + SIGHUP: static logs why
//! (on stderr), new clients still get the last good certificate, and
//! `static` keeps running. The client is rustls (the
//! server's own re-export), which hands over the peer's certificate.
mod common;
use brisk_server::rustls::{self, pki_types::ServerName, ClientConfig, ClientConnection};
use common::tls::{path_str, Pki};
use common::*;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};
use test_support::tls::Validity;

type Tls = rustls::StreamOwned<ClientConnection, TcpStream>;

fn client_config(pki: &Pki) -> Arc<ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(pki.pki.ca.cert_der.clone().into())
        .expect("the test CA");
    // The process's default provider, as the server takes it.
    let mut config = ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

/// A TLS connection to `addr` for `localhost`, handshake done.
fn connect(addr: SocketAddr, config: &Arc<ClientConfig>) -> Tls {
    let tcp = TcpStream::connect_timeout(&addr, STEP_TIMEOUT).expect("connect");
    tcp.set_read_timeout(Some(STEP_TIMEOUT)).expect("timeout");
    tcp.set_write_timeout(Some(STEP_TIMEOUT)).expect("timeout");
    let name = ServerName::try_from("localhost").expect("name");
    let conn = ClientConnection::new(config.clone(), name).expect("client connection");
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    while tls.conn.is_handshaking() {
        tls.conn
            .complete_io(&mut tls.sock)
            .expect("TLS handshake with static");
    }
    tls
}

/// The server's leaf certificate, DER.
fn leaf(tls: &Tls) -> Vec<u8> {
    tls.conn
        .peer_certificates()
        .and_then(|c| c.first())
        .expect("a server certificate")
        .as_ref()
        .to_vec()
}

/// One keep-alive GET on `tls`: the body of a 200 with Content-Length.
fn get(tls: &mut Tls, path: &str) -> Vec<u8> {
    tls.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .expect("write request");
    tls.flush().expect("flush");
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            let reply = parse_reply(&bytes[..end + 4]);
            assert_eq!(reply.status, 200, "{path}");
            let length: usize = reply
                .header("Content-Length")
                .and_then(|n| n.parse().ok())
                .expect("Content-Length");
            if bytes.len() >= end + 4 + length {
                return bytes[end + 4..end + 4 + length].to_vec();
            }
        }
        let n = tls.read(&mut buf).expect("read response");
        assert!(n > 0, "closed before the response to {path}");
        bytes.extend_from_slice(&buf[..n]);
    }
}

fn sighup(pid: u32) {
    let status = Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap_or_else(|e| missing_peer("kill", e));
    assert!(status.success(), "kill -HUP");
}

/// Replaces the pair in place (each file by a rename, as a deploy would).
fn install(cert: &Path, key: &Path, cert_pem: &str, key_pem: &str) {
    for (path, text) in [(cert, cert_pem), (key, key_pem)] {
        let tmp = path.with_extension("new");
        std::fs::write(&tmp, text).expect("write the new file");
        std::fs::rename(&tmp, path).expect("rename into place");
    }
}

#[test]
fn tls_certificate_reload_on_sighup() {
    let pki = Pki::new();
    let config = client_config(&pki);
    let files = site();
    let cert = files.path().join("server.crt");
    let key = files.path().join("server.key");
    let first = &pki.pki.good;
    install(&cert, &key, &first.cert_pem, &first.key_pem);
    let dir = site();
    write(dir.path(), "a.txt", "alpha");
    let (cert_arg, key_arg) = (path_str(&cert), path_str(&key));
    // stderr into a file (the shell execs static: the PID is static's).
    let stderr_file = files.path().join("stderr.log");
    let redirect = format!("exec \"$0\" \"$@\" 2>>'{}'", stderr_file.display());
    let mut server = StaticServer::start_as(
        &["sh", "-c", &redirect],
        dir.path(),
        &["-q", "--tls-cert", &cert_arg, "--tls-key", &key_arg],
    );

    let mut old = connect(server.addr, &config);
    assert_eq!(leaf(&old), first.cert_der, "the first certificate");
    assert_eq!(get(&mut old, "/a.txt"), b"alpha");

    // Same CA, the names reversed: another CN, another serial and key.
    let second = pki
        .pki
        .ca
        .issue(&["127.0.0.1", "localhost"], Validity::Current);
    assert_ne!(second.cert_der, first.cert_der);
    install(&cert, &key, &second.cert_pem, &second.key_pem);
    sighup(server.pid());
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let mut fresh = connect(server.addr, &config);
        if leaf(&fresh) == second.cert_der {
            assert_eq!(get(&mut fresh, "/a.txt"), b"alpha");
            break;
        }
        assert_eq!(leaf(&fresh), first.cert_der, "neither certificate");
        assert!(
            Instant::now() < deadline,
            "SIGHUP did not install the new pair"
        );
        thread::sleep(Duration::from_millis(50));
    }
    // static says so in its own words (not env_logger's), once.
    let reloaded = "static: SIGHUP: TLS certificate reloaded from ";
    let deadline = Instant::now() + STEP_TIMEOUT;
    while !std::fs::read_to_string(&stderr_file)
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with(reloaded) && l.contains(&cert_arg) && l.contains(&key_arg))
    {
        assert!(Instant::now() < deadline, "no line says the reload worked");
        thread::sleep(Duration::from_millis(20));
    }
    // The connection from before the reload goes on in its session.
    assert_eq!(get(&mut old, "/a.txt"), b"alpha");
    assert_eq!(get(&mut old, "/a.txt"), b"alpha");

    // Broken pairs: the last good one stays.
    let third = pki.pki.ca.issue(&["localhost"], Validity::Current);
    // Each with what the log line must say about it.
    let broken: [(&str, &str, &str, &str); 3] = [
        (
            "a garbage key",
            &third.cert_pem,
            "-----BEGIN PRIVATE KEY-----\nZ2FyYmFnZQ==\n-----END PRIVATE KEY-----\n",
            "private key",
        ),
        (
            "an empty certificate file",
            "",
            &third.key_pem,
            "no PEM certificate",
        ),
        (
            "another certificate's key",
            &third.cert_pem,
            &first.key_pem,
            "KeyMismatch",
        ),
    ];
    for (n, (what, cert_pem, key_pem, why)) in broken.into_iter().enumerate() {
        install(&cert, &key, cert_pem, key_pem);
        sighup(server.pid());
        // The reload runs on static's signal thread: wait for its log line.
        let refused = "SIGHUP: TLS reload refused, keeping the old certificate";
        let deadline = Instant::now() + STEP_TIMEOUT;
        let log = loop {
            let log = std::fs::read_to_string(&stderr_file).unwrap_or_default();
            if log.matches(refused).count() > n {
                break log;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: no refusal logged: {log}"
            );
            thread::sleep(Duration::from_millis(20));
        };
        let last = log
            .lines()
            .rfind(|l| l.contains(refused))
            .expect("the refusal line");
        assert!(
            last.contains(&cert_arg) && last.contains(why),
            "{what}: the log line does not say why: {last}"
        );
        assert!(
            last.starts_with("static: SIGHUP: "),
            "{what}: not static's own style: {last}"
        );
        assert!(
            server.wait_exit(Duration::ZERO).is_none(),
            "static exited after SIGHUP with {what}"
        );
        for _ in 0..3 {
            let mut fresh = connect(server.addr, &config);
            assert_eq!(
                leaf(&fresh),
                second.cert_der,
                "{what}: not the last good certificate"
            );
            assert_eq!(get(&mut fresh, "/a.txt"), b"alpha", "{what}");
        }
        assert_eq!(get(&mut old, "/a.txt"), b"alpha", "{what}: old connection");
    }

    // A good pair again is taken.
    install(&cert, &key, &third.cert_pem, &third.key_pem);
    sighup(server.pid());
    let deadline = Instant::now() + STEP_TIMEOUT;
    while leaf(&connect(server.addr, &config)) != third.cert_der {
        assert!(Instant::now() < deadline, "the good pair after broken ones");
        thread::sleep(Duration::from_millis(50));
    }
}
