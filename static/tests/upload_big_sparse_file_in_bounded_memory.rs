//! `curl -T` of a 2 GiB sparse file into `static --upload`: the server's
//! RSS, sampled during the upload, grows by less than 32 MiB, and the file
//! on disk has the source's sha256.
mod common;
use common::*;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const SIZE: u64 = 2 << 30;

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn sha256(path: &std::path::Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .unwrap_or_else(|e| missing_peer("sha256sum", e));
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn two_gib_sparse_upload_in_bounded_memory() {
    let root = site();
    let src = site();
    let file = src.path().join("sparse.img");
    let f = std::fs::File::create(&file).unwrap();
    f.set_len(SIZE).unwrap();
    // A few non-zero bytes, so the hash checks placement too.
    use std::os::unix::fs::FileExt;
    for at in [0, 12_345_678, SIZE / 2 + 1, SIZE - 3] {
        f.write_all_at(b"mark", at.min(SIZE - 4)).unwrap();
    }
    drop(f);
    let server = StaticServer::start(root.path(), &["-q", "--upload"]);
    let pid = server.pid();
    let before = rss_kib(pid).unwrap();
    let peak = Arc::new(AtomicU64::new(before));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Some(kib) = rss_kib(pid) {
                    peak.fetch_max(kib, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let out = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "300",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-T",
        ])
        .arg(&file)
        .arg(&server.url)
        .output()
        .unwrap_or_else(|e| missing_peer("curl", e));
    stop.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "201");
    let growth_mib = peak.load(Ordering::Relaxed).saturating_sub(before) / 1024;
    assert!(growth_mib < 32, "RSS grew by {growth_mib} MiB");
    let uploaded = root.path().join("sparse.img");
    assert_eq!(std::fs::metadata(&uploaded).unwrap().len(), SIZE);
    assert_eq!(sha256(&uploaded), sha256(&file));
}
