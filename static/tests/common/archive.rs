//! Helpers for the archive tests (`static --archives`): download with
//! curl, check with `tar -t`, `unzip -t` and Python's `tarfile`/`zipfile`
//! against the tree on disk, and sample the server's RSS.

use super::{missing_peer, require_peer, Reply};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// Runs `program args...` under `timeout SECS`, failing the test with the
/// package to install when it is missing.
pub fn run(secs: u32, program: &str, args: &[&str]) -> Output {
    Command::new("timeout")
        .arg(secs.to_string())
        .arg(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| missing_peer("timeout", e))
}

/// Downloads `url` into `dest` with curl; the response head (the body is
/// in the file) and curl's exit code.
pub fn download(url: &str, dest: &Path, extra: &[&str], secs: u32) -> (Reply, Option<i32>) {
    require_peer("curl", "--version");
    let max = secs.to_string();
    let mut args = vec!["-sS", "--max-time", &max, "-D", "-", "-o"];
    let dest_text = dest.to_string_lossy().into_owned();
    args.push(&dest_text);
    args.extend_from_slice(extra);
    args.push(url);
    let out = run(secs + 10, "curl", &args);
    let mut head = out.stdout.clone();
    head.extend_from_slice(b"\r\n\r\n");
    (super::parse_reply(&head), out.status.code())
}

/// `tar -tf` (with `-z` for gzip): the member names, in order; asserts
/// that tar reads the whole archive without a complaint.
pub fn tar_list(archive: &Path, gzip: bool) -> Vec<String> {
    require_peer("tar", "--version");
    let flags = if gzip { "-tzf" } else { "-tf" };
    // A UTF-8 locale: in C, tar refuses to convert PAX's UTF-8 paths.
    let out = Command::new("timeout")
        .args(["300", "tar", "--quoting-style=literal", flags])
        .arg(archive)
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap_or_else(|e| missing_peer("timeout", e));
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "tar {flags}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8 names")
        .lines()
        .map(str::to_string)
        .collect()
}

/// `unzip -t`: every member's CRC checked; asserts "No errors detected".
pub fn unzip_test(archive: &Path) {
    require_peer("unzip", "-v");
    let out = run(600, "unzip", &["-t", &archive.to_string_lossy()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("No errors detected"),
        "unzip -t: {}\n{}",
        text.lines().rev().take(5).collect::<Vec<_>>().join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The Python side of [`python_check`]: the archive's members against the
/// tree, member by member.
const CHECK_PY: &str = r#"
import hashlib, json, os, struct, sys, tarfile, time, zipfile
archive, fmt, root, top, expected = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5])

def digest(f):
    h = hashlib.sha256()
    for block in iter(lambda: f.read(1 << 20), b""):
        h.update(block)
    return h.hexdigest()

def on_disk(name):
    assert name.startswith(top + "/"), name
    return os.path.join(root, name[len(top) + 1:])

def ut_mtime(extra):
    while len(extra) >= 4:
        tag, size = struct.unpack("<HH", extra[:4])
        if tag == 0x5455:
            return struct.unpack("<i", extra[5:9])[0]
        extra = extra[4 + size:]
    return None

names = []
if fmt == "zip":
    z = zipfile.ZipFile(archive)
    assert z.testzip() is None, "a bad CRC"
    for info in z.infolist():
        names.append(info.filename)
        st = os.stat(on_disk(info.filename))
        assert info.flag_bits & 0x800, info.filename + ": no UTF-8 flag"
        assert info.compress_type == zipfile.ZIP_STORED
        assert ut_mtime(info.extra) == int(st.st_mtime), info.filename
        want = time.gmtime(st.st_mtime)[:6]
        want = (1980, 1, 1, 0, 0, 0) if want[0] < 1980 else want[:5] + (want[5] // 2 * 2,)
        assert info.date_time == want, (info.filename, info.date_time, want)
        if info.is_dir():
            assert os.path.isdir(on_disk(info.filename)), info.filename
            continue
        assert info.file_size == st.st_size, info.filename
        with z.open(info) as a, open(on_disk(info.filename), "rb") as b:
            assert digest(a) == digest(b), info.filename
else:
    mode = "r|gz" if fmt == "tar_gz" else "r|"
    with open(archive, "rb") as f, tarfile.open(fileobj=f, mode=mode) as t:
        for m in t:
            name = m.name + "/" if m.isdir() else m.name
            names.append(name)
            st = os.stat(on_disk(name))
            assert int(m.mtime) == int(st.st_mtime), (name, m.mtime, st.st_mtime)
            assert m.mode == st.st_mode & 0o777, name
            if m.isdir():
                assert os.path.isdir(on_disk(name)), name
                continue
            assert m.isreg() and m.size == st.st_size, name
            with open(on_disk(name), "rb") as b:
                assert digest(t.extractfile(m)) == digest(b), name
assert sorted(names) == sorted(expected), (sorted(names), sorted(expected))
print("ok", len(names))
"#;

/// Checks `archive` (`tar`, `tar_gz` or `zip`) with Python against the
/// tree at `root`, archived under `top`: exactly the `expected` members
/// (directories end with `/`), each with the size, contents, permission
/// bits (tar) and modification time of its file on disk (for zip: the
/// extended-timestamp field, the DOS time in UTC and the UTF-8 flag).
pub fn python_check(archive: &Path, format: &str, root: &Path, top: &str, expected: &[String]) {
    require_peer("python3", "--version");
    let expected = format!(
        "[{}]",
        expected
            .iter()
            .map(|n| format!("\"{}\"", n.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect::<Vec<_>>()
            .join(",")
    );
    let out = run(
        600,
        "python3",
        &[
            "-c",
            CHECK_PY,
            &archive.to_string_lossy(),
            format,
            &root.to_string_lossy(),
            top,
            &expected,
        ],
    );
    assert!(
        out.status.success(),
        "python {format} check: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The resident set of a process, KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Samples a process's RSS every 20 ms until stopped; the peak.
pub struct RssPeak {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    sampler: Option<thread::JoinHandle<()>>,
}

impl RssPeak {
    pub fn start(pid: u32) -> RssPeak {
        let peak = Arc::new(AtomicU64::new(rss_kib(pid).unwrap_or(0)));
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = {
            let (peak, stop) = (peak.clone(), stop.clone());
            thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Some(kib) = rss_kib(pid) {
                        peak.fetch_max(kib, Ordering::Relaxed);
                    }
                    thread::sleep(Duration::from_millis(20));
                }
            })
        };
        RssPeak {
            peak,
            stop,
            sampler: Some(sampler),
        }
    }

    /// Stops sampling; the peak RSS seen, KiB.
    pub fn stop(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(s) = self.sampler.take() {
            let _ = s.join();
        }
        self.peak.load(Ordering::Relaxed)
    }
}
