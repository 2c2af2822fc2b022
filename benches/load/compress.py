#!/usr/bin/env python3
"""On-the-fly compression: static vs nginx `gzip on`, per DESIGN.md
"Benchmark method" (issue 14).

One worker each pinned to CPU 0, wrk pinned to CPU 1, rounds interleaved,
medians. The file is a 100 KiB JavaScript-like file; every request sends
`Accept-Encoding: gzip`, and both servers compress at the same gzip level
(LEVEL, default 6: our default). Contestants:

- ours:         static, its variant cache on (compresses each file once)
- ours-nocache: static --no-compress-cache (compresses every request, as
                nginx does)
- nginx:        gzip on, gzip_comp_level LEVEL

Reported: requests/s, requests per server CPU-second, and bytes on the
wire per response (wrk's transfer / requests: head and body). A second
table: wrk's p99 for a 1 KiB file (10 connections) while 4 clients
download a 10 MiB compressible file with gzip in a loop (the big file is
compressed in 64 KiB slices, so the small requests should keep their
latency).

    python3 benches/load/compress.py
    DURATION=1s ROUNDS=1 python3 benches/load/compress.py    # a smoke run
"""

import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (the shared helpers: Proc, nginx, cpu time)

LEVEL = int(os.environ.get("LEVEL", "6"))
FILE_BYTES = 100 * 1024
CONNS = 50


def javascript(n):
    """Minified-looking JavaScript: identifiers, numbers and strings that
    repeat the way bundles do, seeded so every run has the same file."""
    rng = random.Random(14)
    words = ["render", "state", "props", "value", "node", "children", "update", "event", "target", "key"]
    out = []
    size = 0
    while size < n:
        a, b = rng.choice(words), rng.choice(words)
        line = f"function {a}{rng.randrange(500)}({b},e){{if(!{b}.{a})return e[{rng.randrange(99)}];" \
               f"return {b}.{a}(\"{rng.choice(words)}-{rng.randrange(10000)}\",{rng.random():.4f})}}\n"
        out.append(line)
        size += len(line)
    return "".join(out).encode()[:n]


def check_gzip(url, size):
    """The server answers 200 gzip, decoding to the file: else the run is void."""
    import gzip

    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=10) as r:
        wire = r.read()
        if r.status != 200 or r.headers.get("Content-Encoding") != "gzip" or len(gzip.decompress(wire)) != size:
            raise RuntimeError(f"{url}: not a gzip answer of the file: not measuring")


def run_wrk(port):
    """(requests/s, bytes per response) of one wrk run with gzip accepted."""
    argv = ["taskset", "-c", "1", "wrk", "-t1", f"-c{CONNS}", f"-d{compare.DURATION}",
            "-H", "Accept-Encoding: gzip", f"http://127.0.0.1:{port}/app.js"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=120).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    tr = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
    scale = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[tr.group(2)]
    return rps, float(tr.group(1)) * scale / rps if rps else 0.0


