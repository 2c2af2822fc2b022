//! Test support: real peers (nginx, python, tinyproxy, danted, microsocks)
//! started as children on 127.0.0.1, stopped by their own PID on drop;
//! `fetch`/`curl` runs bounded in time.
//!
//! A peer binary that is missing makes the test FAIL with a message that
//! names the package: CI installs them, a silent pass would hide a gap.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use test_support::wait_exit;

/// Longest time any peer gets to start listening.
pub const PEER_START_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest time any `fetch` or `curl` run may take in a test.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a peer gets to exit after SIGTERM before it is killed.
const PEER_STOP_TIMEOUT: Duration = Duration::from_secs(3);

/// The absolute path of `name` on PATH (or /usr/sbin), or a panic naming
/// the Debian package to install.
pub fn require(name: &str, package: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/sbin", "/usr/bin", "/sbin"].map(PathBuf::from));
    for d in dirs {
        let p = d.join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!("peer binary `{name}` is missing: install it with `apt-get install -y {package}` (this test needs the real peer)");
}

/// A port that was free a moment ago, never the same one twice in this
/// process (tests in one binary run in parallel: two peers must not race
/// for one port, or a test could talk to the other test's peer).
pub fn free_port() -> u16 {
    static HANDED_OUT: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut used = HANDED_OUT.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("bind an ephemeral port");
        if !used.contains(&port) {
            used.push(port);
            return port;
        }
    }
}

/// Waits until something accepts on `port`.
pub fn wait_listening(port: u16, child: &mut Child, what: &str, log: Option<&Path>) {
    let t0 = Instant::now();
    while t0.elapsed() < PEER_START_TIMEOUT {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            // Still alive a moment later: the listener is ours, not another
            // process's that took the port while our peer failed to bind.
            std::thread::sleep(Duration::from_millis(30));
            if let Ok(Some(status)) = child.try_wait() {
                panic!("{what} exited with {status} right after 127.0.0.1:{port} answered: port taken by another process?");
            }
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let log = log
                .and_then(|p| std::fs::read_to_string(p).ok())
                .unwrap_or_default();
            panic!("{what} exited with {status} before listening on {port}\n{log}");
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("{what} did not listen on 127.0.0.1:{port} within {PEER_START_TIMEOUT:?}");
}

/// A child process stopped (SIGTERM, then SIGKILL) by its PID on drop.
pub struct Peer {
    pub child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
    pub name: &'static str,
}

impl Peer {
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }
    pub fn log(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(file)).unwrap_or_default()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        if let Ok(Some(_)) = wait_exit(&mut self.child, PEER_STOP_TIMEOUT) {
            return;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tempdir_world_readable() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    // nginx workers and danted children drop to `nobody`.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

/// Writes `files` (relative path, content) under `root`, readable by all.
pub fn write_tree(root: &Path, files: &[(&str, &[u8])]) {
    for (rel, content) in files {
        let p = root.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
            let _ = std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o755));
        }
        std::fs::write(&p, content).expect("write file");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
}

/// nginx serving `files` from a temp root; `extra` goes into the server block.
pub fn start_nginx(files: &[(&str, &[u8])], extra: &str) -> Peer {
    let bin = require("nginx", "nginx");
    let dir = tempdir_world_readable();
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).expect("mkdir root");
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    write_tree(&root, files);
    let port = free_port();
    let d = dir.path().display();
    let conf = format!(
        "daemon off;\nworker_processes 1;\nerror_log {d}/error.log;\npid {d}/nginx.pid;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
         default_type application/octet-stream;\n  keepalive_timeout 75s;\n\
         server {{\n    listen 127.0.0.1:{port};\n    root {root};\n    {extra}\n  }}\n}}\n",
        root = root.display()
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
    wait_listening(
        port,
        &mut child,
        "nginx",
        Some(&dir.path().join("error.log")),
    );
    Peer {
        child,
        port,
        dir,
        name: "nginx",
    }
}

/// A Python origin running `script` (which must serve on sys.argv[1]).
pub fn start_python(script: &str) -> Peer {
    start_python_with_args(script, &[])
}

/// A Python origin running `script` with `sys.argv[1]` the port to serve
/// on and `args` after it, in its own temp dir (the working directory).
pub fn start_python_with_args(script: &str, args: &[&std::ffi::OsStr]) -> Peer {
    let bin = require("python3", "python3");
    let dir = tempdir_world_readable();
    let port = free_port();
    let path = dir.path().join("server.py");
    std::fs::write(&path, script).expect("write script");
    let mut child = Command::new(bin)
        .arg(&path)
        .arg(port.to_string())
        .args(args)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn python3");
    wait_listening(port, &mut child, "python3", None);
    Peer {
        child,
        port,
        dir,
        name: "python",
    }
}

