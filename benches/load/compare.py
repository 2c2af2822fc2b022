#!/usr/bin/env python3
"""Load comparisons against nginx, per DESIGN.md "Benchmark method".

Every figure is a ratio against a peer measured in the same run: one worker
per server pinned to CPU 0, wrk pinned to CPU 1, rounds interleaved (ours,
peer, ours, peer...), medians of at least three rounds, and requests per
server CPU-second from /proc/PID/stat (utime+stime of the whole process
tree) next to requests per second.

    python3 benches/load/compare.py server   # examples/hello vs nginx `return 200`
    python3 benches/load/compare.py static   # static --workers 1 vs nginx sendfile
    python3 benches/load/compare.py all
    BASELINE=/path/to/old/target/release python3 benches/load/compare.py server
        # also runs the old build's binaries ("before") in the same rounds

The server comparison also runs the floor (benches/examples/floor.rs: the
least an epoll server can spend per request) and a 1000-connection
keep-alive scenario with wrk's p99 latency.

The client (fetch vs curl) has its own script, client_vs_curl.py.
Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
Prints a markdown table per scenario.
"""

import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
REL = os.path.join(TARGET, "release")
HERE = os.path.dirname(os.path.abspath(__file__))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
DURATION = os.environ.get("DURATION", "5s")
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def tree_pids(pid):
    """pid and all its descendants."""
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(d))
            except OSError:
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_split(pid):
    """(user, system) CPU seconds of pid and its descendants."""
    user = system = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            user += int(fields[11])  # utime
            system += int(fields[12])  # stime
        except OSError:
            pass
    return user / TICK, system / TICK


def cpu_seconds(pid):
    return sum(cpu_split(pid))


def rss_kib(pid):
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                m = re.search(r"VmRSS:\s+(\d+) kB", f.read())
            total += int(m.group(1)) if m else 0
        except OSError:
            pass
    return total


