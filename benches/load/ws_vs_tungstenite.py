#!/usr/bin/env python3
"""The library's WebSocket echo loop against tungstenite's blocking client
on the same server (issue 23's benchmark: messages per client
CPU-second).

    python3 benches/load/ws_vs_tungstenite.py [ROUNDS] [MESSAGES] [IN_FLIGHT]

Both clients run the same loop (http-client/examples/ws_echo_loop.rs and
benches/peers/tungstenite-client, a cargo project outside the workspace
that only this script builds): MESSAGES text messages of 64 bytes
(default 200,000) in batches of IN_FLIGHT (default 16): a batch in one
write, then its echoes read, then the next; a close at the end. (With one
message per write both clients spend nearly all their CPU in sendto: 1.05x
in one run, which measures the kernel, not the library.) The server (our release `ws_echo`) is pinned to
CPU 0, the client to CPU 1; rounds interleave; medians of wall time and
client CPU (user + sys, from wait4), messages per client CPU-second and
the ratio to tungstenite.

A third contestant, the client floor (benches/examples/ws_client_floor.rs:
the same loop with frames built once and echoes counted, not parsed),
shows what is left when a client spends nothing in user space: the
kernel's share, which neither library can cut.
"""
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ws_vs_websocat import ROOT, TARGET, build_ours, start_server  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
MESSAGES = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
IN_FLIGHT = int(sys.argv[3]) if len(sys.argv) > 3 else 16
OURS = os.path.join(TARGET, "release", "examples", "ws_echo_loop")
PEER_DIR = os.path.join(ROOT, "benches", "peers", "tungstenite-client")
PEER_TARGET = os.path.join(TARGET, "peers", "tungstenite-client")
PEER = os.path.join(PEER_TARGET, "release", "tungstenite-client")
FLOOR = os.path.join(TARGET, "release", "examples", "ws_client_floor")


def build_peer():
    env = dict(os.environ, CARGO_TARGET_DIR=PEER_TARGET)
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=PEER_DIR, env=env, check=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "benches", "--example", "ws_client_floor"],
                   cwd=ROOT, check=True)


def run(cmd):
    """Wall seconds, client CPU seconds, messages the client reports."""
    t0 = time.perf_counter()
    p = subprocess.Popen(["taskset", "-c", "1"] + cmd, stdout=subprocess.PIPE, text=True)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    got = int(out.split()[1]) if status == 0 and out.startswith("messages ") else 0
    if status != 0:
        print(f"  {cmd[0]} exited with {status}", file=sys.stderr)
    return wall, usage.ru_utime + usage.ru_stime, got


def main():
    build_ours()
    build_peer()
    server, url = start_server()
    tools = {"brisk-client": OURS, "tungstenite": PEER, "floor": FLOOR}
    results = {name: [] for name in tools}
    try:
        for r in range(ROUNDS):
            for name, exe in tools.items():
                wall, cpu, got = run([exe, url, str(MESSAGES), str(IN_FLIGHT)])
                ok = got == MESSAGES
                print(f"round {r + 1} {name:13} wall {wall * 1000:8.1f} ms  cpu {cpu * 1000:8.1f} ms"
                      f"  {got / cpu if cpu else 0:10.0f} msg/CPU-s{'' if ok else ' (FAILED)'}")
                if ok:
                    results[name].append((wall, cpu))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print()
    print(f"{MESSAGES} messages of 64 bytes, {IN_FLIGHT} in flight, {ROUNDS} rounds")
    print("| client | wall (median) | client CPU (median) | messages per client CPU-second |")
    print("|---|---|---|---|")
    rate = {}
    for name, rs in results.items():
        if not rs:
            print(f"| {name} | - | - | - |")
            continue
        w = statistics.median(x[0] for x in rs)
        c = statistics.median(x[1] for x in rs)
        rate[name] = MESSAGES / c
        print(f"| {name} | {w * 1000:.1f} ms | {c * 1000:.1f} ms | {rate[name]:,.0f} |")
    print()
    for a, b in [("brisk-client", "tungstenite"), ("floor", "tungstenite"), ("brisk-client", "floor")]:
        if a in rate and b in rate:
            print(f"{a} / {b}, messages per client CPU-second: {rate[a] / rate[b]:.2f}x")


if __name__ == "__main__":
    main()
