//! `fetch ws://` against node's `ws` server (what most JS servers run):
//! echo line by line with permessage-deflate on offer and `--compressed`.

mod common;
#[path = "common/ws.rs"]
mod ws;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use ws::FetchWs;

const SERVER: &str = r#"
let ws;
try { ws = require('ws'); } catch (e) { console.error('MISSING ws: run scripts/install-peers.sh'); process.exit(3); }
const wss = new ws.WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2]), perMessageDeflate: true });
wss.on('connection', (sock, req) => {
  sock.on('message', (data, isBinary) => sock.send(data, { binary: isBinary }));
});
"#;

/// Where scripts/install-peers.sh puts node packages.
fn node_path() -> PathBuf {
    let home = std::env::var_os("HOME").unwrap_or_default();
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(home).join(".cache"));
    cache.join("http-peers").join("node_modules")
}

#[test]
fn node_ws_echo_with_deflate() {
    let node = common::require("node", "nodejs");
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("server.js");
    std::fs::write(&script, SERVER).expect("write script");
    let port = common::free_port();
    let mut child = Command::new(node)
        .arg(&script)
        .arg(port.to_string())
        .env("NODE_PATH", node_path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn node");
    common::wait_listening(port, &mut child, "node ws server", None);
    let peer = common::Peer {
        child,
        port,
        dir,
        name: "node-ws",
    };
    let url = format!("ws://127.0.0.1:{}/", peer.port);
    let mut f = FetchWs::start(&["-v", "--compressed", &url]);
    for i in 0..20 {
        let line = format!("line {i} {}", "pad ".repeat(i * 10));
        f.send(line.as_bytes());
        assert_eq!(f.text(), line);
    }
    let done = f.finish();
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(
        done.stderr.contains("* WebSocket open, permessage-deflate"),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr.contains("* WebSocket closed: 1000"),
        "{}",
        done.stderr
    );
}
