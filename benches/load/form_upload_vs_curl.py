#!/usr/bin/env python3
"""`fetch -F file=@BIG` vs `curl -F file=@BIG` on loopback: client CPU and
peak RSS, same run, interleaved rounds, medians.

Usage: python3 benches/load/form_upload_vs_curl.py [ROUNDS] [GIB]   (default 5, 1)

The file is sparse (GIB GiB of holes: no disk used, reads cost no I/O; read
once before the rounds, as the first read fills the page cache) and
the receiving server discards the body as it arrives (Python, recv_into a
fixed buffer, pinned to CPU 0), so the run needs no disk space. The client
is pinned to CPU 1 and waited for with os.wait4: its user+sys CPU and its
peak RSS (ru_maxrss) are the figures. A streamed upload keeps RSS flat
whatever the size: run with GIB=2 for the 2 GiB check. Every byte is
counted by the server (a short body fails the run). FETCH=/path/to/fetch
measures another build without building. Traffic stays on 127.0.0.1.
"""
import os, shutil, socket, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR", "target"))
FETCH = os.environ.get("FETCH") or os.path.join(TARGET, "release", "fetch")

SERVER = r'''
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
buf = bytearray(1 << 20); view = memoryview(buf)
while True:
    c, _ = s.accept()
    head = b""
    while b"\r\n\r\n" not in head:
        head += c.recv(65536)
    h, rest = head.split(b"\r\n\r\n", 1)
    length = next(int(l.split(b":")[1]) for l in h.split(b"\r\n") if l.lower().startswith(b"content-length:"))
    if b"100-continue" in h.lower():
        c.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    got = len(rest)
    while got < length:
        n = c.recv_into(view)
        if n == 0: break
        got += n
    body = str(got).encode()
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
    c.close()
'''

def hwm_mib(pid):
    """The process's peak RSS so far (VmHWM: of its own memory since exec;
    wait4's ru_maxrss would include the Python parent's at fork)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0

def run(pin, cmd):
    """Runs the client; (cpu seconds, peak RSS MiB, stdout)."""
    p = subprocess.Popen(pin + cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out, peak, done = [], [0.0], threading.Event()
    t = threading.Thread(target=lambda: out.append(p.stdout.read())); t.start()
    def watch():
        # VmHWM only grows: the last reading before the exit is the peak
        # but for what the final 20 ms added.
        while not done.is_set():
            peak[0] = max(peak[0], hwm_mib(p.pid)); time.sleep(0.02)
    w = threading.Thread(target=watch); w.start()
    _, status, usage = os.wait4(p.pid, 0)
    done.set()
    p.returncode = os.waitstatus_to_exitcode(status)
    t.join(); w.join()
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {status}")
    return usage.ru_utime + usage.ru_stime, peak[0], out[0]

def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    gib = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    if not os.environ.get("FETCH"):
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "brisk-client", "--bin", "fetch"], cwd=ROOT, check=True)
    taskset = shutil.which("taskset")
    pin = lambda cpu: [taskset, "-c", str(cpu)] if taskset else []
    d = tempfile.mkdtemp()
    big = os.path.join(d, "big.bin")
    with open(big, "wb") as f:
        f.truncate(gib << 30)
    # The first read of the holes fills the page cache with zero pages (no
    # disk); done here, so that no client's first round pays for it.
    with open(big, "rb") as f:
        while f.read(1 << 20):
            pass
    server = subprocess.Popen(pin(0) + [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline())
    url = f"http://127.0.0.1:{port}/upload"
    results = {"fetch": [], "curl": []}
    try:
        for _ in range(rounds):
            for name, binary in (("fetch", FETCH), ("curl", shutil.which("curl"))):
                cpu, rss, out = run(pin(1), [binary, "-s", "-F", f"file=@{big}", url])
                # The body is the file plus the multipart framing.
                if int(out) < gib << 30:
                    sys.exit(f"{name}: server got {int(out)} bytes")
                results[name].append((cpu, rss))
    finally:
        server.kill(); server.wait(); shutil.rmtree(d)
    med = lambda name, i: statistics.median(r[i] for r in results[name])
    print(f"-F upload of a {gib} GiB sparse file, {rounds} rounds, medians")
    for name in results:
        print(f"  {name:5}  cpu {med(name, 0):.2f} s  peak RSS {med(name, 1):.1f} MiB"
              f"  (cpu per round: {', '.join(f'{r[0]:.2f}' for r in results[name])})")
    print(f"  cpu ratio fetch/curl {med('fetch', 0) / med('curl', 0):.2f}")

if __name__ == "__main__":
    main()
