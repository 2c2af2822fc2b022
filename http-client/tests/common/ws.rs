//! WebSocket test peers: a Python `websockets` server with one behaviour
//! per path, and a raw-socket Python server that breaks the rules on
//! purpose (what a strict library would never send).
//!
//! Include next to `common` in a test file:
//! ```ignore
//! mod common;
//! #[path = "common/ws.rs"]
//! mod ws;
//! ```
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::{free_port, require, wait_listening, Peer};

/// The `websockets` server. Paths:
/// - `/echo` (any other path too): every message back; text ones are
///   appended to `received.log` in its directory;
/// - `/headers`: first a JSON object of request fields and the chosen
///   subprotocol, then echo;
/// - `/close/CODE`: sends `closing`, then closes with CODE and `bye`;
/// - `/drop`: echoes one message, then drops the TCP connection;
/// - `/forbidden`: refuses the upgrade with 403.
///
/// Flags after the port: `--deflate` (permessage-deflate on offer),
/// `--ping` (pings every 0.2 s, closes 1011 when a pong is 1 s late),
/// `--cert FILE --key FILE` (wss).
pub const PY_WS_SERVER: &str = r#"
import asyncio, json, ssl, sys
from http import HTTPStatus
from websockets.asyncio.server import serve

port = int(sys.argv[1])
args = sys.argv[2:]
log = open("received.log", "a", buffering=1)

def select(conn, offered):
    return "chat" if "chat" in offered else None

def process_request(conn, request):
    if request.path == "/forbidden":
        return conn.respond(HTTPStatus.FORBIDDEN, "no\n")

async def echo(ws):
    async for msg in ws:
        if isinstance(msg, str):
            log.write(msg + "\n")
        await ws.send(msg)

async def handler(ws):
    path = ws.request.path
    if path == "/headers":
        h = ws.request.headers
        fields = {k: h.get(k) for k in ["cookie", "authorization", "user-agent", "x-extra", "sec-websocket-extensions", "host"]}
        fields["protocol"] = ws.subprotocol
        await ws.send(json.dumps(fields))
    elif path.startswith("/close/"):
        await ws.send("closing")
        await ws.close(int(path.split("/")[2]), "bye")
        return
    elif path == "/drop":
        msg = await ws.recv()
        await ws.send(msg)
        await asyncio.sleep(0.05)
        ws.transport.abort()
        return
    await echo(ws)

async def main():
    tls = None
    if "--cert" in args:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args[args.index("--cert") + 1], args[args.index("--key") + 1])
    ping = "--ping" in args
    async with serve(handler, "127.0.0.1", port, max_size=None, ssl=tls,
                     compression="deflate" if "--deflate" in args else None,
                     select_subprotocol=select, process_request=process_request,
                     ping_interval=0.2 if ping else None, ping_timeout=1.0 if ping else None) as server:
        await server.serve_forever()

asyncio.run(main())
"#;

/// The rule breaker: completes the handshake by hand, then per path sends
/// `/masked` a masked text frame, `/badutf8` a text frame that is not
/// UTF-8, `/big` a header announcing 2 MiB, `/silent` nothing (and
/// ignores pings), `/deaf` nothing and never answers a close (it reads on
/// until the client hangs up). Every close frame it gets is decoded and
/// its code appended to `codes.log` in its directory.
pub const PY_RAW_SERVER: &str = r#"
import base64, hashlib, socket, struct, sys, threading

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen(16)

def read_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            return None
        b += c
    return b

def serve(s):
    s.settimeout(10)
    head = b""
    while b"\r\n\r\n" not in head:
        c = s.recv(4096)
        if not c:
            return
        head += c
    lines = head.decode().split("\r\n")
    path = lines[0].split(" ")[1]
    key = [l.split(":", 1)[1].strip() for l in lines if l.lower().startswith("sec-websocket-key:")][0]
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    s.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").encode())
    if path == "/masked":
        mask = b"\x01\x02\x03\x04"
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(b"hello"))
        s.sendall(b"\x81\x85" + mask + data)
    elif path == "/badutf8":
        s.sendall(b"\x81\x02\xff\xfe")
    elif path == "/big":
        s.sendall(b"\x82\x7f" + struct.pack(">Q", 2 << 20) + b"x" * 1024)
    while True:
        h = read_exact(s, 2)
        if h is None:
            return
        n = h[1] & 0x7f
        if n == 126:
            n = struct.unpack(">H", read_exact(s, 2))[0]
        elif n == 127:
            n = struct.unpack(">Q", read_exact(s, 8))[0]
        mask = read_exact(s, 4) if h[1] & 0x80 else b"\0\0\0\0"
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(read_exact(s, n) or b""))
        if h[0] & 0x0f == 8:
            code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
            with open("codes.log", "a") as f:
                f.write("%d %s\n" % (code, path))
            if path != "/deaf":
                return

while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"#;

