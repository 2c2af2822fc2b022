#!/usr/bin/env python3
"""Directory archives: `static --archives` streaming a 1 GiB tree of 1 MiB
files as tar (and zip, tar.gz) over loopback, against GNU tar writing
the same tree (issue 25).

The tree is made once (random bytes, so every byte is read and nothing
compresses) and read from the page cache by every contestant: warm
caches on both sides, the fair comparison on a shared machine where
dropping caches would hurt everyone else. Rounds interleave, medians.

- tar > /dev/null:  `tar -cf - DIR > /dev/null`, the command the issue
                    names. GNU tar notices that its archive is /dev/null
                    and does not read the files' contents (`dev_null_output`
                    in its src/create.c), so this is the cost of walking
                    the tree, not a ceiling.
- tar | cat:        `tar -cf - DIR | cat > /dev/null`: every byte read and
                    written to a pipe, the honest ceiling for a tar stream.
- tar -b 2048 | cat: the same with 1 MiB records (tar's default is 10 KiB,
                    a pipe write each).
- ours tar/zip/tgz: static -w 1 pinned to CPU 0, `curl -o /dev/null
                    URL?download=FORMAT` pinned to CPU 1 (tar pinned to 0,
                    cat to 1 likewise).

Reported: wall seconds, MiB/s of tree data, the ratio to `tar | cat`, and
the server's CPU seconds (ours) or tar's (from its process times).

    python3 benches/load/archive.py
    ROUNDS=1 SIZE_MIB=256 python3 benches/load/archive.py    # a smoke run
    GZIP=1 python3 benches/load/archive.py    # tar_gz too (slow: gzip -1)
"""

import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (the shared helpers: Proc, cpu time, medians)

SIZE_MIB = int(os.environ.get("SIZE_MIB", "1024"))
FILE_BYTES = 1 << 20
PER_DIR = 64
TARS = {"tar > /dev/null": "null", "tar | cat": "pipe", "tar -b 2048 | cat": "pipe-1m"}


def make_tree(root):
    """SIZE_MIB files of 1 MiB, 64 to a directory."""
    for i in range(SIZE_MIB):
        d = os.path.join(root, f"d{i // PER_DIR:03}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i:05}.bin"), "wb") as f:
            f.write(os.urandom(FILE_BYTES))


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def tar_run(root, how):
    """(seconds, tar's and cat's CPU seconds) of one tar of the tree, its
    output to /dev/null (`null`), or through cat (`pipe`: 10 KiB records,
    tar's default; `pipe-1m`: 1 MiB records, -b 2048)."""
    parent, name = os.path.split(root)
    tar = f"taskset -c 0 tar -cf - -C {parent} {name}"
    cmd = {
        "null": f"{tar} > /dev/null",
        "pipe": f"{tar} | taskset -c 1 cat > /dev/null",
        "pipe-1m": f"{tar} -b 2048 | taskset -c 1 cat > /dev/null",
    }[how]
    cpu = children_cpu()
    t = time.monotonic()
    subprocess.run(["bash", "-o", "pipefail", "-c", cmd], check=True)
    return time.monotonic() - t, children_cpu() - cpu


def ours(root):
    """static -w 1 --archives on the tree, pinned to CPU 0."""
    port = compare.free_port()
    exe = os.path.join(compare.REL, "static")
    argv = [exe, "-q", "-w", "1", "--archives", "-a", f"127.0.0.1:{port}", root]
    return compare.Proc(argv, port)


def download(proc, fmt):
    """(seconds, server CPU seconds) of one archive download."""
    url = f"http://127.0.0.1:{proc.port}/?download={fmt}"
    cpu = compare.cpu_seconds(proc.p.pid)
    t = time.monotonic()
    out = subprocess.run(
        ["taskset", "-c", "1", "curl", "-sS", "--fail", "-o", "/dev/null", "-w", "%{size_download}", url],
        check=True, capture_output=True, text=True,
    )
    elapsed = time.monotonic() - t
    if int(out.stdout) < SIZE_MIB * FILE_BYTES:
        sys.exit(f"{fmt}: only {out.stdout} bytes: the run is void")
    return elapsed, compare.cpu_seconds(proc.p.pid) - cpu


def one(root, name):
    """One measurement of the contestant `name`."""
    if name in TARS:
        return tar_run(root, TARS[name])
    proc = ours(root)
    try:
        return download(proc, name.split()[-1])
    finally:
        proc.stop()


def main():
    compare.build("-p", "brisk-static")
    formats = ["tar", "zip"] + (["tar_gz"] if os.environ.get("GZIP") else [])
    names = list(TARS) + [f"ours {f}" for f in formats]
    results = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="archive-bench-") as tmp:
        root = os.path.join(tmp, "tree")
        make_tree(root)
        tar_run(root, "pipe")  # warm the page cache
        for _ in range(compare.ROUNDS):
            for name in names:
                results[name].append(one(root, name))
    secs = compare.medians(results, 0)
    cpu = compare.medians(results, 1)
    ceiling = secs["tar | cat"]
    print(f"\n### Archive of a {SIZE_MIB} MiB tree of 1 MiB files ({compare.ROUNDS} rounds, medians)\n")
    print("| contestant | seconds | MiB/s | rate vs `tar \\| cat` | CPU seconds (server, or tar and cat) |")
    print("|---|---|---|---|---|")
    for name in names:
        cell = name.replace("|", "\\|")
        print(f"| {cell} | {secs[name]:.2f} | {SIZE_MIB / secs[name]:.0f} | {ceiling / secs[name]:.2f}x | {cpu[name]:.2f} |")


if __name__ == "__main__":
    main()
