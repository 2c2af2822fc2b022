//! Helpers shared by the behaviour tests: run the real `static` binary on a
//! free loopback port, talk to it with curl, Python or raw bytes, and stop it
//! by its own PID. Every wait is bounded.
#![allow(dead_code)] // each test file uses a different subset

pub mod archive;
/// Headless Chromium, shared with http-server's tests (only the browser
/// tests use it; every test file compiles this module).
#[allow(unused_imports)]
pub use test_support::chromium;
pub mod dav;
pub mod davfs;
pub mod nginx;
pub mod nobody;
pub mod tls;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use test_support::{first_stdout_line, missing_peer_in, wait_exit};

/// How long any single step of a test may take.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(20);

/// A running `static` process, killed on drop.
pub struct StaticServer {
    child: Child,
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT/` (`https://` with `--tls-cert`)
    pub url: String,
    /// The first stdout line, verbatim.
    pub first_line: String,
    /// Every later stdout line (the access log).
    pub log: Arc<Mutex<Vec<String>>>,
}

impl StaticServer {
    /// Starts `static -a 127.0.0.1:0 DIR ARGS...` and waits for its first line.
    pub fn start(dir: &Path, args: &[&str]) -> StaticServer {
        StaticServer::start_as(&[], dir, args)
    }

    /// Like [`StaticServer::start`], run through `wrapper` (for example
    /// `setpriv --reuid=65534 ...` to drop root).
    pub fn start_as(wrapper: &[&str], dir: &Path, args: &[&str]) -> StaticServer {
        let exe = env!("CARGO_BIN_EXE_static");
        let mut command = match wrapper.split_first() {
            Some((program, rest)) => {
                let mut c = Command::new(program);
                c.args(rest).arg(exe);
                c
            }
            None => Command::new(exe),
        };
        let mut child = command
            .arg("-a")
            .arg("127.0.0.1:0")
            .arg("-w")
            .arg("2")
            .args(args)
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn static");
        let log = Arc::new(Mutex::new(Vec::new()));
        let log_writer = Arc::clone(&log);
        let first_line = first_stdout_line(&mut child, STEP_TIMEOUT, move |line| {
            log_writer.lock().expect("log lock").push(line)
        })
        .unwrap_or_else(|| panic!("static printed no first line"));
        let url = first_line
            .rsplit_once(" at ")
            .map(|(_, url)| url.to_string())
            .expect("first line: serving DIR at URL");
        let addr = url
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .trim_end_matches('/')
            .parse()
            .expect("HOST:PORT in the first line");
        StaticServer {
            child,
            addr,
            url,
            first_line,
            log,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        wait_exit(&mut self.child, limit).ok().flatten()
    }

    /// The access-log lines so far, after a short settle (lines are
    /// written once the response is sent).
    pub fn log_lines(&self, at_least: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let lines = self.log.lock().expect("log lock").clone();
            if lines.len() >= at_least || Instant::now() > deadline {
                return lines;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Debian package that provides each program the tests run.
const PEER_PACKAGES: &[(&str, &str)] = &[
    ("curl", "curl"),
    ("nginx", "nginx"),
    ("chromium", "chromium"),
    ("python3", "python3"),
    ("gzip", "gzip"),
    ("timeout", "coreutils"),
    ("id", "coreutils"),
    ("sh", "dash"),
    ("setpriv", "util-linux"),
    ("kill", "procps"),
    ("haproxy", "haproxy"),
    ("certutil", "libnss3-tools"),
    ("openssl", "openssl"),
    ("unzip", "unzip"),
    ("tar", "tar"),
    ("litmus", "litmus"),
    ("rclone", "rclone"),
    ("cadaver", "cadaver"),
    ("mount.davfs", "davfs2"),
    ("unshare", "util-linux"),
];

/// Fails the test because `program` could not be run, naming its package
/// from [`PEER_PACKAGES`].
pub fn missing_peer(program: &str, err: std::io::Error) -> ! {
    missing_peer_in(PEER_PACKAGES, program, err)
}

/// Checks that `program` runs (`program ARG`, whatever its exit status),
/// failing the test with the package to install when it does not.
pub fn require_peer(program: &str, arg: &str) {
    if let Err(e) = Command::new(program).arg(arg).output() {
        missing_peer(program, e);
    }
}

/// Runs curl with `-s --max-time` and the given arguments.
pub fn curl(args: &[&str]) -> Output {
    Command::new("curl")
        .args(["-s", "--max-time", "20"])
        .args(args)
        .output()
        .unwrap_or_else(|e| missing_peer("curl", e))
}

/// The status line's code as received, for a URL with extra curl
/// arguments; body discarded. (Not `-w %{http_code}`: with `-z`, curl
/// reports 304 for any answer whose Last-Modified fails its condition.)
pub fn curl_status(url: &str, extra: &[&str]) -> u16 {
    let mut args = vec!["-D", "-", "-o", "/dev/null"];
    args.extend_from_slice(extra);
    args.push(url);
    let out = curl(&args);
    String::from_utf8_lossy(&out.stdout)
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// A parsed response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `request` as raw bytes and reads the reply until the server
/// closes (send `Connection: close`).
pub fn raw(addr: SocketAddr, request: &[u8]) -> Reply {
    let mut s = TcpStream::connect_timeout(&addr, STEP_TIMEOUT).expect("connect");
    s.set_read_timeout(Some(STEP_TIMEOUT)).expect("timeout");
    s.write_all(request).expect("write request");
    let mut bytes = Vec::new();
    let _ = s.read_to_end(&mut bytes);
    parse_reply(&bytes)
}

/// Sends `bytes` on a new connection, without asking for a close, and
/// reads until the server closes it: what a refusal must do (the next
/// message's boundary is unknown). Panics when the connection is still
/// open after [`STEP_TIMEOUT`] or is reset, so a server that waits for
/// more gets caught.
pub fn send_until_server_closes(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect_timeout(&addr, STEP_TIMEOUT).expect("connect");
    s.set_read_timeout(Some(STEP_TIMEOUT)).expect("timeout");
    s.write_all(bytes).expect("write request");
    let mut received = Vec::new();
    if let Err(e) = s.read_to_end(&mut received) {
        panic!(
            "the server did not close the connection ({e}) after sending {:?}",
            String::from_utf8_lossy(&received)
        );
    }
    received
}

/// Sends `request` (a refused message, with more pipelined behind it) and
/// asserts what a refusal must be: one 400, then the server's close, with
/// nothing after it answered.
pub fn assert_400_and_close(addr: SocketAddr, request: &[u8], what: &str) {
    let received = send_until_server_closes(addr, request);
    assert_eq!(parse_reply(&received).status, 400, "{what}");
    assert_eq!(count_responses(&received), 1, "{what}: answered past it");
}

/// How many responses `bytes` holds, read one after another by their
/// `Content-Length` (what the server sends for these tests' answers);
/// what follows the last whole one is ignored.
pub fn count_responses(mut bytes: &[u8]) -> usize {
    let mut count = 0;
    while let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
        let length = parse_reply(&bytes[..end + 4])
            .header("Content-Length")
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        count += 1;
        bytes = bytes.get(end + 4 + length..).unwrap_or_default();
    }
    count
}

/// A GET of `target` as sent, byte for byte.
pub fn raw_get(addr: SocketAddr, target: &str) -> Reply {
    raw(
        addr,
        format!("GET {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// Head and body of one response (the body is everything after the head).
pub fn parse_reply(bytes: &[u8]) -> Reply {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: bytes[end + 4..].to_vec(),
    }
}

/// A brotli stream holding `data` in one uncompressed meta-block (RFC 7932
/// 9.2): enough for a test fixture without a brotli encoder.
pub fn brotli_stored(data: &[u8]) -> Vec<u8> {
    assert!(!data.is_empty() && data.len() <= 65_536);
    // bit 0: WBITS=16; bit 1: ISLAST=0; bits 2-3: MNIBBLES=4; bits 4-19:
    // MLEN-1; bit 20: ISUNCOMPRESSED; pad to a byte.
    let header: u32 = (((data.len() - 1) as u32) << 4) | (1 << 20);
    let mut out = header.to_le_bytes()[..3].to_vec();
    out.extend_from_slice(data);
    out.push(0x03); // ISLAST=1, ISLASTEMPTY=1
    out
}

/// gzip of `data`, by the system's gzip.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut child = Command::new("gzip")
        .args(["-c", "-n"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| missing_peer("gzip", e));
    let mut stdin = child.stdin.take().expect("stdin");
    let data = data.to_vec();
    let writer = thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().expect("gzip output");
    writer.join().expect("writer").expect("write to gzip");
    out.stdout
}

/// A fresh temporary directory to serve.
pub fn site() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

pub fn write(dir: &Path, rel: &str, data: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, data).expect("write fixture");
}

/// Starts curl downloading `url` into `sink` at no more than `rate` bytes
/// a second (curl's `--limit-rate`, such as `4M`), so that the transfer
/// stays in flight while the test acts on it; curl prints the bytes it
/// received on its piped stdout, and gives up after 30 s. Pair it with
/// [`wait_for_bytes`] on `sink`.
pub fn slow_download(url: &str, sink: &Path, rate: &str) -> Child {
    Command::new("curl")
        .args(["-s", "--max-time", "30", "--limit-rate", rate])
        .args(["-w", "%{size_download}", "-o"])
        .arg(sink)
        .arg(url)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| missing_peer("curl", e))
}

/// Waits (bounded) until the file at `path` holds at least `bytes` bytes:
/// a download is under way.
pub fn wait_for_bytes(path: &Path, bytes: u64) {
    let deadline = Instant::now() + STEP_TIMEOUT;
    while std::fs::metadata(path).map_or(0, |m| m.len()) < bytes {
        assert!(
            Instant::now() < deadline,
            "no download progress into {}",
            path.display()
        );
        thread::sleep(Duration::from_millis(10));
    }
}
