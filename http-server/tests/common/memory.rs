//! What the memory tests measure and need: this process's resident set
//! (the server runs in it), and enough file descriptors for their
//! thousands of connections.

/// This process's resident set size in KiB (`VmRSS` in /proc).
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .expect("VmRSS in /proc/self/status")
}

/// Whether the soft descriptor limit allows `n` descriptors; if not, says
/// on stderr that the test is skipped (a limit of the machine, `ulimit
/// -n`, not a missing program).
pub fn descriptors_allow(n: usize) -> bool {
    let limits = std::fs::read_to_string("/proc/self/limits").expect("/proc/self/limits");
    let soft_limit = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1024);
    if soft_limit < n {
        eprintln!("skipped: the descriptor limit (ulimit -n) is {soft_limit}, the test needs {n}");
        return false;
    }
    true
}
