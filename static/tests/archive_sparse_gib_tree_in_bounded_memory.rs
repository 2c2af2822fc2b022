//! `?download=tar` and `?download=zip` of a tree of sparse files (4.3 GiB
//! in all, one file past 4 GiB, so the zip needs ZIP64) stream in bounded
//! memory: the server's RSS grows by less than 16 MiB. The tar goes
//! straight from curl into Python's `tarfile` (stream mode); the zip is
//! saved as a sparse file and checked by `unzip -t` and Python's `zipfile`
//! (CRC-32 of every member);
//! both against the files' sizes and marks written among their holes.
mod common;
use common::archive::*;
use common::*;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::process::Command;

const BIG: u64 = (4 << 30) + (256 << 20) + 3;
const SMALL: u64 = 5 << 20;
const RSS_GROWTH_MAX_MIB: u64 = 16;

/// (name, size) of the files, each with marks at a few offsets.
const FILES: [(&str, u64); 3] = [("big.img", BIG), ("sub/small.img", SMALL), ("sub/tiny", 10)];

/// Four bytes at each offset (its low hex digits), in order, distinct.
fn marks(size: u64) -> Vec<(u64, String)> {
    let mut at: Vec<u64> = [0, 1 << 20, size / 2 + 1, (4 << 30) + 1, size - 4]
        .into_iter()
        .filter(|&at| at + 4 <= size)
        .collect();
    at.sort();
    at.dedup();
    at.into_iter()
        .map(|at| (at, format!("{:04x}", at & 0xffff)))
        .collect()
}

fn make_tree(root: &Path) {
    for (name, size) in FILES {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(size).unwrap();
        for (at, mark) in marks(size) {
            f.write_all_at(mark.as_bytes(), at).unwrap();
        }
    }
}

/// Checks the members' sizes and marks, reading every byte (so zipfile
/// checks every CRC); the archive comes from stdin (tar) or a file (zip).
const CHECK_PY: &str = r#"
import json, sys, tarfile, zipfile
fmt, top, want = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
BLOCK = 4 << 20

def check(name, f, size):
    spec = want.pop(name)
    assert size == spec["size"], (name, size)
    pos = 0
    for at, mark in sorted(spec["marks"]):
        while pos < at:
            got = len(f.read(min(BLOCK, at - pos)))
            assert got, (name, "short at", pos)
            pos += got
        assert f.read(4) == mark.encode(), (name, at)
        pos += 4
    while True:
        got = len(f.read(BLOCK))
        if not got:
            break
        pos += got
    assert pos == size, (name, pos, size)

if fmt == "zip":
    z = zipfile.ZipFile(sys.argv[4])
    for info in z.infolist():
        if not info.is_dir():
            with z.open(info) as f:
                check(info.filename[len(top) + 1:], f, info.file_size)
else:
    with tarfile.open(fileobj=sys.stdin.buffer, mode="r|", bufsize=1 << 20) as t:
        for m in t:
            if m.isreg():
                check(m.name[len(top) + 1:], t.extractfile(m), m.size)
assert not want, ("missing", list(want))
print("ok")
"#;

fn want_json() -> String {
    let files: Vec<String> = FILES
        .iter()
        .map(|(name, size)| {
            let marks: Vec<String> = marks(*size)
                .iter()
                .map(|(at, m)| format!("[{at},\"{m}\"]"))
                .collect();
            format!(
                "\"{name}\":{{\"size\":{size},\"marks\":[{}]}}",
                marks.join(",")
            )
        })
        .collect();
    format!("{{{}}}", files.join(","))
}

fn python(args: &[&str], stdin_cmd: Option<&str>) {
    require_peer("python3", "--version");
    let mut script = "timeout 600 python3 -c \"$CHECK\"".to_string();
    for a in args {
        script.push_str(&format!(" '{a}'"));
    }
    if let Some(cmd) = stdin_cmd {
        script = format!("set -o pipefail; {cmd} | {script}");
    }
    let out = Command::new("bash")
        .args(["-c", &script])
        .env("CHECK", CHECK_PY)
        .output()
        .unwrap_or_else(|e| missing_peer("bash", e));
    assert!(
        out.status.success(),
        "{script}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Downloads into a sparse file: the 4.3 GiB zip is mostly zeros, and a
/// CI machine may not have 4.3 GiB of disk to spare (curl exited 23, a
/// write error, on one). `cp --sparse=always` leaves holes for the zeros.
fn download_sparse(url: &str, dest: &Path) {
    let script = format!(
        "set -o pipefail; curl -sS --fail --max-time 590 '{url}' | cp --sparse=always /dev/stdin '{}'",
        dest.display()
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .output()
        .unwrap_or_else(|e| missing_peer("bash", e));
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn archive_sparse_gib_tree_in_bounded_memory() {
    let dir = site();
    let root = dir.path().join("sparse");
    make_tree(&root);
    require_peer("curl", "--version");
    let server = StaticServer::start(&root, &["-q", "--archives"]);
    let before = rss_kib(server.pid()).unwrap();
    let peak = RssPeak::start(server.pid());
    let want = want_json();

    let tar_url = format!("{}?download=tar", server.url);
    python(
        &["tar", "sparse", &want],
        Some(&format!("curl -sS --fail --max-time 590 '{tar_url}'")),
    );

    let zip = dir.path().join("sparse.zip");
    download_sparse(&format!("{}?download=zip", server.url), &zip);
    let growth_mib = peak.stop().saturating_sub(before) / 1024;
    assert!(
        growth_mib < RSS_GROWTH_MAX_MIB,
        "RSS grew by {growth_mib} MiB"
    );
    unzip_test(&zip);
    python(&["zip", "sparse", &want, &zip.to_string_lossy()], None);
}
