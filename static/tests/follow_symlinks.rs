//! Symlinks inside the root are followed; one that leaves the root is a
//! 404 (and not listed) unless --follow-symlinks.
mod common;
use common::*;
use std::os::unix::fs::symlink;

#[test]
fn follow_symlinks() {
    let base = site();
    let root = base.path().join("root");
    write(&root, "real/file.txt", "inside");
    write(base.path(), "shared/lib.txt", "outside");
    symlink("real/file.txt", root.join("alias.txt")).expect("symlink");
    symlink("real", root.join("alias-dir")).expect("symlink");
    symlink(base.path().join("shared"), root.join("shared")).expect("symlink");

    let strict = StaticServer::start(&root, &[]);
    assert_eq!(
        curl(&[&format!("{}alias.txt", strict.url)]).stdout,
        b"inside"
    );
    assert_eq!(
        curl(&[&format!("{}alias-dir/file.txt", strict.url)]).stdout,
        b"inside"
    );
    assert_eq!(
        curl_status(&format!("{}shared/lib.txt", strict.url), &[]),
        404
    );
    assert_eq!(curl_status(&format!("{}shared/", strict.url), &[]), 404);
    let page = String::from_utf8_lossy(&curl(&[&strict.url]).stdout).into_owned();
    assert!(page.contains("alias.txt") && page.contains("alias-dir/") && !page.contains("shared"));

    let follow = StaticServer::start(&root, &["--follow-symlinks"]);
    assert_eq!(
        curl(&[&format!("{}shared/lib.txt", follow.url)]).stdout,
        b"outside"
    );
    let page = String::from_utf8_lossy(&curl(&[&follow.url]).stdout).into_owned();
    assert!(page.contains("href=\"./shared/\""));
    // Still no climbing out by path, flag or not.
    assert_eq!(raw_get(follow.addr, "/../root/real/file.txt").status, 400);
}
