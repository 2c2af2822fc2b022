//! rclone's webdav backend against `static --webdav`: mkdir, copy, sync,
//! move, delete and a recursive listing, each compared with the tree on
//! disk.
mod common;
use common::dav::tree_listing;
use common::*;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `rclone ARGS` with the remote `dav:` pointing at `url`, bounded
/// in time, with its config and cache in `home`.
fn rclone(home: &Path, url: &str, args: &[&str]) -> Output {
    let out = Command::new("timeout")
        .arg("60")
        .arg("rclone")
        .args(args)
        .args(["--config", &home.join("rclone.conf").to_string_lossy()])
        .args(["--contimeout", "5s", "--timeout", "20s", "--retries", "1"])
        .env("HOME", home)
        .env("RCLONE_CONFIG_DAV_TYPE", "webdav")
        .env("RCLONE_CONFIG_DAV_URL", url)
        .env("RCLONE_CONFIG_DAV_VENDOR", "other")
        .output()
        .unwrap_or_else(|e| missing_peer("timeout", e));
    assert!(
        out.status.success(),
        "rclone {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `rclone lsf -R` output as a sorted listing like [`tree_listing`]'s.
fn remote_listing(home: &Path, url: &str) -> Vec<String> {
    let out = rclone(home, url, &["lsf", "-R", "dav:"]);
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

#[test]
fn webdav_rclone_matches_disk() {
    require_peer("rclone", "version");
    let served = site();
    let local = site();
    let home = site();
    std::fs::write(home.path().join("rclone.conf"), "").expect("config");
    write(local.path(), "a.txt", "alpha");
    write(local.path(), "sub/b.bin", vec![7u8; 300_000]);
    write(local.path(), "sub/deeper/c.txt", "gamma");
    write(local.path(), "with space é.txt", "unicode");
    let server = StaticServer::start(served.path(), &["--webdav", "-q"]);
    let url = server.url.as_str();
    let root = served.path();
    let h = home.path();

    rclone(h, url, &["mkdir", "dav:empty"]);
    assert!(root.join("empty").is_dir());

    rclone(h, url, &["copy", &local.path().to_string_lossy(), "dav:"]);
    assert_eq!(
        std::fs::read(root.join("sub/b.bin")).expect("copied"),
        vec![7u8; 300_000]
    );
    assert_eq!(
        std::fs::read_to_string(root.join("with space é.txt")).expect("copied"),
        "unicode"
    );
    assert_eq!(remote_listing(h, url), tree_listing(root));

    // sync: the remote becomes the local tree (empty/ and a.txt go).
    std::fs::remove_file(local.path().join("a.txt")).expect("rm");
    write(local.path(), "new.txt", "new");
    rclone(h, url, &["sync", &local.path().to_string_lossy(), "dav:"]);
    assert!(!root.join("a.txt").exists() && root.join("new.txt").is_file());
    assert_eq!(tree_listing(root), tree_listing(local.path()));
    assert_eq!(remote_listing(h, url), tree_listing(root));

    rclone(h, url, &["moveto", "dav:new.txt", "dav:sub/moved.txt"]);
    assert!(!root.join("new.txt").exists());
    assert_eq!(
        std::fs::read_to_string(root.join("sub/moved.txt")).expect("moved"),
        "new"
    );

    rclone(h, url, &["delete", "dav:sub/deeper"]);
    assert!(!root.join("sub/deeper/c.txt").exists());
    rclone(h, url, &["purge", "dav:sub"]);
    assert!(!root.join("sub").exists());
    assert_eq!(remote_listing(h, url), tree_listing(root));
    assert_eq!(tree_listing(root), vec!["with space é.txt".to_string()]);
}
