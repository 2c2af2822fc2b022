//! Helpers shared by the behaviour tests: servers in-process or as child
//! processes, raw loopback clients with bounded waits, a tiny response
//! reader. Every wait here is bounded, so a broken server fails a test
//! instead of hanging it.
#![allow(dead_code)]

pub mod memory;
pub mod tls;
pub mod ws;

use brisk_server::{Handler, Server, ShutdownHandle};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use test_support::{first_stdout_line, missing_peer_in, wait_exit};

pub const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a child server may take to print its address.
const SERVER_START_TIMEOUT: Duration = Duration::from_secs(60);

/// A server running on a thread of the test; shut down on drop.
pub struct TestServer {
    pub addr: SocketAddr,
    pub handle: ShutdownHandle,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// Stops the server and waits for `serve` to return (bounded).
    pub fn stop(mut self) -> std::io::Result<()> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> std::io::Result<()> {
        self.handle.shutdown();
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !thread.is_finished() {
            assert!(
                Instant::now() < deadline,
                "serve() did not return after shutdown"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        thread.join().expect("serve thread panicked")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if self.thread.is_some() && !std::thread::panicking() {
            self.stop_inner().expect("serve failed");
        } else {
            self.handle.shutdown();
        }
    }
}

/// Binds 127.0.0.1:0 with one worker and a short drain, lets `configure`
/// adjust the settings, serves `handler` on a thread.
pub fn serve(configure: impl FnOnce(Server) -> Server, handler: impl Handler) -> TestServer {
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .workers(1)
        .drain_timeout(Duration::from_secs(5));
    let server = configure(server);
    let addr = server.local_addr();
    let handle = server.handle();
    let thread = std::thread::spawn(move || server.serve(handler));
    TestServer {
        addr,
        handle,
        thread: Some(thread),
    }
}

/// A blocking loopback client with read and write timeouts.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    s.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    s
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads one response (Content-Length, chunked, or to EOF when neither).
/// `head_only` for answers to HEAD.
pub fn read_response<R: BufRead>(r: &mut R, head_only: bool) -> Resp {
    let mut line = String::new();
    r.read_line(&mut line).expect("reading the status line");
    assert!(line.starts_with("HTTP/1.1 "), "bad status line {line:?}");
    let status: u16 = line[9..12].parse().unwrap();
    let mut headers = vec![];
    loop {
        let mut h = String::new();
        r.read_line(&mut h).expect("reading a header line");
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        let (n, v) = h.split_once(':').expect("header without colon");
        headers.push((n.to_string(), v.trim().to_string()));
    }
    let mut resp = Resp {
        status,
        headers,
        body: vec![],
    };
    if head_only || status == 204 || status == 304 || status / 100 == 1 {
        return resp;
    }
    if let Some(len) = resp.header("content-length") {
        let len: usize = len.parse().unwrap();
        resp.body = vec![0; len];
        r.read_exact(&mut resp.body).expect("reading the body");
    } else if resp.header("transfer-encoding") == Some("chunked") {
        loop {
            let mut size = String::new();
            r.read_line(&mut size).unwrap();
            let size = usize::from_str_radix(size.trim(), 16).unwrap();
            let mut chunk = vec![0; size + 2];
            r.read_exact(&mut chunk).unwrap();
            if size == 0 {
                break;
            }
            resp.body.extend_from_slice(&chunk[..size]);
        }
    } else {
        r.read_to_end(&mut resp.body).unwrap();
    }
    resp
}

/// Sends raw bytes on a fresh connection and reads one response.
pub fn exchange(addr: SocketAddr, raw: &[u8]) -> (Resp, BufReader<TcpStream>) {
    let mut s = connect(addr);
    s.write_all(raw).unwrap();
    let mut r = BufReader::new(s);
    let resp = read_response(&mut r, false);
    (resp, r)
}

/// True once the peer has closed: EOF (or a reset) within the timeout.
pub fn closed_by_peer<R: Read>(r: &mut R) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

pub fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").into_bytes()
}

/// An example binary of this package, built on demand.
pub fn example(name: &str) -> PathBuf {
    let path = examples_dir().join(name);
    if !path.exists() {
        build_example(name, &[]);
    }
    path
}

/// An example binary built with the package's `features` (a cargo
/// `--features` list). Always asks cargo, which rebuilds only when the
/// binary on disk was built without them (a plain `cargo test` builds
/// the examples with the default features, at the same path).
pub fn example_with_features(name: &str, features: &str) -> PathBuf {
    build_example(name, &["--features", features]);
    examples_dir().join(name)
}

fn examples_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().join("examples")
}

fn build_example(name: &str, args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "-q", "-p", "brisk-server", "--example", name])
        .args(args);
    // What cargo sets for the test process (the package's name, manifest
    // directory...) must not reach the inner build: ring's build watches
    // some of them, and a change would rebuild ring and everything above
    // it (30 s), twice (once more for the next `cargo test`).
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let set_for_tests = [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
        ]
        .iter()
        .any(|p| key.starts_with(p))
            || ["CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR", "OUT_DIR"].contains(&&*key);
        if set_for_tests {
            cmd.env_remove(&*key);
        }
    }
    let status = cmd.status().unwrap();
    assert!(status.success(), "building example {name} {args:?}");
}

/// A child process killed on drop.
pub struct ChildServer {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ChildServer {
    /// Waits for the exit status, at most `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        wait_exit(&mut self.child, limit).unwrap()
    }

    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{sig}"), &self.child.id().to_string()])
            .status()
            .unwrap_or_else(|e| missing_peer("kill", e))
            .success();
        assert!(ok, "kill -{sig}");
    }
}

/// Starts `cmd` (an example, maybe wrapped) and reads its first stdout
/// line, `listening at http://HOST:PORT/` (or `https://`).
pub fn spawn_server(mut cmd: Command) -> ChildServer {
    cmd.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| missing_peer(&cmd.get_program().to_string_lossy(), e));
    // Later lines are dropped; the reader keeps draining the pipe.
    let line = first_stdout_line(&mut child, SERVER_START_TIMEOUT, |_| {})
        .unwrap_or_else(|| panic!("server did not print its address"));
    let addr = line
        .trim()
        .strip_prefix("listening at http://")
        .or_else(|| line.trim().strip_prefix("listening at https://"))
        .and_then(|s| s.strip_suffix('/'))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    ChildServer { child, addr }
}

/// The Debian package that provides each peer program the tests run.
const PEER_PACKAGES: &[(&str, &str)] = &[
    ("curl", "curl"),
    ("python3", "python3"),
    ("kill", "procps"),
    ("sh", "dash"),
    ("openssl", "openssl"),
    ("node", "nodejs"),
    ("certutil", "libnss3-tools"),
    ("timeout", "coreutils"),
];

/// Fails the test because `program` could not be run, naming its package
/// from [`PEER_PACKAGES`].
pub fn missing_peer(program: &str, err: std::io::Error) -> ! {
    missing_peer_in(PEER_PACKAGES, program, err)
}

/// Runs a command with a time limit; returns (status ok, stdout, stderr).
/// A program that cannot be started fails the test, naming its package.
pub fn run_bounded(cmd: &mut Command, limit: Duration) -> (bool, String, String) {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| missing_peer(&cmd.get_program().to_string_lossy(), e));
    if wait_exit(&mut child, limit).unwrap().is_none() {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
