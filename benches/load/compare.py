#!/usr/bin/env python3
"""Load comparisons against nginx, per DESIGN.md "Benchmark method".

Every figure is a ratio against a peer measured in the same run: one worker
per server pinned to CPU 0, wrk pinned to CPU 1, rounds interleaved (ours,
peer, ours, peer...), medians of at least three rounds, and requests per
server CPU-second from /proc/PID/stat (utime+stime of the whole process
tree) next to requests per second.

    python3 benches/load/compare.py server   # examples/hello vs nginx `return 200`
    python3 benches/load/compare.py static   # static --workers 1 vs nginx sendfile
    python3 benches/load/compare.py tls      # the same over https (TLS 1.3, ECDSA P-256)
    python3 benches/load/compare.py tls-idle # only the RSS per idle TLS connection
    python3 benches/load/compare.py all
    BASELINE=/path/to/old/target/release python3 benches/load/compare.py server
        # also runs the old build's binaries ("before") in the same rounds
    FLOOR_DRAIN_READS=1 python3 benches/load/compare.py server
        # also runs the floor reading to EAGAIN (one more recvfrom per batch)
    DEFAULT_LIMIT=1 python3 benches/load/compare.py server
        # also runs ours closing after 1,000 requests (its default)

The server comparison also runs the floor (benches/examples/floor.rs: the
least an epoll server can spend per request) and a 1000-connection
keep-alive scenario with wrk's p99 latency.

The TLS comparison gives both servers the same ECDSA P-256 certificate,
made with openssl in the run's temporary folder (never kept), TLS 1.3
only, one worker each: keep-alive hello and one request per connection
(`Connection: close`, a full handshake each) per server CPU-second, a
10 MiB file's throughput, and the RSS per idle keep-alive TLS connection.
wrk does not verify certificates; the Python clients here do not either.

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


def nginx_conf(dirpath, port, body, listen="", server=""):
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
        listen 127.0.0.1:{port} reuseport{listen};
        {server}
        {body}
    }}
}}
"""
    path = os.path.join(dirpath, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    return path


class Proc:
    def __init__(self, argv, port, cpu="0", env=None):
        self.port = port
        self.p = subprocess.Popen(
            ["taskset", "-c", cpu] + argv,
            env={**os.environ, **env} if env else None,
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


def start_nginx(tmp, body, tls=None, resume=True):
    """nginx with one worker; `tls`: a Certificate to serve https with
    (`resume`: with session tickets and cache)."""
    port = free_port()
    d = tempfile.mkdtemp(dir=tmp)
    if tls:
        conf = nginx_conf(d, port, body, " ssl", tls.nginx_directives(resume))
    else:
        conf = nginx_conf(d, port, body)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    return Proc([nginx, "-p", d, "-c", conf, "-e", os.path.join(d, "error.log")], port)


def check_ok(url, size=None):
    """The server answers 200 with the whole body, or the run is void."""
    import ssl
    import urllib.request

    ctx = ssl._create_unverified_context() if url.startswith("https:") else None
    with urllib.request.urlopen(url, timeout=10, context=ctx) as r:
        body = r.read()
        if r.status != 200 or (size is not None and len(body) != size):
            raise RuntimeError(f"{url}: status {r.status}, {len(body)} bytes: not measuring an error page")


def wrk(url, pipeline=0, conns=50, headers=()):
    """(requests/s, p99 latency in ms) of one wrk run."""
    argv = ["taskset", "-c", "1", "wrk", "-t1", f"-c{conns}", f"-d{DURATION}", "--latency"]
    for h in headers:
        argv += ["-H", h]
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


def measure(proc, url, pipeline=0, conns=50, headers=()):
    """requests/s, requests per server CPU-second, the server's user and
    kernel CPU microseconds per request, and wrk's p99 latency (ms)."""
    u0, s0 = cpu_split(proc.p.pid)
    rps, p99 = wrk(url, pipeline, conns, headers)
    u1, s1 = cpu_split(proc.p.pid)
    user, system = u1 - u0, s1 - s0
    secs = float(DURATION.rstrip("s"))
    reqs = rps * secs
    if reqs <= 0:
        return rps, 0.0, 0.0, 0.0, p99
    per_cpu = reqs / (user + system) if user + system > 0 else float("inf")
    return rps, per_cpu, user / reqs * 1e6, system / reqs * 1e6, p99


def idle_memory(proc, n, wrap=None):
    """RSS growth per connection after n connections each did one request.
    `wrap` turns a connected socket into another (TLS: a finished
    handshake) before the request."""
    time.sleep(0.5)
    base = rss_kib(proc.p.pid)
    socks = []
    req = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    try:
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", proc.port), timeout=5)
            if wrap:
                s = wrap(s)
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


def interleave(contestants, one, rounds=None):
    """Rounds of ours, peer, ours, peer...: every contestant is started,
    measured by `one(proc)` and stopped in turn; {name: [one's results]}."""
    results = {name: [] for name in contestants}
    for _ in range(rounds or ROUNDS):
        for name, start in contestants.items():
            p = start()
            try:
                results[name].append(one(p))
            finally:
                p.stop()
    return results


def medians(results, i):
    """{name: median of the i-th figure of each round}."""
    return {n: median([r[i] for r in rs]) for n, rs in results.items()}


def spread(results, i, peer="nginx"):
    """How noisy: the lowest and highest ours / peer ratio of the i-th
    figure over the rounds (each round's pair ran back to back)."""
    ratios = [o[i] / p[i] for o, p in zip(results["ours"], results[peer]) if p[i]]
    return f"rounds {min(ratios):.2f}-{max(ratios):.2f}x" if ratios else "n/a"


def build(*args):
    # niced: the machine is shared with builds that should not be starved
    subprocess.run(["nice", "-n", "5", "cargo", "build", "--release", "-q", *args], cwd=ROOT, check=True)


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


# Like nginx's `keepalive_requests 100000000` above (DESIGN.md: high
# enough that wrk never reconnects; the floor never closes): at the
# default 1,000 a pipelined run reconnects every 62 batches, 7% more TCP
# segments per request, which the other servers do not pay.
NO_RECONNECTS = {"KEEP_ALIVE_REQUESTS": "100000000"}


def started(argv_of_port, env=None):
    def start():
        port = free_port()
        return Proc(argv_of_port(port), port, env=env)
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
    build("-p", "brisk-server", "--example", "hello")
    build("-p", "benches", "--example", "floor")
    hello = os.path.join(REL, "examples", "hello")
    floor = os.path.join(REL, "examples", "floor")
    contestants = {
        "ours": started(lambda port: [hello, f"127.0.0.1:{port}"], NO_RECONNECTS),
        "nginx": lambda: start_nginx(tmp, 'location / { default_type text/plain; return 200 "Hello, World!"; }'),
        "floor": started(lambda port: [floor, f"127.0.0.1:{port}"]),
    }
    if os.environ.get("DEFAULT_LIMIT") == "1":
        # Ours at its default of 1,000 requests per connection (wrk reconnects).
        contestants["ours, 1000 per connection"] = started(lambda port: [hello, f"127.0.0.1:{port}"])
    if os.environ.get("FLOOR_DRAIN_READS") == "1":
        # The floor with one more `recvfrom` per batch (see floor.rs).
        contestants["floor, reads to EAGAIN"] = started(
            lambda port: [floor, f"127.0.0.1:{port}"], {"FLOOR_DRAIN_READS": "1"})
    before = baseline_binary(os.path.join("examples", "hello"))
    if before:
        # A build older than the KEEP_ALIVE_REQUESTS variable ignores it.
        contestants["before"] = started(lambda port: [before, f"127.0.0.1:{port}"], NO_RECONNECTS)

    rows = []
    scenarios = [
        ("keep-alive, 50 connections", 0, 50),
        ("pipelined, depth 16", 16, 50),
        ("keep-alive, 1000 connections", 0, 1000),
    ]
    for label, pipeline, conns in scenarios:
        def one(p, pipeline=pipeline, conns=conns):
            check_ok(f"http://127.0.0.1:{p.port}/")
            return measure(p, f"http://127.0.0.1:{p.port}/", pipeline, conns)

        res = interleave(contestants, one)
        med = lambda i: medians(res, i)
        rows.append((f"{label}: requests/s", med(0), lambda v: f"{v:,.0f}"))
        rows.append((f"{label}: requests per server CPU-second", med(1), lambda v: f"{v:,.0f}"))
        # Where the server's time goes: its own code (user) vs the kernel's
        # socket work, which is the same for any server making the same calls.
        rows.append((f"{label}: server user CPU per request", med(2), lambda v: f"{v:.2f} µs"))
        rows.append((f"{label}: server kernel CPU per request", med(3), lambda v: f"{v:.2f} µs"))
        if conns >= 1000:
            rows.append((f"{label}: p99 latency", med(4), lambda v: f"{v:.2f} ms"))

    n = int(os.environ.get("IDLE_CONNS", "5000"))
    floors = [k for k in contestants if k.startswith("floor")]
    mem = interleave({k: v for k, v in contestants.items() if k not in floors}, lambda p: (idle_memory(p, n),))
    idle = medians(mem, 0)
    idle.update({k: 0.0 for k in floors})
    rows.append((f"RSS growth per idle keep-alive connection ({n}; the floor not measured)", idle, lambda v: f"{v:,.0f} B"))
    table("examples/hello vs nginx `return 200` and the floor", contestants, rows)


def file_run(p, scheme, path, size, conns):
    """(requests/s, requests per server CPU-second, bytes/s, the server's
    user and kernel CPU microseconds per request) of one wrk run fetching
    one file."""
    url = f"{scheme}://127.0.0.1:{p.port}{path}"
    check_ok(url, size)
    u0, s0 = cpu_split(p.p.pid)
    argv = ["taskset", "-c", "1", "wrk", "-t1", f"-c{conns}", f"-d{DURATION}", url]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=120).stdout
    u1, s1 = cpu_split(p.p.pid)
    user, system = u1 - u0, s1 - s0
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    tr = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
    scale = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[tr.group(2)]
    reqs = rps * float(DURATION.rstrip("s"))
    if reqs <= 0:
        return rps, 0.0, float(tr.group(1)) * scale, 0.0, 0.0
    per_cpu = reqs / (user + system) if user + system > 0 else float("inf")
    return (rps, per_cpu, float(tr.group(1)) * scale,
            user / reqs * 1e6, system / reqs * 1e6)


def file_rows(label, res):
    med = lambda i: medians(res, i)
    return [
        (f"{label}: requests/s", med(0), lambda v: f"{v:,.0f}"),
        (f"{label}: requests per server CPU-second", med(1), lambda v: f"{v:,.0f}"),
        (f"{label}: throughput", med(2), lambda v: f"{v / 2**20:,.0f} MiB/s"),
        (f"{label}: server user CPU per request", med(3), lambda v: f"{v:.2f} µs"),
        (f"{label}: server kernel CPU per request", med(4), lambda v: f"{v:.2f} µs"),
    ]


def make_docroot(tmp):
    """A folder nginx's worker (user nobody) can read, with 1k.txt and
    10m.bin (mkdtemp makes 0700 folders, and a 403 page is not a file)."""
    docroot = tempfile.mkdtemp(dir=tmp)
    os.chmod(tmp, 0o755)
    os.chmod(docroot, 0o755)
    with open(os.path.join(docroot, "1k.txt"), "wb") as f:
        f.write(b"x" * 1024)
    with open(os.path.join(docroot, "10m.bin"), "wb") as f:
        f.write(os.urandom(10 * 1024 * 1024))
    return docroot


def static_bench(tmp):
    build("-p", "brisk-static", "--bin", "static")
    static = os.path.join(REL, "static")
    docroot = make_docroot(tmp)

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
        res = interleave(dict(contestants), lambda p: file_run(p, "http", path, sizes[path], conns))
        rows += file_rows(label, res)
    table("static --workers 1 vs nginx (sendfile on, access log off, 1 worker)", dict(contestants), rows)


class Certificate:
    """The run's ECDSA P-256 certificate for 127.0.0.1 and localhost,
    made by openssl in `folder` (the run's temporary folder: never kept)."""

    def __init__(self, folder):
        self.cert = os.path.join(folder, "cert.pem")
        self.key = os.path.join(folder, "key.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", self.key, "-out", self.cert],
            check=True, capture_output=True)

    def nginx_directives(self, resume=True):
        # TLS 1.3 only, as the benchmark asks; the session cache as
        # typically configured (nginx's default is none) and tickets on
        # (the default), as ours. Without resumption: neither.
        sessions = "ssl_session_cache shared:SSL:10m;" if resume else "ssl_session_cache off; ssl_session_tickets off;"
        return (f"ssl_certificate {self.cert}; ssl_certificate_key {self.key}; "
                f"ssl_protocols TLSv1.3; {sessions}")

    def env(self, resume=True):
        """What examples/hello reads to serve https."""
        env = {"TLS_CERT": self.cert, "TLS_KEY": self.key}
        if not resume:
            env["TLS_NO_RESUME"] = "1"
        return env

    def flags(self):
        return ["--tls-cert", self.cert, "--tls-key", self.key]

    @staticmethod
    def client():
        """A client context: TLS 1.3, no verification (as wrk)."""
        import ssl

        ctx = ssl._create_unverified_context()
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        return ctx


