//! `litmus`, the WebDAV server test suite, passes every test of its
//! basic, copymove, props, locks and http suites against `static --webdav`.
mod common;
use common::*;
use std::process::Command;

#[test]
fn webdav_litmus_passes() {
    require_peer("litmus", "--version");
    let dir = site();
    let server = StaticServer::start(dir.path(), &["--webdav", "-q"]);
    // litmus writes debug.log and child.log into its working directory.
    let work = site();
    let out = Command::new("timeout")
        .args(["300", "litmus", &server.url])
        .env("TESTS", "basic copymove props locks http")
        .current_dir(work.path())
        .output()
        .unwrap_or_else(|e| missing_peer("timeout", e));
    let text = String::from_utf8_lossy(&out.stdout);
    let summaries: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("<- summary for"))
        .collect();
    for suite in ["basic", "copymove", "props", "locks", "http"] {
        let line = summaries
            .iter()
            .find(|l| l.contains(&format!("`{suite}'")))
            .unwrap_or_else(|| panic!("no summary for {suite}:\n{text}"));
        assert!(line.ends_with("0 failed. 100.0%"), "{line}\n{text}");
    }
    assert!(!text.contains("SKIPPED"), "{text}");
    assert!(!text.contains("WARNING"), "{text}");
    assert!(out.status.success(), "{text}");
}
