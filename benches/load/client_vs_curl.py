#!/usr/bin/env python3
"""fetch vs curl on loopback, same run, interleaved rounds, medians.

Usage: python3 benches/load/client_vs_curl.py [ROUNDS]     (from any directory)

Builds `fetch` with `cargo build --release` in the workspace (the binary is
taken from $CARGO_TARGET_DIR, default target/, under release/). Starts nginx
(worker pinned to CPU 0) on a temp root with a small file and a 100 MiB
file, then runs, with the client pinned to CPU 1:
  - 1000 keep-alive GETs of the small file in one process (1000 URLs on
    the command line, bodies to /dev/null);
  - one 100 MiB download into each of three sinks: `-o /dev/null`, `-o FILE`
    (a file in a temp directory, removed after each run), and stdout
    through a pipe read by a second process (`wc -c`, pinned to CPU 0 with
    nginx; its count is checked, so a lost byte fails the run);
  - the same four over https (nginx `ssl_protocols TLSv1.3`, an ECDSA P-256
    certificate made here with `openssl req`, trusted with --cacert), and
    100 URLs each on a fresh connection (-H "Connection: close"), which
    is the handshake's cost (both clients resume sessions within a run).
Reports wall time and client CPU time (user+sys); ratios are fetch/curl,
below 1.0 means fetch is faster. Traffic stays on 127.0.0.1.
FETCH=/path/to/fetch measures another build (e.g. a baseline) without
building; ONLY=https runs the workloads whose name contains that text.
"""
import os, resource, shutil, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# cargo runs in ROOT, so a relative CARGO_TARGET_DIR is relative to ROOT too.
TARGET = os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR", "target"))
FETCH = os.environ.get("FETCH") or os.path.join(TARGET, "release", "fetch")
BIG_BYTES = 100 << 20

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    if not os.environ.get("FETCH"):
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "brisk-client", "--bin", "fetch"], cwd=ROOT, check=True)
    curl = shutil.which("curl"); nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    taskset = shutil.which("taskset")
    pin = lambda cpu: [taskset, "-c", str(cpu)] if taskset else []
    d = tempfile.mkdtemp(); os.chmod(d, 0o755)
    root = os.path.join(d, "root"); os.mkdir(root); os.chmod(root, 0o755)
    with open(os.path.join(root, "small.txt"), "wb") as f: f.write(b"x" * 100)
    with open(os.path.join(root, "big.bin"), "wb") as f:
        chunk = os.urandom(1 << 20)
        for _ in range(BIG_BYTES >> 20): f.write(chunk)
    for n in ("small.txt", "big.bin"): os.chmod(os.path.join(root, n), 0o644)
    port = free_port(); tls_port = free_port()
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", key, "-out", cert,
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    conf = f"""daemon off; worker_processes 1; error_log {d}/error.log; pid {d}/nginx.pid;
events {{ worker_connections 256; }}
http {{ access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  client_body_temp_path {d}/b; proxy_temp_path {d}/p; fastcgi_temp_path {d}/f; uwsgi_temp_path {d}/u; scgi_temp_path {d}/s;
  server {{ listen 127.0.0.1:{port}; root {root}; }}
  server {{ listen 127.0.0.1:{tls_port} ssl; root {root}; ssl_protocols TLSv1.3;
    ssl_certificate {cert}; ssl_certificate_key {key}; ssl_session_cache shared:S:1m; }} }}
"""
    open(os.path.join(d, "nginx.conf"), "w").write(conf)
    ng = subprocess.Popen(pin(0) + [nginx, "-p", d, "-c", os.path.join(d, "nginx.conf"), "-e", os.path.join(d, "error.log")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for p in (port, tls_port):
            for _ in range(200):
                try: socket.create_connection(("127.0.0.1", p), 0.1).close(); break
                except OSError: time.sleep(0.05)
        small = f"http://127.0.0.1:{port}/small.txt"; big = f"http://127.0.0.1:{port}/big.bin"
        tsmall = f"https://localhost:{tls_port}/small.txt"; tbig = f"https://localhost:{tls_port}/big.bin"
        # --resolve: localhost is 127.0.0.1 for both, no ::1 attempt first.
        tls = ["--cacert", cert, "--resolve", f"localhost:{tls_port}:127.0.0.1"]
        out_file = os.path.join(d, "out.bin")
        # name -> (arguments, sink): "null" (stdout discarded), "file"
        # (written by -o, removed after), "pipe" (stdout read by wc -c).
        workloads = {
            "1000 keep-alive GETs (100 B)": (["-s"] + [small] * 1000, "null"),
            "100 MiB download, -o /dev/null": (["-s", "-o", "/dev/null", big], "null"),
            "100 MiB download, -o FILE": (["-s", "-o", out_file, big], "file"),
            "100 MiB download, stdout into a pipe": (["-s", big], "pipe"),
            "https: 1000 keep-alive GETs (100 B)": (["-s"] + tls + [tsmall] * 1000, "null"),
            "https: 100 MiB download, -o /dev/null": (["-s"] + tls + ["-o", "/dev/null", tbig], "null"),
            "https: 100 MiB download, -o FILE": (["-s"] + tls + ["-o", out_file, tbig], "file"),
            "https: 100 MiB download, stdout into a pipe": (["-s"] + tls + [tbig], "pipe"),
            "https: 100 URLs, a fresh connection each": (["-s", "-H", "Connection: close"] + tls + [tsmall] * 100, "null"),
        }
        only = os.environ.get("ONLY")
        if only:
            workloads = {w: v for w, v in workloads.items() if only in w}
        results = {w: {"fetch": [], "curl": []} for w in workloads}
        for _ in range(rounds):
            for w, (args, sink) in workloads.items():
                for name, binary in (("fetch", FETCH), ("curl", curl)):
                    results[w][name].append(run_client(pin, name, [binary] + args, sink, out_file))
        print(f"| workload ({rounds} rounds, medians) | fetch wall | curl wall | wall ratio | fetch CPU | curl CPU | CPU ratio |")
        print("|---|---|---|---|---|---|---|")
        for w in workloads:
            fw = statistics.median(x[0] for x in results[w]["fetch"]); cw = statistics.median(x[0] for x in results[w]["curl"])
            fc = statistics.median(x[1] for x in results[w]["fetch"]); cc = statistics.median(x[1] for x in results[w]["curl"])
            print(f"| {w} | {fw*1000:.1f} ms | {cw*1000:.1f} ms | {fw/cw:.2f} | {fc*1000:.1f} ms | {cc*1000:.1f} ms | {fc/cc:.2f} |")
    finally:
        ng.terminate(); ng.wait(timeout=5); shutil.rmtree(d, ignore_errors=True)

def run_client(pin, name, cmd, sink, out_file):
    """Runs one client invocation; returns (wall, client CPU) in seconds.
    CPU is the client's alone: RUSAGE_CHILDREN also counts the pipe's
    reader, so the client is waited for on its own with os.wait4."""
    reader = None
    t0 = time.perf_counter()
    if sink == "pipe":
        reader = subprocess.Popen(pin(0) + ["wc", "-c"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        client = subprocess.Popen(pin(1) + cmd, stdout=reader.stdin, stderr=subprocess.PIPE)
        reader.stdin.close()
    else:
        client = subprocess.Popen(pin(1) + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = client.stderr.read()
    _, status, usage = os.wait4(client.pid, 0)
    client.returncode = os.waitstatus_to_exitcode(status)
    counted = reader.stdout.read() if reader else None
    if reader:
        reader.wait()
    wall = time.perf_counter() - t0
    if client.returncode != 0:
        sys.exit(f"{name} failed ({client.returncode}): {err.decode()[:300]}")
    if sink == "pipe" and int(counted.split()[0]) != BIG_BYTES:
        sys.exit(f"{name} wrote {counted.decode().strip()} bytes into the pipe, not {BIG_BYTES}")
    if sink == "file":
        size = os.path.getsize(out_file)
        os.remove(out_file)
        if size != BIG_BYTES:
            sys.exit(f"{name} wrote {size} bytes to the file, not {BIG_BYTES}")
    return wall, usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
