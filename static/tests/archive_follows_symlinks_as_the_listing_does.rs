//! With `--follow-symlinks` the listing shows symlinks that leave the
//! root, and so does the archive: their targets' contents go in, and a
//! way back to an ancestor (here: out of the root to the directory
//! holding it, whose `root/` is the root again) is a loop, skipped, so
//! the archive ends.
mod common;
use common::archive::*;
use common::*;
use std::os::unix::fs::symlink;

#[test]
fn archive_follows_symlinks_as_the_listing_does() {
    let base = site();
    let root = base.path().join("root");
    write(&root, "ok.txt", "inside");
    write(base.path(), "outside.txt", "outside");
    symlink(base.path().join("outside.txt"), root.join("file-out")).expect("symlink");
    // base/ holds root/: root/up -> base -> root/up -> ... a loop.
    symlink(base.path(), root.join("up")).expect("symlink");
    let server = StaticServer::start(&root, &["-q", "--archives", "--follow-symlinks"]);
    let listing = String::from_utf8_lossy(&curl(&[&server.url]).stdout).into_owned();
    assert!(
        listing.contains("file-out") && listing.contains("up/"),
        "{listing}"
    );

    let out = site();
    let tar = out.path().join("root.tar");
    let (head, code) = download(&format!("{}?download=tar", server.url), &tar, &[], 60);
    assert_eq!((head.status, code), (200, Some(0)));
    let mut names = tar_list(&tar, false);
    names.sort();
    assert_eq!(
        names,
        [
            "root/",
            "root/file-out",
            "root/ok.txt",
            "root/up/",
            "root/up/outside.txt",
        ]
    );
}