/// `python3 -m http.server` on a temp root with `files`.
pub fn start_python_http_server(files: &[(&str, &[u8])]) -> Peer {
    let bin = require("python3", "python3");
    let dir = tempdir_world_readable();
    write_tree(dir.path(), files);
    let port = free_port();
    let mut child = Command::new(bin)
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn python3 -m http.server");
    wait_listening(port, &mut child, "python3 -m http.server", None);
    Peer {
        child,
        port,
        dir,
        name: "python-http.server",
    }
}

/// tinyproxy on loopback; `extra` lines are appended to its config.
pub fn start_tinyproxy(extra: &str) -> Peer {
    let bin = require("tinyproxy", "tinyproxy");
    let dir = tempdir_world_readable();
    let port = free_port();
    let d = dir.path().display();
    let conf = format!(
        "Port {port}\nListen 127.0.0.1\nTimeout 60\nMaxClients 50\nAllow 127.0.0.1\n\
         LogFile \"{d}/tinyproxy.log\"\nPidFile \"{d}/tinyproxy.pid\"\nDisableViaHeader Yes\n\
         User root\nGroup root\n{extra}\n"
    );
    std::fs::write(dir.path().join("tinyproxy.conf"), conf).expect("write conf");
    let mut child = Command::new(bin)
        .arg("-d")
        .arg("-c")
        .arg(dir.path().join("tinyproxy.conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn tinyproxy");
    wait_listening(
        port,
        &mut child,
        "tinyproxy",
        Some(&dir.path().join("tinyproxy.log")),
    );
    Peer {
        child,
        port,
        dir,
        name: "tinyproxy",
    }
}

/// dante-server speaking SOCKS4 and SOCKS5 without authentication.
pub fn start_danted() -> Peer {
    let bin = require("danted", "dante-server");
    let dir = tempdir_world_readable();
    let port = free_port();
    let d = dir.path().display();
    let conf = format!(
        "logoutput: {d}/danted.log\ninternal: 127.0.0.1 port = {port}\nexternal: 127.0.0.1\n\
         clientmethod: none\nsocksmethod: none\nuser.privileged: root\nuser.unprivileged: nobody\n\
         client pass {{\n from: 127.0.0.0/8 to: 0.0.0.0/0\n}}\n\
         socks pass {{\n from: 127.0.0.0/8 to: 0.0.0.0/0\n command: connect\n protocol: tcp\n}}\n"
    );
    std::fs::write(dir.path().join("danted.conf"), conf).expect("write conf");
    let mut child = Command::new(bin)
        .arg("-f")
        .arg(dir.path().join("danted.conf"))
        .arg("-p")
        .arg(dir.path().join("danted.pid"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn danted");
    wait_listening(
        port,
        &mut child,
        "danted",
        Some(&dir.path().join("danted.log")),
    );
    Peer {
        child,
        port,
        dir,
        name: "danted",
    }
}

/// microsocks (SOCKS5), with user/password when given.
pub fn start_microsocks(auth: Option<(&str, &str)>) -> Peer {
    let bin = require("microsocks", "microsocks");
    let dir = tempdir_world_readable();
    let port = free_port();
    let mut cmd = Command::new(bin);
    cmd.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
    if let Some((u, p)) = auth {
        cmd.args(["-u", u, "-P", p]);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn microsocks");
    wait_listening(port, &mut child, "microsocks", None);
    Peer {
        child,
        port,
        dir,
        name: "microsocks",
    }
}

/// The `fetch` binary of this crate.
pub fn fetch_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_fetch"))
}

/// Runs a command with a bounded time, environment cleared of proxies
/// unless `env` sets them.
pub fn run(bin: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(bin);
    cmd.args(args);
    for k in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "no_proxy",
        "NO_PROXY",
    ] {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
    // Drain both pipes on threads so a big output cannot block the child.
    let mut so = child.stdout.take().expect("stdout pipe");
    let mut se = child.stderr.take().expect("stderr pipe");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let Some(status) = wait_exit(&mut child, RUN_TIMEOUT).expect("wait") else {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "{} {:?} ran longer than {RUN_TIMEOUT:?}",
            bin.display(),
            args
        );
    };
    Output {
        status,
        stdout: t_out.join().expect("stdout thread"),
        stderr: t_err.join().expect("stderr thread"),
    }
}

/// Runs `fetch` with `args`.
pub fn fetch(args: &[&str]) -> Output {
    run(&fetch_bin(), args, &[])
}

/// Runs `fetch` with extra environment.
pub fn fetch_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    run(&fetch_bin(), args, env)
}

/// Exit code of an Output (signals are -1).
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Stderr as text, for assertion messages.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Reads a whole HTTP request head from `s` (until CRLFCRLF), bounded.
pub fn read_request_head(s: &mut TcpStream) -> Vec<u8> {
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(0) | Err(_) => break,
            Ok(_) => buf.push(byte[0]),
        }
    }
    buf
}

/// Writes all, ignoring errors (the client may have gone).
pub fn write_quiet(s: &mut TcpStream, b: &[u8]) {
    let _ = s.write_all(b);
}
