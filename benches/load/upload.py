#!/usr/bin/env python3
"""Upload throughput: a 1 GiB PUT by curl over loopback into
`static --upload` against nginx `dav_methods PUT` (issue 13).

One worker each, the server pinned to CPU 0 (static's loop thread and its
handler pool share that CPU, as nginx's one worker has it), curl pinned to
CPU 1, rounds interleaved, medians. The source is a sparse file (curl
reads zeros fast); both servers write every byte to a file in a directory
on the same file system and rename it into place (nginx: its
client_body_temp_path beside the root). Each round uploads a new name and
deletes it afterwards; `sync` runs before each upload, so that neither
pays for the other's writeback.

Reported per server: curl's time for the upload (and MiB/s), the ratio to
nginx's time, the server's CPU seconds, and the peak RSS growth of the
server (its process tree, sampled every 10 ms during the upload, over its
RSS just before).

    python3 benches/load/upload.py
    ROUNDS=1 SIZE_MIB=256 python3 benches/load/upload.py    # a smoke run
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (the shared helpers: Proc, nginx, cpu time, rss)

SIZE = int(os.environ.get("SIZE_MIB", "1024")) << 20


def nginx_dav(tmp, root):
    body = f"""
        client_max_body_size 0;
        location / {{
            root {root};
            dav_methods PUT;
            dav_access user:rw group:r all:r;
        }}
    """
    port = compare.free_port()
    d = tempfile.mkdtemp(dir=tmp)
    conf = compare.nginx_conf(d, port, body)
    # nginx's worker runs as an unprivileged user when started as root:
    # it must reach its body temp directory.
    os.chmod(d, 0o755)
    os.chmod(os.path.join(d, "tmp"), 0o777)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    return compare.Proc([nginx, "-p", d, "-c", conf, "-e", os.path.join(d, "error.log")], port)


def ours(root):
    def start():
        port = compare.free_port()
        exe = os.path.join(compare.REL, "static")
        argv = [exe, "-q", "-w", "1", "--upload", "-a", f"127.0.0.1:{port}", root]
        return compare.Proc(argv, port)
    return start


class Peak(threading.Thread):
    """Samples the RSS of a process tree until stopped; keeps the peak."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, compare.rss_kib(pid), threading.Event()

    def run(self):
        while not self.done.is_set():
            self.peak = max(self.peak, compare.rss_kib(self.pid))
            time.sleep(0.01)


def upload(proc, src, root, name):
    """(seconds, RSS growth KiB, server CPU seconds) of one PUT."""
    # Start each upload with no dirty pages from the last one being
    # written back under it.
    os.sync()
    before_rss = compare.rss_kib(proc.p.pid)
    before_cpu = compare.cpu_seconds(proc.p.pid)
    peak = Peak(proc.p.pid)
    peak.start()
    out = subprocess.run(
        ["taskset", "-c", "1", "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
         "-T", src, f"http://127.0.0.1:{proc.port}/{name}"],
        capture_output=True, text=True, timeout=600,
    )
    peak.done.set()
    peak.join()
    cpu = compare.cpu_seconds(proc.p.pid) - before_cpu
    code, secs = out.stdout.split()
    path = os.path.join(root, name)
    if code not in ("201", "204") or os.path.getsize(path) != SIZE:
        raise RuntimeError(f"{name}: status {code}, not a complete upload: not measuring")
    os.unlink(path)
    return float(secs), peak.peak - before_rss, cpu


def main():
    compare.build("-p", "brisk-static")
    tmp = tempfile.mkdtemp(prefix="upload-bench-")
    os.chmod(tmp, 0o755)
    src = os.path.join(tmp, "src.img")
    with open(src, "wb") as f:
        f.truncate(SIZE)
    roots = {}
    for who in ("ours", "nginx"):
        roots[who] = os.path.join(tmp, who)
        os.makedirs(roots[who])
        # nginx's worker runs as an unprivileged user when started as root.
        os.chmod(roots[who], 0o777)
    starts = {"ours": ours(roots["ours"]), "nginx": lambda: nginx_dav(tmp, roots["nginx"])}
    results = {who: [] for who in starts}
    for r in range(compare.ROUNDS):
        for who, start in starts.items():
            proc = start()
            try:
                results[who].append(upload(proc, src, roots[who], f"up-{r}.bin"))
            finally:
                proc.stop()
    med = {who: [compare.median([x[i] for x in rs]) for i in range(3)] for who, rs in results.items()}
    print(f"\n{SIZE >> 20} MiB PUT by curl over loopback, one server worker on CPU 0, "
          f"curl on CPU 1, median of {compare.ROUNDS}\n")
    print("| server | time (s) | MiB/s | time vs nginx | server CPU (s) | peak RSS growth (MiB) |")
    print("|---|---|---|---|---|---|")
    for who in ("ours", "nginx"):
        secs, rss, cpu = med[who]
        label = "static --upload" if who == "ours" else "nginx dav_methods PUT"
        print(f"| {label} | {secs:.2f} | {(SIZE >> 20) / secs:.0f} | {secs / med['nginx'][0]:.2f}x "
              f"| {cpu:.2f} | {rss / 1024:.1f} |")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
