//! nginx in front of `static` as a reverse proxy: start it from an `http`
//! block, stop it by SIGTERM, and count the upstream connections it opened.

use super::{curl, curl_status, missing_peer, parse_reply, STEP_TIMEOUT};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running nginx (master and one worker), stopped on drop.
pub struct Nginx {
    child: Child,
    /// Where its configuration and error log live.
    pub dir: PathBuf,
    /// `http://127.0.0.1:PORT/`, its listening side.
    pub base: String,
}

impl Nginx {
    /// Writes an nginx.conf under `dir` whose `http` block holds
    /// `http_body(port)` (`port` is a free loopback port for nginx to
    /// listen on), starts nginx and waits until it accepts connections.
    pub fn start(dir: &Path, http_body: impl FnOnce(u16) -> String) -> Nginx {
        std::fs::create_dir_all(dir).expect("mkdir");
        let port = free_port();
        let d = dir.display();
        let conf = format!(
            "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 128; }}\n\
             http {{\n  access_log off;\n\
               client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n\
               uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n{body}\n}}\n",
            body = http_body(port),
        );
        std::fs::write(dir.join("nginx.conf"), conf).expect("write conf");
        let child = Command::new("nginx")
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .arg("-e")
            .arg(dir.join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| missing_peer("nginx", e));
        let nginx = Nginx {
            child,
            dir: dir.to_path_buf(),
            base: format!("http://127.0.0.1:{port}/"),
        };
        let front: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        let deadline = Instant::now() + STEP_TIMEOUT;
        while TcpStream::connect(front).is_err() {
            assert!(Instant::now() < deadline, "nginx did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        nginx
    }

    /// The error log so far.
    pub fn errors(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM to the master stops its workers too; SIGKILL would orphan them.
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// Counts the upstream connections nginx opens from `source` (an address
/// of 127/8 that no other test uses, given to nginx as `proxy_bind`) to
/// 127.0.0.1:`port`. Counting by source as well as by port keeps out the
/// sockets (TIME_WAIT ones above all) of an earlier test whose server had
/// the same port number: CI once counted 3,191 of them.
pub struct UpstreamCount {
    source_hex: String,
    port: u16,
    before: Vec<String>,
}

impl UpstreamCount {
    /// Starts counting: sockets already there are not nginx's.
    pub fn new(source: std::net::Ipv4Addr, port: u16) -> UpstreamCount {
        // /proc/net/tcp shows an IPv4 address as its u32 in host order.
        let source_hex = format!("{:08X}", u32::from_ne_bytes(source.octets()));
        let mut count = UpstreamCount {
            source_hex,
            port,
            before: Vec::new(),
        };
        count.before = count.sockets();
        count
    }

    /// Distinct local ends of sockets in any state (TIME_WAIT included)
    /// opened since [`UpstreamCount::new`].
    pub fn opened(&self) -> usize {
        self.sockets()
            .iter()
            .filter(|s| !self.before.contains(s))
            .count()
    }

    fn sockets(&self) -> Vec<String> {
        let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
        let remote = format!("0100007F:{:04X}", self.port);
        let source = format!("{}:", self.source_hex);
        let mut local: Vec<String> = table
            .lines()
            .skip(1)
            .filter_map(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                (cols.len() > 3 && cols[2] == remote && cols[1].starts_with(&source))
                    .then(|| cols[1].to_string())
            })
            .collect();
        local.sort_unstable();
        local.dedup();
        local
    }
}

/// The requests both proxy tests send through nginx at `base`, one at a
/// time, 27 in all, each checked: twenty separate clients (a new curl, so
/// a new connection to nginx, each time), `big.bin` whole and ranged, a
/// 304 by ETag, a 404, the 301 to `sub/`, its listing and `sub/b.txt`.
pub fn check_site_through(base: &str, big: &[u8]) {
    for i in 0..20 {
        let out = curl(&[&format!("{base}a.txt?i={i}")]);
        assert_eq!(out.stdout, b"alpha", "request {i}");
    }
    assert_eq!(curl(&[&format!("{base}big.bin")]).stdout, big);
    assert_eq!(
        curl(&["-r", "1000-1999", &format!("{base}big.bin")]).stdout,
        &big[1000..2000]
    );
    let reply = parse_reply(&curl(&["-i", &format!("{base}a.txt")]).stdout);
    let etag = reply.header("ETag").expect("etag through nginx");
    let condition = format!("If-None-Match: {etag}");
    assert_eq!(
        curl_status(&format!("{base}a.txt"), &["-H", &condition]),
        304
    );
    assert_eq!(curl_status(&format!("{base}missing"), &[]), 404);
    let reply = parse_reply(&curl(&["-i", &format!("{base}sub")]).stdout);
    assert_eq!(reply.status, 301);
    let listing = String::from_utf8_lossy(&curl(&[&format!("{base}sub/")]).stdout).into_owned();
    assert!(listing.contains("href=\"./b.txt\""));
    assert_eq!(curl(&[&format!("{base}sub/b.txt")]).stdout, b"beta");
}

/// The site both proxy tests serve: `big.bin` (5 MB), `a.txt`, `sub/b.txt`
/// under `dir/site`; returns big.bin's bytes.
pub fn write_site(dir: &Path) -> Vec<u8> {
    let big: Vec<u8> = (0..5_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    super::write(dir, "site/big.bin", &big);
    super::write(dir, "site/a.txt", "alpha");
    super::write(dir, "site/sub/b.txt", "beta");
    big
}