def main():
    for tool in ["wrk", "taskset"]:
        if not compare.shutil.which(tool):
            sys.exit(f"{tool} not found: run scripts/install-peers.sh")
    compare.build("-p", "brisk-static", "--bin", "static")
    static = os.path.join(compare.REL, "static")
    print(f"machine: {os.uname().machine}, {os.cpu_count()} cores; date: {time.strftime('%Y-%m-%d')}; "
          f"rounds: {compare.ROUNDS} x {compare.DURATION}; gzip level {LEVEL}")
    with tempfile.TemporaryDirectory() as tmp:
        docroot = tempfile.mkdtemp(dir=tmp)
        os.chmod(tmp, 0o755)  # nginx's worker runs as nobody
        os.chmod(docroot, 0o755)
        path = os.path.join(docroot, "app.js")
        with open(path, "wb") as f:
            f.write(javascript(FILE_BYTES))
        os.chmod(path, 0o644)
        # Our variant cache keeps a file's variant once the file has been
        # left alone for 2 s (its mtime and ctime): wait that out.
        time.sleep(2.5)

        def ours(extra):
            def start():
                port = compare.free_port()
                argv = [static, "--workers", "1", "--quiet", "--addr", f"127.0.0.1:{port}", *extra, docroot]
                return compare.Proc(argv, port)
            return start

        def nginx():
            body = (f"location / {{ root {docroot}; }}\n"
                    f"        gzip on; gzip_comp_level {LEVEL}; gzip_min_length 1024; gzip_vary on;\n"
                    f"        gzip_types application/javascript;\n"
                    f"        types {{ application/javascript js; }}")
            return compare.start_nginx(tmp, body)

        contestants = {"ours": ours([]), "ours-nocache": ours(["--no-compress-cache"]), "nginx": nginx}
        res = {name: [] for name in contestants}
        for _ in range(compare.ROUNDS):
            for name, start in contestants.items():
                p = start()
                try:
                    check_gzip(f"http://127.0.0.1:{p.port}/app.js", FILE_BYTES)
                    before = compare.cpu_seconds(p.p.pid)
                    rps, per_response = run_wrk(p.port)
                    cpu = compare.cpu_seconds(p.p.pid) - before
                    reqs = rps * float(compare.DURATION.rstrip("s"))
                    res[name].append((rps, reqs / cpu if cpu > 0 else float("inf"), per_response))
                finally:
                    p.stop()
        med = lambda i: {n: compare.median([r[i] for r in res[n]]) for n in res}
        rows = [
            ("requests/s", med(0), lambda v: f"{v:,.0f}"),
            ("requests per server CPU-second", med(1), lambda v: f"{v:,.0f}"),
            ("bytes on the wire per response", med(2), lambda v: f"{v:,.0f}"),
        ]
        compare.table(f"100 KiB JavaScript, gzip level {LEVEL}: static vs nginx gzip on (1 worker each)",
                      contestants, rows)
        # The cache-off contestant against nginx, the like-for-like figure.
        for label, values, _ in rows:
            ratio = values["ours-nocache"] / values["nginx"] if values["nginx"] else float("nan")
            print(f"ours-nocache / nginx, {label}: {ratio:.2f}x")
        lat = latency_during_big_downloads(tmp, docroot, {"ours": contestants["ours"], "nginx": nginx})
        print("\n### p99 of 1 KiB requests while 4 clients download a 10 MiB file with gzip\n")
        print("| server | p99 (ms) | 10 MiB downloads completed |\n|---|---|---|")
        for name, (p99, done) in lat.items():
            print(f"| {name} | {p99:.2f} | {done} |")


def latency_during_big_downloads(tmp, docroot, contestants):
    """{name: (p99 ms of small requests, big downloads completed)}."""
    with open(os.path.join(docroot, "big.js"), "wb") as f:
        f.write(javascript(10 * 1024 * 1024))
    with open(os.path.join(docroot, "small.txt"), "wb") as f:
        f.write(b"x" * 1024)
    for name in ("big.js", "small.txt"):
        os.chmod(os.path.join(docroot, name), 0o644)
    out = {}
    for name, start in contestants.items():
        p = start()
        big = f"http://127.0.0.1:{p.port}/big.js"
        loop = ("end=$((SECONDS+{s})); n=0; while [ $SECONDS -lt $end ]; do "
                "curl -s -o /dev/null -H 'Accept-Encoding: gzip' {url} && n=$((n+1)); done; echo $n")
        secs = int(float(compare.DURATION.rstrip("s"))) + 1
        try:
            downloads = [subprocess.Popen(["taskset", "-c", "1", "bash", "-c", loop.format(s=secs, url=big)],
                                          stdout=subprocess.PIPE, text=True) for _ in range(4)]
            time.sleep(0.2)
            _, p99 = compare.wrk(f"http://127.0.0.1:{p.port}/small.txt", conns=10)
            done = sum(int(d.communicate(timeout=120)[0].strip() or 0) for d in downloads)
            out[name] = (p99, done)
        finally:
            p.stop()
    return out


if __name__ == "__main__":
    main()
