#!/usr/bin/env python3
"""WebSocket servers compared per server CPU-second: ours (examples/ws_echo)
against tokio-tungstenite (benches/peers/tungstenite-echo, written as its
examples show, one current-thread runtime) and node's `ws` (as its README
shows), same client, same connections, rounds interleaved, medians.

    python3 benches/load/ws_compare.py [SCENARIO...]
        # echo64 echo1m publish (default: all three)
    ROUNDS=3 DURATION=5 (seconds) SUBSCRIBERS=10000 in the environment change the run.

Scenarios (the issue's benchmark):
- echo64: 100 connections, 4 x 64-byte text messages in flight on each;
  messages echoed per server CPU-second.
- echo1m: 4 connections, 2 x 1 MiB binary messages in flight on each; MiB
  echoed per server CPU-second.
- publish: SUBSCRIBERS connections on /chat; one of them publishes 64-byte
  text messages, each delivered to every /chat connection (the publisher's
  too), at most 4 publishes not yet fully delivered; deliveries per server
  CPU-second.

Each server runs alone with one worker pinned to CPU 0 (`taskset -c 0`:
ours sizes its workers from the affinity), this client on CPU 1 (one
Python thread with selectors: it may cap the rates, which is why the
per-CPU-second figure is the one to compare). Server CPU is utime+stime
of /proc/PID/stat (all threads) over the measured window. No compression
is offered. Ours is the release build unless WS_ECHO points at a binary;
the tokio-tungstenite peer is built here (cargo build --release, its own
lockfile, into the workspace's target directory) unless TUNGSTENITE
points at a binary; node's ws comes from ${XDG_CACHE_HOME:-~/.cache}/http-peers
(scripts/install-peers.sh). Traffic goes to 127.0.0.1 only; every wait is
bounded.
"""

import json
import os
import selectors
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ws_idle_rss import KEY, NODE_SERVER, ROOT, start  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "3"))
SECONDS = float(os.environ.get("DURATION", "5"))
SUBSCRIBERS = int(os.environ.get("SUBSCRIBERS", "10000"))
MASK = b"\x12\x34\x56\x78"
# A bound on every wait for the server (seconds).
STALL_LIMIT = 10.0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def header(opcode, n, masked):
    m = 0x80 if masked else 0
    if n < 126:
        return bytes([0x80 | opcode, m | n])
    if n < 1 << 16:
        return bytes([0x80 | opcode, m | 126]) + n.to_bytes(2, "big")
    return bytes([0x80 | opcode, m | 127]) + n.to_bytes(8, "big")


