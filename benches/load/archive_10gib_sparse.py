#!/usr/bin/env python3
"""Issue 25's 10 GiB archive case, run by hand (too slow for CI, whose
automated test, static/tests/archive_sparse_gib_tree_in_bounded_memory.rs,
covers 4.3 GiB).

    python3 benches/load/archive_10gib_sparse.py [GIB]     # default 10

Makes a sparse tree of GIB GiB in a temporary directory (one file of
GIB - 4 GiB past 4 GiB so zip needs ZIP64 sizes, four of 1 GiB, 1,000
small files of 1 KiB: almost no disk), serves it with the release
`static --archives` (built if missing; CARGO_TARGET_DIR honoured; pinned
to CPU 0), and streams `?download=tar` and `?download=zip` from curl into
checkers (pinned to CPU 1), never to disk:

- tar: `tar -t` (through tee) and Python's `tarfile` in stream mode: every
  member's name and size against the tree, marks written among the holes
  at known offsets, every byte read;
- zip: a streaming reader written here (zip cannot be read from a pipe by
  `unzip` or `zipfile`; the CI test checks those on a 4.3 GiB sparse
  copy): local headers in order, each member's bytes (marks checked,
  CRC-32 computed) against its data descriptor, then the central
  directory (offsets, CRCs, sizes) and the (ZIP64) end records.

Reported per format: bytes, seconds, MiB/s, and the server's RSS before,
its peak during the download (sampled every 20 ms), and the growth; the
contract is a growth under 16 MiB.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
STATIC = os.path.join(TARGET, "release", "static")
GIB = int(sys.argv[1]) if len(sys.argv) > 1 else 10
SMALL_FILES = 1000
RSS_GROWTH_MAX_MIB = 16
BLOCK = 4 << 20


def layout():
    """{relative name: size} of the tree."""
    files = {"big.img": ((GIB - 4) << 30) + 3}
    for i in range(4):
        files[f"sub/part{i}.img"] = 1 << 30
    for i in range(SMALL_FILES):
        files[f"many/f{i:04}.txt"] = 1024
    return files


def marks(size):
    """(offset, 4 bytes) written into a file of `size`, in order, distinct."""
    at = sorted({a for a in (0, 1 << 20, size // 2 + 1, (4 << 30) + 1, size - 4) if a + 4 <= size})
    return [(a, b"%04x" % (a & 0xFFFF)) for a in at]


def make_tree(root, files):
    for name, size in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.truncate(size)
            for at, mark in marks(size):
                f.seek(at)
                f.write(mark)


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass  # the server has gone (the sampler outlived a failed run)
    return 0


class RssPeak:
    """Samples a process's RSS every 20 ms until stopped."""

    def __init__(self, pid):
        self.pid, self.peak, self.done = pid, rss_kib(pid), False
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self):
        while not self.done:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.02)

    def stop(self):
        self.done = True
        self.thread.join()
        return self.peak


class Stream:
    """Exact reads from a pipe, with a running count."""

    def __init__(self, f):
        self.f, self.pos = f, 0

    def read(self, n):
        parts, left = [], n
        while left:
            b = self.f.read(min(left, BLOCK))
            if not b:
                raise AssertionError(f"stream ended at {self.pos + n - left}, {left} bytes short")
            parts.append(b)
            left -= len(b)
        self.pos += n
        return b"".join(parts)

    def member(self, name, size, want_marks):
        """Reads a member's `size` bytes, checking its marks; its CRC-32."""
        crc, pos = 0, 0
        for at, mark in want_marks + [(size, None)]:
            while pos < at:
                b = self.read(min(BLOCK, at - pos))
                crc = zlib.crc32(b, crc)
                pos += len(b)
            if mark is not None:
                b = self.read(4)
                assert b == mark, (name, at, b, mark)
                crc = zlib.crc32(b, crc)
                pos += 4
        return crc


