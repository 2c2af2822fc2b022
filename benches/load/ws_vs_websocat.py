#!/usr/bin/env python3
"""`fetch ws://` against websocat on the same server (issue 23's benchmark).

    python3 benches/load/ws_vs_websocat.py [ROUNDS] [LINES]

Builds what it runs: the release `fetch` and `ws_echo` example (cargo
build --release; CARGO_TARGET_DIR is honoured) and, unless `websocat` is
on PATH, websocat from crates.io (`cargo install websocat --locked` into
TARGET/peers/websocat: a long build, done once; CI never builds it).
The server (our `ws_echo`, which answers every message before it answers
a close) is pinned to CPU 0, the client to CPU 1; rounds interleave
(fetch, fetch --ws-linger 0, websocat, ...). Each run pipes LINES lines
(default 100,000) through the tool to `/echo` and counts the echoed lines
on its stdout (a run that lost some is reported, not timed). Reported:
medians of wall time and of the client's CPU (user + sys, from wait4),
and ratios to websocat. websocat closes as soon as its input ends, as
`fetch --ws-linger 0` does; plain `fetch` first waits for 1 s of quiet
(the default linger), which its wall time includes.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
LINES = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
FETCH = os.path.join(TARGET, "release", "fetch")
ECHO = os.path.join(TARGET, "release", "examples", "ws_echo")


def build_ours():
    """The release fetch, ws_echo_loop and ws_echo (cargo does nothing when fresh)."""
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "brisk-client", "--bin", "fetch", "--example", "ws_echo_loop",
         "-p", "brisk-server", "--example", "ws_echo"],
        cwd=ROOT, check=True)


def websocat():
    """websocat from PATH, else built once into TARGET/peers/websocat."""
    found = shutil.which("websocat")
    if found:
        return found
    root = os.path.join(TARGET, "peers", "websocat")
    exe = os.path.join(root, "bin", "websocat")
    if not os.path.exists(exe):
        print("building websocat from crates.io (once; several minutes)", file=sys.stderr)
        env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(TARGET, "peers", "websocat-build"))
        subprocess.run(["cargo", "install", "-q", "websocat", "--locked", "--root", root], env=env, check=True)
    return exe


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


def report(results, peer):
    """The medians table, then each tool's ratios to `peer`."""
    print()
    print("| tool | wall (median) | client CPU (median) | rounds |")
    print("|---|---|---|---|")
    med = {}
    for name, rs in results.items():
        if not rs:
            print(f"| {name} | - | - | 0 |")
            continue
        w = statistics.median(x[0] for x in rs)
        c = statistics.median(x[1] for x in rs)
        med[name] = (w, c)
        print(f"| {name} | {w * 1000:.1f} ms | {c * 1000:.1f} ms | {len(rs)} |")
    if peer in med:
        pw, pc = med[peer]
        for name, (w, c) in med.items():
            if name != peer:
                print(f"{name} / {peer}: wall {w / pw:.2f}x, CPU {c / pc:.2f}x")


def main():
    build_ours()
    tools = {
        "fetch": [FETCH, "-s", None],
        "fetch --ws-linger 0": [FETCH, "-s", "--ws-linger", "0", None],
        "websocat": [websocat(), None],
    }
    server, url = start_server()
    try:
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            for i in range(LINES):
                f.write(f"line {i:08d} of the websocket echo benchmark\n")
            path = f.name
        results = {name: [] for name in tools}
        for r in range(ROUNDS):
            for name, cmd in tools.items():
                wall, cpu, lines = run([url if a is None else a for a in cmd], path)
                ok = lines == LINES
                print(f"round {r + 1} {name:20} wall {wall * 1000:8.1f} ms  cpu {cpu * 1000:8.1f} ms  lines {lines}{'' if ok else ' (LOST LINES)'}")
                if ok:
                    results[name].append((wall, cpu))
        report(results, "websocat")
    finally:
        server.terminate()
        server.wait(timeout=10)
        os.unlink(path)


if __name__ == "__main__":
    main()