def client_frame(opcode, payload):
    """A masked frame (the mask applied with one big-integer XOR)."""
    n = len(payload)
    key = int.from_bytes((MASK * (n // 4 + 1))[:n], "big")
    masked = (int.from_bytes(payload, "big") ^ key).to_bytes(n, "big")
    return header(opcode, n, True) + MASK + masked


def handshake(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=STALL_LIMIT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall((f"GET {path} HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        b = s.recv(1)
        if not b:
            raise RuntimeError("closed during the handshake")
        head += b
    assert head.startswith(b"HTTP/1.1 101"), head
    s.setblocking(False)
    return s


class Conn:
    """A client connection: bytes queued out, replies counted in."""

    def __init__(self, sock, reply_len):
        self.sock = sock
        self.reply_len = reply_len
        self.rx = 0
        self.out = []  # memoryviews to send, in order
        self.writing = False


class Client:
    def __init__(self, port, path, count, reply_len):
        self.sel = selectors.DefaultSelector()
        self.conns = [Conn(handshake(port, path), reply_len) for _ in range(count)]
        for c in self.conns:
            self.sel.register(c.sock, selectors.EVENT_READ, c)
        self.buf = bytearray(4 << 20)

    def send(self, c, data):
        c.out.append(memoryview(data))
        self.flush(c)

    def flush(self, c):
        while c.out:
            try:
                n = c.sock.send(c.out[0])
            except BlockingIOError:
                break
            if n == len(c.out[0]):
                c.out.pop(0)
            else:
                c.out[0] = c.out[0][n:]
        want = selectors.EVENT_READ | (selectors.EVENT_WRITE if c.out else 0)
        if c.writing != bool(c.out):
            c.writing = bool(c.out)
            self.sel.modify(c.sock, want, c)

    def turn(self, on_replies):
        """One select round: flushes, reads, calls on_replies(conn, n)."""
        events = self.sel.select(timeout=STALL_LIMIT)
        if not events:
            raise RuntimeError("the server stalled")
        for key, mask in events:
            c = key.data
            if mask & selectors.EVENT_WRITE:
                self.flush(c)
            if mask & selectors.EVENT_READ:
                try:
                    n = c.sock.recv_into(self.buf)
                except BlockingIOError:
                    continue
                if n == 0:
                    raise RuntimeError("the server closed a connection")
                c.rx += n
                replies, c.rx = divmod(c.rx, c.reply_len)
                if replies:
                    on_replies(c, replies)

    def close(self):
        for c in self.conns:
            c.sock.close()
        self.sel.close()


def echo(port, pid, conns, in_flight, opcode, payload):
    """Replies echoed per second and per server CPU-second."""
    frame = client_frame(opcode, payload)
    reply_len = len(header(opcode, len(payload), False)) + len(payload)
    client = Client(port, "/echo", conns, reply_len)
    done = 0

    def on_replies(c, n):
        nonlocal done
        done += n
        for _ in range(n):
            client.send(c, frame)

    for c in client.conns:
        for _ in range(in_flight):
            client.send(c, frame)
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    while time.monotonic() - t0 < SECONDS:
        client.turn(on_replies)
    elapsed, cpu = time.monotonic() - t0, cpu_seconds(pid) - cpu0
    client.close()
    return done / elapsed, done / cpu


def publish(port, pid):
    """Deliveries per second and per server CPU-second."""
    payload = b"p" * 64
    frame = client_frame(1, payload)
    client = Client(port, "/chat", SUBSCRIBERS, 2 + len(payload))
    publisher = client.conns[0]
    window = 4
    everyone = len(client.conns)
    published = delivered = 0

    def on_replies(c, n):
        nonlocal delivered
        delivered += n

    def publish_more():
        nonlocal published
        while published * everyone - delivered < window * everyone:
            client.send(publisher, frame)
            published += 1

    # Every subscriber must be in the topic before the clock starts: one
    # publish, delivered everywhere.
    client.send(publisher, frame)
    published = 1
    until = time.monotonic() + STALL_LIMIT * 3
    while delivered < everyone:
        if time.monotonic() > until:
            raise RuntimeError("the first publish did not reach every subscriber")
        client.turn(on_replies)
    published = delivered = 0
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    while time.monotonic() - t0 < SECONDS:
        publish_more()
        client.turn(on_replies)
    elapsed, cpu = time.monotonic() - t0, cpu_seconds(pid) - cpu0
    client.close()
    return delivered / elapsed, delivered / cpu


# name: (title ending in the unit counted, run(port, pid) -> (per s, per CPU-s))
SCENARIOS = {
    "echo64": ("64-byte text echo, 100 connections x 4 in flight: messages",
               lambda port, pid: echo(port, pid, 100, 4, 1, b"x" * 64)),
    # One message is one MiB: messages counted are MiB.
    "echo1m": ("1 MiB binary echo, 4 connections x 2 in flight: MiB",
               lambda port, pid: echo(port, pid, 4, 2, 2, os.urandom(1 << 20))),
    "publish": (f"publish to {SUBSCRIBERS} subscribers, 64-byte text: deliveries",
                publish),
}


def target_dir():
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                          cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(meta)["target_directory"]


def build():
    ours = os.environ.get("WS_ECHO")
    if not ours:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "brisk-server", "--example", "ws_echo"],
                       cwd=ROOT, check=True)
        ours = os.path.join(target_dir(), "release", "examples", "ws_echo")
    tung = os.environ.get("TUNGSTENITE")
    if not tung:
        peer = os.path.join(ROOT, "benches", "peers", "tungstenite-echo")
        out = os.path.join(target_dir(), "tungstenite-echo")
        subprocess.run(["cargo", "build", "--release", "-q", "--locked", "--target-dir", out],
                       cwd=peer, check=True)
        tung = os.path.join(out, "release", "tungstenite-echo")
    return ours, tung


def main():
    names = sys.argv[1:] or list(SCENARIOS)
    os.sched_setaffinity(0, {1})
    ours, tung = build()
    cache = os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache"))
    node_env = dict(os.environ, NODE_PATH=os.path.join(cache, "http-peers", "node_modules"))
    servers = {
        "ours (ws_echo)": (["taskset", "-c", "0", ours, "127.0.0.1:0"], None),
        "tokio-tungstenite": (["taskset", "-c", "0", tung, "127.0.0.1:0"], None),
        "node ws": (["taskset", "-c", "0", "node", "-e", NODE_SERVER], node_env),
    }
    for name in names:
        title, run = SCENARIOS[name]
        results = {s: [] for s in servers}
        for _ in range(ROUNDS):
            for server, (cmd, env) in servers.items():
                p, port = start(cmd, env)
                try:
                    results[server].append(run(port, p.pid))
                finally:
                    p.terminate()
                    p.wait(timeout=30)
        unit = title.rsplit(": ", 1)[1]
        print(f"\n{title} ({SECONDS:g} s x {ROUNDS} rounds, medians)\n")
        print(f"| server | {unit}/s | {unit} per server CPU-second | ours / server (per CPU-second) |")
        print("|---|---|---|---|")
        ours_per_cpu = statistics.median(r[1] for r in results["ours (ws_echo)"])
        for server, rs in results.items():
            rate = statistics.median(r[0] for r in rs)
            per_cpu = statistics.median(r[1] for r in rs)
            print(f"| {server} | {rate:,.1f} | {per_cpu:,.1f} | {ours_per_cpu / per_cpu:.2f}x |")
        print("rounds:", json.dumps({s: [[round(a, 1), round(b, 1)] for a, b in rs] for s, rs in results.items()}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