def tls_handshake(port):
    """(version, cipher suite, "resumes" or "full handshakes") a TLS 1.3
    client gets: the servers must agree. A request first, so that the
    client has the server's session ticket, then a second connection
    offering it."""
    ctx = Certificate.client()
    session = None
    for _ in range(2):
        with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), session=session) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            s.recv(4096)
            session, reused = s.session, s.session_reused
            version, cipher = s.version(), s.cipher()[0]
    return version, cipher, "resumes" if reused else "full handshakes"


def tls_idle_row(hellos):
    """The table row of RSS growth per idle keep-alive TLS connection
    (TLS_IDLE_CONNS of them, 2,000 unless told)."""
    n = int(os.environ.get("TLS_IDLE_CONNS", "2000"))
    ctx = Certificate.client()
    mem = interleave(hellos, lambda p: (idle_memory(p, n, ctx.wrap_socket),))
    return (f"RSS growth per idle keep-alive TLS connection ({n}; {spread(mem, 0)})", medians(mem, 0),
            lambda v: f"{v:,.0f} B")


def tls_hellos(tmp):
    """examples/hello over https and nginx `return 200` with the same
    certificate, (starters with tickets, starters without); "before" too
    when BASELINE names an older build."""
    build("-p", "brisk-server", "--example", "hello")
    hello = os.path.join(REL, "examples", "hello")
    cert = Certificate(tempfile.mkdtemp(dir=tmp))

    def hello_of(binary, resume=True):
        def start():
            port = free_port()
            return Proc([binary, f"127.0.0.1:{port}"], port, env={**cert.env(resume), **NO_RECONNECTS})
        return start

    hello_body = 'location / { default_type text/plain; return 200 "Hello, World!"; }'
    hellos = {
        "ours": hello_of(hello),
        "nginx": lambda: start_nginx(tmp, hello_body, cert),
    }
    # wrk keeps the session of its last connection (SSL_clear) and offers
    # it on the next: with tickets, "Connection: close" mostly resumes.
    # These two send no tickets, so every connection is a full handshake.
    full = {
        "ours": hello_of(hello, resume=False),
        "nginx": lambda: start_nginx(tmp, hello_body, cert, resume=False),
    }
    before = baseline_binary(os.path.join("examples", "hello"))
    if before:
        hellos["before"] = hello_of(before)
        full["before"] = hello_of(before, resume=False)
    return cert, hellos, full


