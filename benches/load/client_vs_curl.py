#!/usr/bin/env python3
"""fetch vs curl on loopback, same run, interleaved rounds, medians.

Usage: python3 benches/load/client_vs_curl.py [ROUNDS]     (from any directory)

Builds `fetch` with `cargo build --release` in the workspace (the binary is
taken from $CARGO_TARGET_DIR, default target/, under release/). Starts nginx
(worker pinned to CPU 0) on a temp root with a small file and a 100 MiB
file, then runs, with the client pinned to CPU 1:
  - 1000 keep-alive GETs of the small file in one process (1000 URLs on
    the command line, bodies to /dev/null);
  - one 100 MiB download to /dev/null.
Reports wall time and client CPU time (user+sys); ratios are fetch/curl,
below 1.0 means fetch is faster. Traffic stays on 127.0.0.1.
"""
import os, resource, shutil, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# cargo runs in ROOT, so a relative CARGO_TARGET_DIR is relative to ROOT too.
TARGET = os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR", "target"))
FETCH = os.path.join(TARGET, "release", "fetch")

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "http-client", "--bin", "fetch"], cwd=ROOT, check=True)
    curl = shutil.which("curl"); nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    taskset = shutil.which("taskset")
    pin = lambda cpu: [taskset, "-c", str(cpu)] if taskset else []
    d = tempfile.mkdtemp(); os.chmod(d, 0o755)
    root = os.path.join(d, "root"); os.mkdir(root); os.chmod(root, 0o755)
    with open(os.path.join(root, "small.txt"), "wb") as f: f.write(b"x" * 100)
    with open(os.path.join(root, "big.bin"), "wb") as f:
        chunk = os.urandom(1 << 20)
        for _ in range(100): f.write(chunk)
    for n in ("small.txt", "big.bin"): os.chmod(os.path.join(root, n), 0o644)
    port = free_port()
    conf = f"""daemon off; worker_processes 1; error_log {d}/error.log; pid {d}/nginx.pid;
events {{ worker_connections 256; }}
http {{ access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  client_body_temp_path {d}/b; proxy_temp_path {d}/p; fastcgi_temp_path {d}/f; uwsgi_temp_path {d}/u; scgi_temp_path {d}/s;
  server {{ listen 127.0.0.1:{port}; root {root}; }} }}
"""
    open(os.path.join(d, "nginx.conf"), "w").write(conf)
    ng = subprocess.Popen(pin(0) + [nginx, "-p", d, "-c", os.path.join(d, "nginx.conf"), "-e", os.path.join(d, "error.log")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try: socket.create_connection(("127.0.0.1", port), 0.1).close(); break
            except OSError: time.sleep(0.05)
        small = f"http://127.0.0.1:{port}/small.txt"; big = f"http://127.0.0.1:{port}/big.bin"
        workloads = {
            "1000 keep-alive GETs (100 B)": ["-s"] + [small] * 1000,
            "100 MiB download": ["-s", "-o", "/dev/null", big],
        }
        results = {w: {"fetch": [], "curl": []} for w in workloads}
        for _ in range(rounds):
            for w, args in workloads.items():
                for name, binary in (("fetch", FETCH), ("curl", curl)):
                    before = resource.getrusage(resource.RUSAGE_CHILDREN)
                    t0 = time.perf_counter()
                    r = subprocess.run(pin(1) + [binary] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                    wall = time.perf_counter() - t0
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    if r.returncode != 0:
                        sys.exit(f"{name} failed ({r.returncode}): {r.stderr.decode()[:300]}")
                    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                    results[w][name].append((wall, cpu))
        print(f"| workload ({rounds} rounds, medians) | fetch wall | curl wall | wall ratio | fetch CPU | curl CPU | CPU ratio |")
        print("|---|---|---|---|---|---|---|")
        for w in workloads:
            fw = statistics.median(x[0] for x in results[w]["fetch"]); cw = statistics.median(x[0] for x in results[w]["curl"])
            fc = statistics.median(x[1] for x in results[w]["fetch"]); cc = statistics.median(x[1] for x in results[w]["curl"])
            print(f"| {w} | {fw*1000:.1f} ms | {cw*1000:.1f} ms | {fw/cw:.2f} | {fc*1000:.1f} ms | {cc*1000:.1f} ms | {fc/cc:.2f} |")
    finally:
        ng.terminate(); ng.wait(timeout=5); shutil.rmtree(d, ignore_errors=True)

if __name__ == "__main__":
    main()
