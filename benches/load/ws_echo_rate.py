#!/usr/bin/env python3
"""WebSocket echo of small messages: ours (examples/ws_echo) against node's
`ws` (an echo server as its README shows), same client, same connections,
rounds interleaved; messages per server CPU-second (utime+stime from
/proc/PID/stat) next to messages per second, medians.

    python3 benches/load/ws_echo_rate.py [CONNECTIONS] [SECONDS] [ROUNDS]
        # default 100 connections, 5 s, 3 rounds; 4 messages in flight each

Servers pinned to CPU 0, this client to CPU 1 (one Python thread driving
raw sockets with selectors: it may be the bottleneck, which is why the
per-CPU-second figure is the one to compare). No compression offered.
Ours is the release build unless WS_ECHO points at a binary. Traffic goes
to 127.0.0.1 only; every wait is bounded.
"""

import os
import selectors
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ws_idle_rss import KEY, NODE_SERVER, ROOT, start  # noqa: E402

CONNS = int(sys.argv[1]) if len(sys.argv) > 1 else 100
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
IN_FLIGHT = 4
PAYLOAD = b"x" * 64
MASK = b"\x12\x34\x56\x78"
FRAME = bytes([0x81, 0x80 | len(PAYLOAD)]) + MASK + bytes(b ^ MASK[i % 4] for i, b in enumerate(PAYLOAD))
REPLY = bytes([0x81, len(PAYLOAD)]) + PAYLOAD


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def handshake(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall((f"GET /echo HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += s.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    s.setblocking(False)
    return s


def run(port, pid):
    socks = [handshake(port) for _ in range(CONNS)]
    sel = selectors.DefaultSelector()
    pending = {}
    for s in socks:
        s.sendall(FRAME * IN_FLIGHT)
        pending[s] = b""
        sel.register(s, selectors.EVENT_READ)
    done = 0
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    end = t0 + SECONDS
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=1.0):
            s = key.fileobj
            data = pending[s] + s.recv(65536)
            n = len(data) // len(REPLY)
            pending[s] = data[n * len(REPLY):]
            if n:
                done += n
                s.send(FRAME * n)
    elapsed, cpu = time.monotonic() - t0, cpu_seconds(pid) - cpu0
    for s in socks:
        s.close()
    return done / elapsed, done / cpu if cpu else float("inf")


def main():
    os.sched_setaffinity(0, {1})
    ours = os.environ.get("WS_ECHO")
    if not ours:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "brisk-server", "--example", "ws_echo"],
                       cwd=ROOT, check=True)
        meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                              cwd=ROOT, check=True, capture_output=True, text=True).stdout
        ours = os.path.join(__import__("json").loads(meta)["target_directory"], "release", "examples", "ws_echo")
    cache = os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache"))
    servers = {
        "ours (ws_echo)": (["taskset", "-c", "0", ours, "127.0.0.1:0"], None),
        "node ws": (["taskset", "-c", "0", "node", "-e", NODE_SERVER],
                    dict(os.environ, NODE_PATH=os.path.join(cache, "http-peers", "node_modules"))),
    }
    results = {name: [] for name in servers}
    for _ in range(ROUNDS):
        for name, (cmd, env) in servers.items():
            p, port = start(cmd, env)
            try:
                results[name].append(run(port, p.pid))
            finally:
                p.terminate()
                p.wait(timeout=30)
    print(f"{CONNS} connections, {IN_FLIGHT} x 64-byte text messages in flight each, "
          f"{SECONDS:g} s x {ROUNDS} rounds (medians)\n")
    print("| server | messages/s | messages per server CPU-second |")
    print("|---|---|---|")
    for name, rs in results.items():
        rate = statistics.median(r[0] for r in rs)
        per_cpu = statistics.median(r[1] for r in rs)
        print(f"| {name} | {rate:,.0f} | {per_cpu:,.0f} |")


if __name__ == "__main__":
    main()
