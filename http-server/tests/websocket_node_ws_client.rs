//! node's `ws` (what JS servers and clients run) against the `ws_echo`
//! example: echo with its default permessage-deflate offer, binary, a
//! 1 MiB message, the chat topic, and the close code it sees.
mod common;
use common::*;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

const SCRIPT: &str = r#"
let WebSocket;
try { WebSocket = require('ws'); } catch (e) {
  console.log('MISSING ws: run scripts/install-peers.sh (npm install ws)'); process.exit(3);
}
const base = process.argv[process.argv.length - 1];
const fail = (m) => { console.log('FAIL ' + m); process.exit(1); };
setTimeout(() => fail('timeout'), 60000);
function open(path) {
  return new Promise((res, rej) => {
    const ws = new WebSocket(base + path);
    ws.on('open', () => res(ws)); ws.on('error', rej);
  });
}
function next(ws) { return new Promise((res) => ws.once('message', (d, isBinary) => res([d, isBinary]))); }
(async () => {
  const ws = await open('/echo');
  if (!ws.extensions.includes('permessage-deflate')) fail('no deflate: ' + ws.extensions);
  ws.send('hello'); let [d, bin] = await next(ws);
  if (bin || d.toString() !== 'hello') fail('text');
  const big = Buffer.alloc(1 << 20, 7); ws.send(big); [d, bin] = await next(ws);
  if (!bin || !d.equals(big)) fail('binary');
  const closed = new Promise((res) => ws.on('close', (code) => res(code)));
  ws.close(1000, 'done');
  const code = await closed; if (code !== 1000) fail('close ' + code);
  const a = await open('/chat'), b = await open('/chat');
  await new Promise((r) => setTimeout(r, 200));
  const got = Promise.all([next(a), next(b)]);
  a.send('to everyone');
  for (const [m] of await got) if (m.toString() !== 'to everyone') fail('chat');
  a.close(); b.close();
  console.log('OK'); process.exit(0);
})().catch((e) => fail(e.stack));
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
fn node_ws_echo_deflate_and_chat() {
    let mut cmd = Command::new(example("ws_echo"));
    cmd.arg("127.0.0.1:0");
    let server = spawn_server(cmd);
    let url = format!("ws://{}", server.addr);
    let (ok, out, err) = run_bounded(
        Command::new("node")
            .env("NODE_PATH", node_path())
            .args(["-e", SCRIPT, &url]),
        Duration::from_secs(90),
    );
    assert!(ok && out.trim() == "OK", "stdout: {out}\nstderr: {err}");
}