def tls_idle_bench(tmp):
    """Only the idle TLS connection's memory (`compare.py tls-idle`)."""
    _, hellos, _ = tls_hellos(tmp)
    table("TLS 1.3: examples/hello vs nginx `return 200`, idle connections", hellos, [tls_idle_row(hellos)])


def tls_bench(tmp):
    cert, hellos, full = tls_hellos(tmp)
    build("-p", "brisk-static", "--bin", "static")
    static = os.path.join(REL, "static")
    docroot = make_docroot(tmp)

    def static_of(binary):
        return started(lambda port: [binary, "--workers", "1", "--quiet", "--addr", f"127.0.0.1:{port}",
                                     *cert.flags(), docroot])

    statics = {
        "ours": static_of(static),
        "nginx": lambda: start_nginx(tmp, f"location / {{ root {docroot}; }}", cert),
    }
    before = baseline_binary("static")
    if before:
        statics["before"] = static_of(before)

    every = [*hellos.items(), *[(k + ", no tickets", v) for k, v in full.items()],
             *[("static " + k, v) for k, v in statics.items()]]
    for name, start in every:
        p = start()
        try:
            print(f"{name}: {' '.join(tls_handshake(p.port))}")
        finally:
            p.stop()

    rows = []
    scenarios = [
        ("keep-alive, 50 connections", (), hellos),
        ("one request per connection (Connection: close), resumed by wrk", ("Connection: close",), hellos),
        ("one request per connection, full handshakes (no tickets)", ("Connection: close",), full),
    ]
    for label, headers, contestants in scenarios:
        def one(p, headers=headers):
            url = f"https://127.0.0.1:{p.port}/"
            check_ok(url)
            return measure(p, url, 0, 50, headers)

        res = interleave(contestants, one)
        med = lambda i: medians(res, i)
        rows.append((f"{label}: requests/s", med(0), lambda v: f"{v:,.0f}"))
        rows.append((f"{label}: requests per server CPU-second ({spread(res, 1)})", med(1), lambda v: f"{v:,.0f}"))
        rows.append((f"{label}: server user CPU per request", med(2), lambda v: f"{v:.2f} µs"))
        rows.append((f"{label}: server kernel CPU per request", med(3), lambda v: f"{v:.2f} µs"))

    rows.append(tls_idle_row(hellos))
    table("TLS 1.3: examples/hello vs nginx `return 200` (ECDSA P-256, 1 worker)", hellos, rows)

    size = 10 * 1024 * 1024
    res = interleave(statics, lambda p: file_run(p, "https", "/10m.bin", size, 4))
    print(f"10 MiB file throughput, ours / nginx: {spread(res, 2)}")
    table("TLS 1.3: static --workers 1 vs nginx (ECDSA P-256, 1 worker)", statics, file_rows("10 MiB file, 4 connections", res))


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    if which not in ("server", "static", "tls", "tls-idle", "all"):
        sys.exit("usage: compare.py [server|static|tls|tls-idle|all] (fetch vs curl: client_vs_curl.py)")
    for tool in ["wrk", "taskset", "openssl"]:
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
        if which in ("tls", "all"):
            tls_bench(tmp)
        if which == "tls-idle":
            tls_idle_bench(tmp)


if __name__ == "__main__":
    main()