/// Runs `script` with python3 on `port` (0: a free one) in `dir` (`None`:
/// a new temp dir), with `args` after the port.
pub fn start_py(script: &str, port: u16, dir: Option<&Path>, args: &[&str]) -> Peer {
    let bin = require("python3", "python3");
    let owned = tempfile::tempdir().expect("tempdir");
    let dir_path = dir.unwrap_or(owned.path()).to_path_buf();
    let port = if port == 0 { free_port() } else { port };
    let path = dir_path.join("ws_server.py");
    std::fs::write(&path, script).expect("write script");
    let mut child = Command::new(bin)
        .arg(&path)
        .arg(port.to_string())
        .args(args)
        .current_dir(&dir_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn python3");
    wait_listening(port, &mut child, "python3 websocket server", None);
    Peer {
        child,
        port,
        dir: owned,
        name: "python-ws",
    }
}

/// The `websockets` server ([`PY_WS_SERVER`]) with `args`, failing with
/// the install line when the module is missing.
pub fn start_py_ws(args: &[&str]) -> Peer {
    require_websockets();
    start_py(PY_WS_SERVER, 0, None, args)
}

/// The rule breaker ([`PY_RAW_SERVER`]).
pub fn start_py_raw() -> Peer {
    start_py(PY_RAW_SERVER, 0, None, &[])
}

/// Panics with the install line when Python's `websockets` is missing.
pub fn require_websockets() {
    let ok = Command::new("python3")
        .args(["-c", "import websockets"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "python3 module `websockets` is missing: run scripts/install-peers.sh (pip install websockets)"
    );
}

/// `ws://127.0.0.1:PORT/path`.
pub fn ws_url(peer: &Peer, path: &str) -> String {
    format!("ws://127.0.0.1:{}{}", peer.port, path)
}

/// A `fetch ws://` run driven line by line: its stdin is a pipe the test
/// writes, its stdout lines arrive on a channel (so a test sees each echo
/// as soon as fetch flushes it), all waits bounded.
pub struct FetchWs {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    lines: std::sync::mpsc::Receiver<Vec<u8>>,
    stderr: std::thread::JoinHandle<Vec<u8>>,
}

/// What a finished [`FetchWs`] left.
pub struct Finished {
    pub code: i32,
    /// Output lines not read by the test before the end.
    pub rest: Vec<Vec<u8>>,
    pub stderr: String,
}

impl FetchWs {
    /// Starts `fetch` with `args` (proxy variables cleared).
    pub fn start(args: &[&str]) -> FetchWs {
        FetchWs::spawn(args, b'\n')
    }

    /// Like [`FetchWs::start`] for output without newlines (binary
    /// messages): each "line" is whatever one read returned.
    pub fn start_raw(args: &[&str]) -> FetchWs {
        FetchWs::spawn(args, 0)
    }

    fn spawn(args: &[&str], split: u8) -> FetchWs {
        use std::io::BufRead;
        let mut cmd = Command::new(crate::common::fetch_bin());
        cmd.args(args);
        for k in [
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "all_proxy",
            "ALL_PROXY",
        ] {
            cmd.env_remove(k);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn fetch");
        let out = child.stdout.take().expect("stdout");
        let mut err = child.stderr.take().expect("stderr");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = std::io::BufReader::new(out);
            loop {
                let mut line = Vec::new();
                let got = if split == 0 {
                    let mut chunk = [0u8; 65536];
                    std::io::Read::read(&mut r, &mut chunk)
                        .inspect(|n| line.extend_from_slice(&chunk[..*n]))
                } else {
                    r.read_until(split, &mut line)
                };
                match got {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        if line.last() == Some(&b'\n') {
                            line.pop();
                        }
                        if tx.send(line).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = std::io::Read::read_to_end(&mut err, &mut v);
            v
        });
        FetchWs {
            stdin: child.stdin.take(),
            child,
            lines,
            stderr,
        }
    }

    /// Writes one input line.
    pub fn send(&mut self, line: &[u8]) {
        use std::io::Write;
        let stdin = self.stdin.as_mut().expect("stdin still open");
        stdin.write_all(line).expect("write stdin");
        stdin.write_all(b"\n").expect("write stdin");
        stdin.flush().expect("flush stdin");
    }

    /// The next output line, waiting at most 10 s.
    pub fn line(&self) -> Vec<u8> {
        self.lines
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("an output line within 10 s")
    }

    /// The next output line as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.line()).expect("UTF-8 line")
    }

    /// Closes stdin (the end of input) and waits at most 30 s for the exit.
    pub fn finish(mut self) -> Finished {
        drop(self.stdin.take());
        self.wait()
    }

    /// Waits at most 30 s for the exit, stdin left open.
    pub fn wait(mut self) -> Finished {
        let status = match test_support::wait_exit(&mut self.child, crate::common::RUN_TIMEOUT)
            .expect("wait")
        {
            Some(s) => s,
            None => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "fetch ws:// ran longer than {:?}",
                    crate::common::RUN_TIMEOUT
                );
            }
        };
        let stderr = self.stderr.join().expect("stderr thread");
        Finished {
            code: status.code().unwrap_or(-1),
            rest: self.lines.try_iter().collect(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }
}