def check_zip(f, top, files):
    s = Stream(f)
    want = dict(files)
    local = {}  # name -> (offset, crc, size)
    while True:
        offset = s.pos
        sig = struct.unpack("<I", s.read(4))[0]
        if sig != 0x04034B50:
            break
        (_, flags, method, _, _, _, _, _, nlen, xlen) = struct.unpack("<HHHHHIIIHH", s.read(26))
        name = s.read(nlen).decode()
        extra = s.read(xlen)
        # Stored, UTF-8 names; files carry data descriptors (bit 3).
        assert method == 0 and flags & 0x800, (name, method, flags)
        zip64 = any(tag == 1 for tag in extra_tags(extra))
        rel = name[len(top) + 1:] if name.startswith(top + "/") else None
        assert rel is not None, name
        if name.endswith("/"):
            size, crc = 0, 0
        else:
            size = want.pop(rel)
            crc = s.member(rel, size, marks(size))
        if flags & 8:
            assert struct.unpack("<I", s.read(4))[0] == 0x08074B50, name
            fmt = "<IQQ" if zip64 else "<III"
            dcrc, csize, usize = struct.unpack(fmt, s.read(struct.calcsize(fmt)))
            assert (dcrc, csize, usize) == (crc, size, size), (name, dcrc, crc, csize, usize, size)
        local[name] = (offset, crc, size)
    assert not want, ("missing", sorted(want)[:5])
    cd_offset, entries = s.pos - 4, 0
    while sig == 0x02014B50:
        fields = struct.unpack("<HHHHHHIIIHHHHHII", s.read(42))
        crc, csize, usize, nlen, xlen, clen, offset = fields[6], fields[7], fields[8], fields[9], fields[10], fields[11], fields[15]
        name = s.read(nlen).decode()
        extra = s.read(xlen)
        s.read(clen)
        z = extra_tags(extra).get(1, b"")
        vals = list(struct.unpack("<%dQ" % (len(z) // 8), z))
        if usize == 0xFFFFFFFF:
            usize = vals.pop(0)
        if csize == 0xFFFFFFFF:
            csize = vals.pop(0)
        if offset == 0xFFFFFFFF:
            offset = vals.pop(0)
        assert local.pop(name) == (offset, crc, usize) and csize == usize, name
        entries += 1
        sig = struct.unpack("<I", s.read(4))[0]
    assert not local, ("not in the central directory", list(local)[:5])
    if sig == 0x06064B50:
        n = struct.unpack("<Q", s.read(8))[0]
        z = s.read(n)
        total, cd_size, off = struct.unpack("<QQQ", z[20:44])
        assert (total, off) == (entries, cd_offset), (total, entries, off, cd_offset)
        assert struct.unpack("<I", s.read(4))[0] == 0x07064B50
        s.read(16)
        sig = struct.unpack("<I", s.read(4))[0]
    assert sig == 0x06054B50, hex(sig)
    s.read(18)
    assert f.read(1) == b"", "bytes after the end record"
    return s.pos, entries


def extra_tags(extra):
    tags, i = {}, 0
    while i + 4 <= len(extra):
        tag, n = struct.unpack("<HH", extra[i:i + 4])
        tags[tag] = extra[i + 4:i + 4 + n]
        i += 4 + n
    return tags


def check_tar(f, top, files):
    import tarfile
    want = dict(files)
    dirs = 0
    counted = Counter(f)
    with tarfile.open(fileobj=counted, mode="r|", bufsize=1 << 20) as t:
        for m in t:
            if m.isdir():
                dirs += 1
                continue
            rel = m.name[len(top) + 1:]
            size = want.pop(rel)
            assert m.size == size, (rel, m.size, size)
            Stream(t.extractfile(m)).member(rel, size, marks(size))
    assert not want, ("missing", sorted(want)[:5])
    while counted.read(BLOCK):
        pass
    return counted.pos, len(files) + dirs


class Counter:
    """A reader that counts what passes."""

    def __init__(self, f):
        self.f, self.pos = f, 0

    def read(self, n=-1):
        b = self.f.read(n)
        self.pos += len(b)
        return b


class Tee:
    """A reader that also writes what it reads into `sink` (tar -t's stdin)."""

    def __init__(self, f, sink):
        self.f, self.sink = f, sink

    def read(self, n=-1):
        b = self.f.read(n)
        self.sink.write(b)
        return b


def download(url, fmt, top, files, pid, tmp):
    """Streams one archive into its checker; (bytes, seconds, RSS before
    and its peak growth in KiB, entries)."""
    curl = ["taskset", "-c", "1", "curl", "-sS", "--fail", "--max-time", "3600", f"{url}?download={fmt}"]
    before = rss_kib(pid)
    peak = RssPeak(pid)
    t0 = time.monotonic()
    p = subprocess.Popen(curl, stdout=subprocess.PIPE)
    if fmt == "tar":
        listing = os.path.join(tmp, "tar-t.txt")
        with open(listing, "w") as out:
            tar_t = subprocess.Popen(["taskset", "-c", "1", "tar", "-tf", "-"], stdin=subprocess.PIPE, stdout=out)
            size, entries = check_tar(Tee(p.stdout, tar_t.stdin), top, files)
            tar_t.stdin.close()
            assert tar_t.wait() == 0, "tar -t failed"
        with open(listing) as f:
            listed = sum(1 for _ in f)
        assert listed == entries, ("tar -t listed", listed, entries)
    else:
        size, entries = check_zip(p.stdout, top, files)
    assert p.wait() == 0, f"curl exited with {p.returncode}"
    secs = time.monotonic() - t0
    growth = peak.stop() - before
    return size, secs, before, growth, entries


def main():
    if not os.path.exists(STATIC):
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "brisk-static"], cwd=ROOT, check=True)
    tmp = tempfile.mkdtemp(prefix="archive10g-")
    try:
        top = "sparse"
        root = os.path.join(tmp, top)
        files = layout()
        make_tree(root, files)
        du = subprocess.run(["du", "-sk", root], capture_output=True, text=True).stdout.split()[0]
        print(f"tree: {len(files)} files, {sum(files.values()) / (1 << 30):.2f} GiB apparent, {int(du) // 1024} MiB on disk")
        server = subprocess.Popen(["taskset", "-c", "0", STATIC, "-q", "-w", "1", "--archives", "-a", "127.0.0.1:0", root],
                                  stdout=subprocess.PIPE, text=True)
        try:
            url = server.stdout.readline().strip().rsplit(" at ", 1)[1]
            print("| format | archive bytes | seconds | MiB/s | server RSS before | peak growth |")
            print("|---|---|---|---|---|---|")
            worst = 0
            for fmt in ("tar", "zip"):
                size, secs, before, growth, entries = download(url, fmt, top, files, server.pid, tmp)
                worst = max(worst, growth)
                print(f"| {fmt} | {size:,} ({entries} entries) | {secs:.1f} | {size / secs / (1 << 20):.0f} "
                      f"| {before / 1024:.1f} MiB | {growth / 1024:.2f} MiB |", flush=True)
            verdict = "within" if worst < RSS_GROWTH_MAX_MIB * 1024 else "OVER"
            print(f"\nRSS growth {verdict} the {RSS_GROWTH_MAX_MIB} MiB bound; both archives checked ({GIB} GiB tree)")
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