def nginx_conf(dirpath, port, body):
    os.makedirs(os.path.join(dirpath, "tmp"), exist_ok=True)
    conf = f"""
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile 20000;
error_log {dirpath}/error.log warn;
pid {dirpath}/nginx.pid;
events {{ worker_connections 10000; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 100000000;
    keepalive_timeout 75s;
    client_body_temp_path {dirpath}/tmp;
    proxy_temp_path {dirpath}/tmp;
    fastcgi_temp_path {dirpath}/tmp;
    uwsgi_temp_path {dirpath}/tmp;
    scgi_temp_path {dirpath}/tmp;
    types {{ text/plain txt; application/octet-stream bin; }}
    server {{
        listen 127.0.0.1:{port} reuseport;
        {body}
    }}
}}
"""
    path = os.path.join(dirpath, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    return path


class Proc:
    def __init__(self, argv, port, cpu="0"):
        self.port = port
        self.p = subprocess.Popen(
            ["taskset", "-c", cpu] + argv,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_port(port)

    def stop(self):
        try:
            os.killpg(self.p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.p.pid, signal.SIGKILL)
            self.p.wait()


def start_nginx(tmp, body):
    port = free_port()
    d = tempfile.mkdtemp(dir=tmp)
    conf = nginx_conf(d, port, body)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    return Proc([nginx, "-p", d, "-c", conf, "-e", os.path.join(d, "error.log")], port)


def check_ok(url, size=None):
    """The server answers 200 with the whole body, or the run is void."""
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as r:
        body = r.read()
        if r.status != 200 or (size is not None and len(body) != size):
            raise RuntimeError(f"{url}: status {r.status}, {len(body)} bytes: not measuring an error page")


def wrk(url, pipeline=0, conns=50):
    """(requests/s, p99 latency in ms) of one wrk run."""
    argv = ["taskset", "-c", "1", "wrk", "-t1", f"-c{conns}", f"-d{DURATION}", "--latency"]
    if pipeline:
        argv += ["-s", os.path.join(HERE, "pipeline.lua"), url, "--", str(pipeline)]
    else:
        argv += [url]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=120).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    if errors:
        print(f"  wrk reported: {errors.group(0)}", file=sys.stderr)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p99_ms = float(p99.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[p99.group(2)] if p99 else float("nan")
    return (float(m.group(1)) if m else 0.0), p99_ms


def measure(proc, url, pipeline=0, conns=50):
    """requests/s, requests per server CPU-second, the server's user and
    kernel CPU microseconds per request, and wrk's p99 latency (ms)."""
    u0, s0 = cpu_split(proc.p.pid)
    rps, p99 = wrk(url, pipeline, conns)
    u1, s1 = cpu_split(proc.p.pid)
    user, system = u1 - u0, s1 - s0
    secs = float(DURATION.rstrip("s"))
    reqs = rps * secs
    if reqs <= 0:
        return rps, 0.0, 0.0, 0.0, p99
    per_cpu = reqs / (user + system) if user + system > 0 else float("inf")
    return rps, per_cpu, user / reqs * 1e6, system / reqs * 1e6, p99


def idle_memory(proc, n):
    """RSS growth per connection after n connections each did one request."""
    time.sleep(0.5)
    base = rss_kib(proc.p.pid)
    socks = []
    req = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    try:
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", proc.port), timeout=5)
            s.sendall(req)
            socks.append(s)
        for s in socks:
            got = b""
            while b"\r\n\r\n" not in got:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        time.sleep(1.0)
        grown = rss_kib(proc.p.pid) - base
    finally:
        for s in socks:
            s.close()
    return grown * 1024 / n


def median(xs):
    return statistics.median(xs)


def interleave(rounds, pairs):
    """pairs: {name: (start_fn, url_path)}; returns {name: [(rps, per_cpu)]}."""
    results = {name: [] for name in pairs}
    for _ in range(rounds):
        for name, fn in pairs.items():
            results[name].append(fn())
    return results


def build(*args):
    subprocess.run(["cargo", "build", "--release", "-q", *args], cwd=ROOT, check=True)


def baseline_binary(rel_path):
    """The same binary from an earlier build, when BASELINE names the
    release folder of one (measured as "before" in the same rounds)."""
    base = os.environ.get("BASELINE")
    if not base:
        return None
    path = os.path.join(base, rel_path)
    if not os.path.exists(path):
        sys.exit(f"BASELINE={base}: no {rel_path} there")
    return path


def started(argv_of_port):
    def start():
        port = free_port()
        return Proc(argv_of_port(port), port)
    return start


def table(title, contestants, rows):
    """rows: [(label, {name: value}, fmt)]; ratios of ours to every other."""
    names = list(contestants)
    others = [n for n in names if n != "ours"]
    print(f"\n### {title}\n")
    print("| scenario | " + " | ".join(names) + " | " + " | ".join(f"ours / {n}" for n in others) + " |")
    print("|---" * (1 + len(names) + len(others)) + "|")
    for label, values, fmt in rows:
        cells = [fmt(values[n]) for n in names]
        ratios = [f"{values['ours'] / values[n]:.2f}x" if values[n] else "n/a" for n in others]
        print(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    sys.stdout.flush()


def server_bench(tmp):
    build("-p", "http-server", "--example", "hello")
    build("-p", "benches", "--example", "floor")
    hello = os.path.join(REL, "examples", "hello")
    floor = os.path.join(REL, "examples", "floor")
    contestants = {
        "ours": started(lambda port: [hello, f"127.0.0.1:{port}"]),
        "nginx": lambda: start_nginx(tmp, 'location / { default_type text/plain; return 200 "Hello, World!"; }'),
        "floor": started(lambda port: [floor, f"127.0.0.1:{port}"]),
    }
    before = baseline_binary(os.path.join("examples", "hello"))
    if before:
        contestants["before"] = started(lambda port: [before, f"127.0.0.1:{port}"])

    rows = []
    scenarios = [
        ("keep-alive, 50 connections", 0, 50),
        ("pipelined, depth 16", 16, 50),
        ("keep-alive, 1000 connections", 0, 1000),
    ]
    for label, pipeline, conns in scenarios:
        res = {name: [] for name in contestants}
        for _ in range(ROUNDS):
            for name, start in contestants.items():
                p = start()
                try:
                    check_ok(f"http://127.0.0.1:{p.port}/")
                    res[name].append(measure(p, f"http://127.0.0.1:{p.port}/", pipeline, conns))
                finally:
                    p.stop()
        med = lambda i: {n: median([r[i] for r in res[n]]) for n in contestants}
        rows.append((f"{label}: requests/s", med(0), lambda v: f"{v:,.0f}"))
        rows.append((f"{label}: requests per server CPU-second", med(1), lambda v: f"{v:,.0f}"))
        # Where the server's time goes: its own code (user) vs the kernel's
        # socket work, which is the same for any server making the same calls.
        rows.append((f"{label}: server user CPU per request", med(2), lambda v: f"{v:.2f} µs"))
        rows.append((f"{label}: server kernel CPU per request", med(3), lambda v: f"{v:.2f} µs"))
        if conns >= 1000:
            rows.append((f"{label}: p99 latency", med(4), lambda v: f"{v:.2f} ms"))

    n = int(os.environ.get("IDLE_CONNS", "5000"))
    mem = {name: [] for name in contestants if name != "floor"}
    for _ in range(ROUNDS):
        for name in mem:
            p = contestants[name]()
            try:
                mem[name].append(idle_memory(p, n))
            finally:
                p.stop()
    idle = {name: median(v) for name, v in mem.items()}
    idle["floor"] = 0.0
    rows.append((f"RSS growth per idle keep-alive connection ({n}; the floor not measured)", idle, lambda v: f"{v:,.0f} B"))
    table("examples/hello vs nginx `return 200` and the floor", contestants, rows)


def static_bench(tmp):
    build("-p", "http-static", "--bin", "static")
    static = os.path.join(REL, "static")
    docroot = tempfile.mkdtemp(dir=tmp)
    # nginx's worker runs as nobody: it must be able to reach the files
    # (mkdtemp makes 0700 folders, and a 403 page is not a file).
    os.chmod(tmp, 0o755)
    os.chmod(docroot, 0o755)
    with open(os.path.join(docroot, "1k.txt"), "wb") as f:
        f.write(b"x" * 1024)
    with open(os.path.join(docroot, "10m.bin"), "wb") as f:
        f.write(os.urandom(10 * 1024 * 1024))

    def ours():
        port = free_port()
        return Proc([static, "--workers", "1", "--quiet", "--addr", f"127.0.0.1:{port}", docroot], port)

    def peer():
        return start_nginx(tmp, f"location / {{ root {docroot}; }}")

    contestants = [("ours", ours), ("nginx", peer)]
    old_static = baseline_binary("static")
    if old_static:
        contestants.append(("before", started(
            lambda port: [old_static, "--workers", "1", "--quiet", "--addr", f"127.0.0.1:{port}", docroot])))

    rows = []
    sizes = {"/1k.txt": 1024, "/10m.bin": 10 * 1024 * 1024}
    for label, path, conns in [("1 KiB file", "/1k.txt", 50), ("10 MiB file", "/10m.bin", 4)]:
        res = {name: [] for name, _ in contestants}
        for _ in range(ROUNDS):
            for name, start in contestants:
                p = start()
                try:
                    check_ok(f"http://127.0.0.1:{p.port}{path}", sizes[path])
                    before = cpu_seconds(p.p.pid)
                    argv = ["taskset", "-c", "1", "wrk", "-t1", f"-c{conns}", f"-d{DURATION}", f"http://127.0.0.1:{p.port}{path}"]
                    out = subprocess.run(argv, capture_output=True, text=True, timeout=120).stdout
                    cpu = cpu_seconds(p.p.pid) - before
                    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
                    tr = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
                    scale = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[tr.group(2)]
                    res[name].append((rps, rps * float(DURATION.rstrip("s")) / cpu, float(tr.group(1)) * scale))
                finally:
                    p.stop()
        med = lambda i: {n: median([r[i] for r in res[n]]) for n in res}
        rows.append((f"{label}: requests/s", med(0), lambda v: f"{v:,.0f}"))
        rows.append((f"{label}: requests per server CPU-second", med(1), lambda v: f"{v:,.0f}"))
        rows.append((f"{label}: throughput", med(2), lambda v: f"{v / 2**20:,.0f} MiB/s"))
    table("static --workers 1 vs nginx (sendfile on, access log off, 1 worker)", dict(contestants), rows)


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    if which not in ("server", "static", "all"):
        sys.exit("usage: compare.py [server|static|all] (fetch vs curl: client_vs_curl.py)")
    for tool in ["wrk", "taskset"]:
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: run scripts/install-peers.sh")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    print(f"machine: {os.uname().machine}, {os.cpu_count()} cores; date: {time.strftime('%Y-%m-%d')}; rounds: {ROUNDS} x {DURATION}")
    with tempfile.TemporaryDirectory() as tmp:
        if which in ("server", "all"):
            server_bench(tmp)
        if which in ("static", "all"):
            static_bench(tmp)


if __name__ == "__main__":
    main()
