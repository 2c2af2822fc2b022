//! Headless Chromium for the browser tests of every crate: find it
//! (Debian's `chromium`; the test fails with the package name when it is
//! missing), load a page in a fresh profile with a bounded virtual time,
//! and dump the DOM the page leaves (the tests' pages write their findings
//! into it); a temporary HOME whose NSS database trusts a test CA, for
//! pages over https.
//!
//! Chromium must ask no DNS server (scripts/no-dns.sh fails a run that
//! does): every launch here maps every name but the loopback ones the
//! tests use to "not found" inside Chromium.

use crate::missing_peer_in;
use std::path::Path;
use std::process::{Command, Output};
use tempfile::TempDir;

/// Real seconds a page may take at most, Chromium's start included.
const PAGE_LIMIT_SECS: &str = "60";
/// Virtual time a page gets (ms): timers and network waits within it.
const VIRTUAL_TIME_BUDGET_MS: &str = "10000";

/// The Debian packages of the programs run here.
const PACKAGES: &[(&str, &str)] = &[
    ("timeout", "coreutils"),
    ("certutil", "libnss3-tools"),
    ("chromium", "chromium"),
];

/// The Chromium binary, or a test failure naming the package.
pub fn chromium() -> &'static str {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|bin| {
            Command::new(bin)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .unwrap_or_else(|| {
            panic!(
                "no chromium, chromium-browser or google-chrome runs here: install the Debian \
                 package `chromium` (scripts/install-peers.sh installs every peer)"
            )
        })
}

/// Chromium's flags for a headless run in the fresh profile `profile`:
/// no first-run, sync, update or background traffic, and no name
/// resolved outside Chromium but localhost (from /etc/hosts) and
/// 127.0.0.1 (Chromium looks up Google's hosts on its own: accounts,
/// updates, connectivity checks).
pub fn headless_flags(profile: &Path) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ]
    .into_iter()
    .map(String::from)
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
}

/// Loads `url` headless (10 s of virtual time, 60 s of real time at
/// most) and returns Chromium's output: the DOM on stdout, its log on
/// stderr. `home`: the HOME to run with (its NSS trust store), if not ours.
pub fn dump_dom(url: &str, home: Option<&Path>) -> Output {
    dump_dom_with(url, home, &[])
}

/// [`dump_dom`] with more Chromium flags (`--force-dark-mode`...).
pub fn dump_dom_with(url: &str, home: Option<&Path>, flags: &[&str]) -> Output {
    let budget = format!("--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}");
    let flags: Vec<&str> = [budget.as_str()]
        .into_iter()
        .chain(flags.iter().copied())
        .collect();
    dump(url, home, &flags)
}

/// Loads `url` headless in real time (60 s at most) and returns the DOM
/// as it is at the page's `load` event: a page that must wait for
/// something outside it (a change on disk) holds its `load` back with a
/// resource that arrives when the test says so. (Under a virtual-time
/// budget Chromium at times deferred a navigation the page started while
/// a fetch was pending until that fetch ended.)
pub fn dump_dom_at_load(url: &str) -> Output {
    dump(url, None, &[])
}

fn dump(url: &str, home: Option<&Path>, flags: &[&str]) -> Output {
    let profile = TempDir::new().expect("a temporary profile directory");
    let mut cmd = Command::new("timeout");
    cmd.args([PAGE_LIMIT_SECS, chromium()])
        .args(headless_flags(profile.path()))
        .args(flags)
        .arg("--dump-dom")
        .arg(url);
    if let Some(home) = home {
        cmd.env("HOME", home);
    }
    cmd.output()
        .unwrap_or_else(|e| missing_peer_in(PACKAGES, "timeout", e))
}

/// The DOM of [`dump_dom`] as text, failing with Chromium's log when the
/// page did not write `marker`.
pub fn dom_with(out: &Output, marker: &str) -> String {
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        dom.contains(marker),
        "no report: {dom}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dom
}

/// A temporary HOME whose NSS database (`$HOME/.pki/nssdb`, where
/// Chromium on Linux reads its trust store) trusts `ca` for TLS servers
/// (`C,,`), or trusts nothing when `ca` is `None`: the real verification
/// path, name check included, rather than a flag that skips the chain.
pub fn home_trusting(ca: Option<&Path>) -> TempDir {
    let home = TempDir::new().expect("a temporary HOME");
    let db = home.path().join(".pki/nssdb");
    std::fs::create_dir_all(&db).expect("mkdir nssdb");
    let db_arg = format!("sql:{}", db.display());
    certutil(&["-N", "--empty-password", "-d", &db_arg]);
    if let Some(ca) = ca {
        let ca = ca.to_str().expect("a UTF-8 path");
        certutil(&["-A", "-d", &db_arg, "-n", "test CA", "-t", "C,,", "-i", ca]);
    }
    home
}

fn certutil(args: &[&str]) {
    let out = Command::new("certutil")
        .args(args)
        .output()
        .unwrap_or_else(|e| missing_peer_in(PACKAGES, "certutil", e));
    assert!(out.status.success(), "certutil {args:?}: {out:?}");
}
