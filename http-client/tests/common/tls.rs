//! TLS test helpers (issue 10): the test PKI written to a temp dir, nginx
//! with one `ssl` server block per certificate case, a Python TLS origin,
//! stunnel as an HTTPS proxy, a raw TCP connect, and a minimal HTTP/1.1
//! GET over a [`TlsConn`].
//!
//! Include next to `common` in a test file:
//! ```ignore
//! mod common;
//! #[path = "common/tls.rs"]
//! mod tls;
//! ```
#![allow(dead_code)]

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use brisk_client::net::{connect_any, HAPPY_EYEBALLS_STAGGER};
use brisk_client::tls::stream::Wire;
use brisk_client::tls::{TlsConfig, TlsConn, TlsError, TlsOptions};
use test_support::tls::TestPki;

use crate::common::{free_port, require, start_python_with_args, wait_listening, write_tree, Peer};

/// How long a test handshake or request may take.
pub const TLS_TIMEOUT: Duration = Duration::from_secs(10);

/// The test PKI (fresh keys per run), written as `ca.crt` and
/// `NAME.crt`/`NAME.key` into a temp dir.
pub struct TlsFixture {
    pub dir: tempfile::TempDir,
    pub pki: TestPki,
    pub ca: PathBuf,
}

impl TlsFixture {
    pub fn new() -> TlsFixture {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let pki = TestPki::new();
        let ca = pki.write_all(dir.path());
        TlsFixture { dir, pki, ca }
    }

    /// `NAME.crt` / `NAME.key` / any file in the fixture's dir.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    /// Options trusting only `ca_file` (no system store, no environment).
    pub fn options_trusting(&self, ca_file: PathBuf) -> TlsOptions {
        TlsOptions {
            ca_file: Some(ca_file),
            system_bundle: Some(self.path("no-system-bundle")),
            system_dir: Some(self.path("no-system-dir")),
            ..TlsOptions::default()
        }
    }

    /// Options trusting the test CA.
    pub fn options(&self) -> TlsOptions {
        self.options_trusting(self.ca.clone())
    }

    /// A config trusting the test CA.
    pub fn config(&self) -> TlsConfig {
        TlsConfig::new(&self.options()).expect("TLS config")
    }
}

/// One server block: its name (for [`NginxTls::port`]), the certificate
/// case it serves (`None`: plain HTTP), and extra directives.
pub struct Block<'a> {
    pub name: &'a str,
    pub cert: Option<&'a str>,
    pub extra: &'a str,
}

