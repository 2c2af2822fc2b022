//! Headless Chromium for the browser tests: find it (Debian's `chromium`;
//! the test fails with the package name when it is missing), load a page
//! in a fresh profile with a bounded virtual time, and dump the DOM the
//! page leaves (the tests' pages write their findings into it).

use super::{missing_peer, site};
use std::path::Path;
use std::process::{Command, Output};

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

/// Loads `url` headless (10 s of virtual time, 60 s of real time at
/// most) and returns Chromium's output: the DOM on stdout, its log on
/// stderr. `home`: the HOME to run with (its NSS trust store), if not ours.
pub fn dump_dom(url: &str, home: Option<&Path>) -> Output {
    dump_dom_with(url, home, &[])
}

/// [`dump_dom`] with more Chromium flags (`--force-dark-mode`...).
pub fn dump_dom_with(url: &str, home: Option<&Path>, flags: &[&str]) -> Output {
    let profile = site();
    let mut cmd = Command::new("timeout");
    cmd.args([
        "60",
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--virtual-time-budget=10000",
        // Chromium looks up Google's hosts on its own (accounts, updates,
        // connectivity checks; scripts/no-dns.sh caught them): it may
        // resolve only the loopback names the tests use (localhost from
        // /etc/hosts), every other name fails inside Chromium, no query.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ])
    .args(flags)
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .arg("--dump-dom")
    .arg(url);
    if let Some(home) = home {
        cmd.env("HOME", home);
    }
    cmd.output().unwrap_or_else(|e| missing_peer("timeout", e))
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
