#!/usr/bin/env python3
"""WebDAV PROPFIND: Depth 1 of a directory of 10,000 files, `static
--webdav` against Apache's mod_dav (Debian `apache2`, one process: `-X`),
requests per server CPU-second (issue 25).

Both serve the same tree; one process each pinned to CPU 0 (static with one
worker; its handler pool shares the CPU), wrk pinned to CPU 1 sending
`PROPFIND` with `Depth: 1` and the five properties file managers ask for
(resourcetype, getcontentlength, getlastmodified, getetag,
getcontenttype), over 4 keep-alive connections. Each answer is checked
first: 207 with one response per file and one for the directory. Rounds
interleave, medians; the server's CPU is its utime+stime from /proc.

    python3 benches/load/propfind.py
    ROUNDS=1 FILES=1000 python3 benches/load/propfind.py    # a smoke run
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (the shared helpers: Proc, cpu time, medians)

FILES = int(os.environ.get("FILES", "10000"))
CONNS = 4
BODY = ('<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop>'
        '<D:resourcetype/><D:getcontentlength/><D:getlastmodified/><D:getetag/>'
        '<D:getcontenttype/></D:prop></D:propfind>')
LUA = f"""wrk.method = "PROPFIND"
wrk.headers["Depth"] = "1"
wrk.headers["Content-Type"] = "application/xml"
wrk.body = '{BODY}'
"""


def apache(tmp, root):
    port = compare.free_port()
    d = tempfile.mkdtemp(dir=tmp)
    os.chmod(d, 0o777)  # the lock database, written by the unprivileged child
    mods = "/usr/lib/apache2/modules"
    conf = os.path.join(d, "apache2.conf")
    with open(conf, "w") as f:
        f.write(f"""ServerRoot {d}
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {d}/httpd.pid
ErrorLog {d}/error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module {mods}/mod_mpm_event.so
LoadModule authz_core_module {mods}/mod_authz_core.so
LoadModule mime_module {mods}/mod_mime.so
LoadModule dav_module {mods}/mod_dav.so
LoadModule dav_fs_module {mods}/mod_dav_fs.so
TypesConfig /etc/mime.types
KeepAliveTimeout 60
MaxKeepAliveRequests 0
DavLockDB {d}/davlock
DocumentRoot {root}
<Directory {root}>
    Dav On
    Require all granted
</Directory>
""")
    apache2 = shutil.which("apache2") or "/usr/sbin/apache2"
    return compare.Proc([apache2, "-X", "-f", conf], port, env={"APACHE_RUN_DIR": d})


def ours(root):
    port = compare.free_port()
    exe = os.path.join(compare.REL, "static")
    return compare.Proc([exe, "-q", "-w", "1", "--webdav", "-a", f"127.0.0.1:{port}", root], port)


def check(port):
    """The answer is a whole listing, or the run is void."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", data=BODY.encode(), method="PROPFIND",
                                 headers={"Depth": "1", "Content-Type": "application/xml"})
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read().decode()
    responses = len(re.findall(r"<(?:\w+:)?response\b", body))
    if r.status != 207 or responses != FILES + 1:
        raise RuntimeError(f"port {port}: status {r.status}, {responses} responses: not measuring")
    return len(body)


def run(proc, lua):
    size = check(proc.port)
    u0, s0 = compare.cpu_split(proc.p.pid)
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", f"-c{CONNS}", f"-d{compare.DURATION}",
                          "-s", lua, f"http://127.0.0.1:{proc.port}/"],
                         capture_output=True, text=True, timeout=300).stdout
    u1, s1 = compare.cpu_split(proc.p.pid)
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not m or "Non-2xx" in out:
        raise RuntimeError(f"wrk: {out}")
    rps = float(m.group(1))
    reqs = rps * float(compare.DURATION.rstrip("s"))
    cpu = (u1 - u0) + (s1 - s0)
    return rps, reqs / cpu if cpu > 0 else float("inf"), size


def main():
    compare.build("-p", "brisk-static")
    tmp = tempfile.mkdtemp(prefix="propfind-bench-")
    os.chmod(tmp, 0o755)
    root = os.path.join(tmp, "tree")
    os.makedirs(root)
    for i in range(FILES):
        with open(os.path.join(root, f"file-{i:05}.txt"), "w") as f:
            f.write("x" * (i % 4096))
    lua = os.path.join(tmp, "propfind.lua")
    with open(lua, "w") as f:
        f.write(LUA)
    starts = {"static --webdav": lambda: ours(root), "apache2 mod_dav": lambda: apache(tmp, root)}
    results = {who: [] for who in starts}
    for _ in range(compare.ROUNDS):
        for who, start in starts.items():
            proc = start()
            try:
                results[who].append(run(proc, lua))
            finally:
                proc.stop()
    print(f"\nPROPFIND Depth 1 of {FILES} files (5 named properties), one server process on CPU 0, "
          f"wrk -c{CONNS} on CPU 1, {compare.DURATION} x {compare.ROUNDS} rounds, medians\n")
    print("| server | requests/s | requests per server CPU-second | vs apache2 | answer (KiB) |")
    print("|---|---|---|---|---|")
    peer = compare.median([r[1] for r in results["apache2 mod_dav"]])
    for who, rs in results.items():
        rps = compare.median([r[0] for r in rs])
        per_cpu = compare.median([r[1] for r in rs])
        print(f"| {who} | {rps:.1f} | {per_cpu:.1f} | {per_cpu / peer:.2f}x | {rs[0][2] / 1024:.0f} |")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