impl<'a> Block<'a> {
    /// A TLS block named after its certificate case, with no extra
    /// directives.
    pub fn cert(case: &'a str) -> Block<'a> {
        Block {
            name: case,
            cert: Some(case),
            extra: "",
        }
    }

    /// A plain HTTP block.
    pub fn plain(name: &'a str) -> Block<'a> {
        Block {
            name,
            cert: None,
            extra: "",
        }
    }
}

/// nginx with several server blocks, each on its own port.
pub struct NginxTls {
    pub peer: Peer,
    pub ports: Vec<(String, u16)>,
}

impl NginxTls {
    pub fn port(&self, name: &str) -> u16 {
        self.ports
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| *p)
            .unwrap_or_else(|| panic!("no server block named {name}"))
    }
}

/// nginx serving `files` from one root, one server block per `blocks`
/// entry. TLS blocks default to `ssl_protocols TLSv1.2 TLSv1.3` (Debian's
/// nginx would otherwise leave TLS 1.3 off) unless `extra` sets them.
pub fn start_nginx_tls(fx: &TlsFixture, files: &[(&str, &[u8])], blocks: &[Block<'_>]) -> NginxTls {
    let bin = require("nginx", "nginx");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).expect("mkdir root");
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    write_tree(&root, files);
    let d = dir.path().display();
    let mut servers = String::new();
    let mut ports = Vec::new();
    for b in blocks {
        let port = free_port();
        ports.push((b.name.to_string(), port));
        let tls = match b.cert {
            Some(case) => {
                let protocols = if b.extra.contains("ssl_protocols") {
                    String::new()
                } else {
                    "ssl_protocols TLSv1.2 TLSv1.3;".to_string()
                };
                format!(
                    " ssl;\n    ssl_certificate {};\n    ssl_certificate_key {};\n    {protocols}",
                    fx.path(&format!("{case}.crt")).display(),
                    fx.path(&format!("{case}.key")).display()
                )
            }
            None => ";".to_string(),
        };
        servers.push_str(&format!(
            "  server {{\n    listen 127.0.0.1:{port}{tls}\n    root {};\n    {}\n  }}\n",
            root.display(),
            b.extra
        ));
    }
    let conf = format!(
        "daemon off;\nworker_processes 1;\nerror_log {d}/error.log;\npid {d}/nginx.pid;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         default_type application/octet-stream;\n  keepalive_timeout 75s;\n{servers}}}\n"
    );
    std::fs::write(dir.path().join("nginx.conf"), conf).expect("write conf");
    let mut child = Command::new(bin)
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(dir.path().join("nginx.conf"))
        .arg("-e")
        .arg(dir.path().join("error.log"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn nginx");
    for (_, port) in &ports {
        wait_listening(
            *port,
            &mut child,
            "nginx",
            Some(&dir.path().join("error.log")),
        );
    }
    let first = ports.first().map_or(0, |(_, p)| *p);
    NginxTls {
        peer: Peer {
            child,
            port: first,
            dir,
            name: "nginx",
        },
        ports,
    }
}

/// stunnel accepting TLS on 127.0.0.1 with certificate case `cert` (a
/// [`TlsFixture`] name such as `good`) and forwarding the plaintext to
/// 127.0.0.1:`connect_port`: in front of tinyproxy, an HTTPS proxy.
pub fn start_stunnel(fx: &TlsFixture, cert: &str, connect_port: u16) -> Peer {
    let bin = require("stunnel4", "stunnel4");
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let d = dir.path().display();
    // `foreground = yes` keeps it our child; `output` is its log (with
    // `foreground` it would otherwise log to stderr too); `debug = 7`
    // logs the TLS alerts it reads (`close notify`).
    let conf = format!(
        "foreground = yes\ndebug = 7\npid = {d}/stunnel.pid\noutput = {d}/stunnel.log\n\
         [proxy]\naccept = 127.0.0.1:{port}\nconnect = 127.0.0.1:{connect_port}\n\
         cert = {}\nkey = {}\n",
        fx.path(&format!("{cert}.crt")).display(),
        fx.path(&format!("{cert}.key")).display()
    );
    std::fs::write(dir.path().join("stunnel.conf"), conf).expect("write conf");
    let mut child = Command::new(bin)
        .arg(dir.path().join("stunnel.conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn stunnel");
    wait_listening(
        port,
        &mut child,
        "stunnel",
        Some(&dir.path().join("stunnel.log")),
    );
    Peer {
        child,
        port,
        dir,
        name: "stunnel",
    }
}

/// nginx serving `files` over TLS with the good certificate, on the one
/// block named `good`.
pub fn start_nginx_tls_good(fx: &TlsFixture, files: &[(&str, &[u8])]) -> NginxTls {
    start_nginx_tls(fx, files, &[Block::cert("good")])
}

/// A Python TLS origin running `script`, which serves on `sys.argv[1]`
/// with the certificate `sys.argv[2]` and key `sys.argv[3]` of case
/// `cert` (`ssl.SSLContext(...).load_cert_chain(sys.argv[2], sys.argv[3])`).
pub fn start_python_tls(fx: &TlsFixture, cert: &str, script: &str) -> Peer {
    let cert_path = fx.path(&format!("{cert}.crt"));
    let key_path = fx.path(&format!("{cert}.key"));
    start_python_with_args(script, &[cert_path.as_os_str(), key_path.as_os_str()])
}

/// The start every socket-level Python TLS origin shares: `ctx`, a server
/// context with case `cert`'s pair, and `srv`, a socket listening on
/// `sys.argv[1]`.
const PYTHON_TLS_LISTENER: &str = r#"
import socket, ssl, sys, threading
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen(16)
"#;

/// [`start_python_tls`] for a `script` that goes on from
/// [`PYTHON_TLS_LISTENER`]: it accepts on `srv` and wraps with `ctx`.
pub fn start_python_tls_listener(fx: &TlsFixture, cert: &str, script: &str) -> Peer {
    start_python_tls(fx, cert, &format!("{PYTHON_TLS_LISTENER}{script}"))
}

/// A connected nonblocking socket to 127.0.0.1:`port`.
pub fn tcp(port: u16) -> (mio::net::TcpStream, SocketAddr) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    connect_any(
        &[addr],
        Instant::now() + TLS_TIMEOUT,
        HAPPY_EYEBALLS_STAGGER,
        None,
        &mut |_| {},
    )
    .expect("TCP connect")
}

/// TCP connect to `port`, then the TLS handshake with `host` as the name.
pub fn tls_connect(port: u16, host: &str, config: &TlsConfig) -> Result<TlsConn, TlsError> {
    let (s, addr) = tcp(port);
    TlsConn::connect(s, addr, host, config, Instant::now() + TLS_TIMEOUT)
}

/// A response read by [`get`]: the head as text and the body.
pub struct Got {
    pub head: String,
    pub body: Vec<u8>,
}

/// Sends `GET path` and reads one response: a body of `Content-Length`
/// bytes, or (with `close`) everything to the end of the session.
pub fn get<W: Wire>(conn: &mut TlsConn<W>, host: &str, path: &str, close: bool) -> Got {
    let deadline = Instant::now() + TLS_TIMEOUT;
    let connection = if close { "close" } else { "keep-alive" };
    let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: {connection}\r\n\r\n");
    conn.write_all(req.as_bytes(), deadline)
        .expect("send request");
    let head_end = loop {
        if let Some(i) = conn.buffered().windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = conn.fill(deadline).expect("read head");
        assert!(n > 0, "EOF before the response head");
    };
    let head = String::from_utf8_lossy(&conn.buffered()[..head_end]).into_owned();
    conn.consume(head_end);
    let length = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())
            .flatten()
    });
    let mut body = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if length.is_some_and(|l| body.len() >= l) {
            break;
        }
        let n = conn.read_direct(&mut buf, deadline).expect("read body");
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    if let Some(l) = length {
        assert_eq!(body.len(), l, "body shorter than its Content-Length");
    }
    Got { head, body }
}
