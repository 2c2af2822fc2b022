#!/usr/bin/env python3
"""Memory per idle WebSocket connection: ours (examples/ws_echo) against
tokio-tungstenite (benches/peers/tungstenite-echo, built as ws_compare.py
builds it) and node's `ws` (an echo server as its README shows), in the
same run.

Each server runs alone; N clients (raw sockets, no compression offered)
connect to /echo, exchange one small text message and stay idle; the
server's RSS growth from /proc/PID/status, divided by N, is the figure
(its user memory plus its kernel-invisible heap; socket buffers are the
kernel's and not in RSS). Needs N + a few hundred descriptors in this
process (ulimit -n); the servers get their own.

    python3 benches/load/ws_idle_rss.py [N]     # default 10000

Ours is built in release (cargo build --release -p brisk-server --example
ws_echo) unless WS_ECHO points at a binary. node's ws comes from
${XDG_CACHE_HOME:-~/.cache}/http-peers (scripts/install-peers.sh).
Traffic goes to 127.0.0.1 only; every wait is bounded.
"""

import os
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Only when run as a script: ws_compare.py imports this module.
N = int(sys.argv[1]) if __name__ == "__main__" and len(sys.argv) > 1 else 10000
KEY = "dGhlIHNhbXBsZSBub25jZQ=="
MASK = b"\x12\x34\x56\x78"

# /chat: every message to every client, a loop over them as ws's README
# shows for a broadcast (ws_compare.py's publish); anything else: echo.
NODE_SERVER = r"""
const { WebSocketServer, WebSocket } = require('ws');
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('listening', () => console.log('listening at http://127.0.0.1:' + wss.address().port + '/'));
wss.on('connection', (ws, req) => {
  if (req.url === '/chat') {
    ws.on('message', (data, isBinary) => {
      wss.clients.forEach((client) => {
        if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
      });
    });
  } else {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  }
});
"""


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def start(cmd, env=None):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    line = p.stdout.readline().strip()
    port = int(line.rsplit(":", 1)[1].rstrip("/"))
    return p, port


def frame(payload):
    masked = bytes(b ^ MASK[i % 4] for i, b in enumerate(payload))
    return bytes([0x81, 0x80 | len(payload)]) + MASK + masked


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(
        (f"GET /echo HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         f"Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()
    )
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        b = s.recv(1)
        if not b:
            raise RuntimeError("closed during the handshake")
        head += b
    assert head.startswith(b"HTTP/1.1 101"), head
    s.sendall(frame(b"hi"))
    got = b""
    while len(got) < 4:
        got += s.recv(4 - len(got))
    assert got == b"\x81\x02hi", got
    return s


def measure(name, cmd, env=None):
    p, port = start(cmd, env)
    try:
        # Warm up: the first connections' allocations are not per connection.
        # (Closed again: ws_echo under taskset has one worker, whose cap is
        # 10,000 connections.)
        for s in [connect(port) for _ in range(100)]:
            s.close()
        time.sleep(0.5)
        before = rss_kib(p.pid)
        clients = [connect(port) for _ in range(N)]
        time.sleep(1.0)
        after = rss_kib(p.pid)
        per = (after - before) * 1024 / N
        print(f"| {name} | {N} | {before} | {after} | {per:.0f} |", flush=True)
        for s in clients:
            s.close()
    finally:
        p.terminate()
        p.wait(timeout=30)


def main():
    from ws_compare import build  # ours and the tokio-tungstenite peer

    ours, tung = build()
    cache = os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache"))
    node_env = dict(os.environ, NODE_PATH=os.path.join(cache, "http-peers", "node_modules"))
    print("| server | idle connections | RSS before (KiB) | RSS after (KiB) | bytes per connection |")
    print("|---|---|---|---|---|")
    # All pinned to one CPU; heartbeats off for ours (the others have none).
    measure("ours (ws_echo)", ["taskset", "-c", "0", ours, "127.0.0.1:0"],
            dict(os.environ, WS_PING_INTERVAL_MS="0"))
    measure("tokio-tungstenite", ["taskset", "-c", "0", tung, "127.0.0.1:0"])
    measure("node ws", ["taskset", "-c", "0", "node", "-e", NODE_SERVER], node_env)


if __name__ == "__main__":
    main()
