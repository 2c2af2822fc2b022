//! davfs2 (the Linux kernel mount of a WebDAV share, through FUSE) on
//! `static --webdav --auth`: the tree read through the mount is the tree
//! on disk, byte for byte; then files and folders are created, written,
//! overwritten, renamed and deleted through the mount, and after the
//! unmount (which uploads what davfs2 still holds) the tree on disk is
//! exactly what was done. Runs as root in a private mount namespace;
//! skips, saying why, only when the kernel refuses the namespace or the
//! mount.
mod common;
use common::dav::tree_listing;
use common::davfs::{DavMount, Refused};
use common::*;
use std::path::Path;

/// What a mount shows, as [`tree_listing`] lists the disk (davfs2's own
/// `lost+found`, where it keeps files it could not upload, left out).
fn mount_listing(mount: &Path) -> Vec<String> {
    tree_listing(mount)
        .into_iter()
        .filter(|p| !p.starts_with("lost+found/"))
        .collect()
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[test]
fn webdav_davfs2_mount_matches_disk() {
    let dir = site();
    let root = dir.path();
    write(root, "a.txt", "alpha");
    write(root, "sub/b.bin", vec![7u8; 300_000]);
    write(root, "sub/deeper/c.txt", "gamma");
    write(root, "with space é.txt", "unicode");
    let server = StaticServer::start(root, &["--webdav", "--auth", "alice:s3cret", "-q"]);
    let mut mount = match DavMount::mount(&server.url, "alice", "s3cret") {
        Ok(m) => m,
        Err(Refused(why)) => {
            eprintln!(
                "SKIPPED webdav_davfs2_mount_matches_disk: the kernel refused the mount: {why}"
            );
            return;
        }
    };
    let m = mount.path.clone();

    // Reading: the same names and the same bytes as on disk.
    assert_eq!(mount_listing(&m), tree_listing(root));
    for rel in ["a.txt", "sub/b.bin", "sub/deeper/c.txt", "with space é.txt"] {
        assert_eq!(read(&m.join(rel)), read(&root.join(rel)), "{rel}");
    }

    // Writing through the mount.
    let big: Vec<u8> = (0..1_000_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(m.join("new.txt"), "new").expect("create");
    std::fs::create_dir(m.join("newdir")).expect("mkdir");
    std::fs::write(m.join("newdir/n.bin"), &big).expect("write big");
    std::fs::write(m.join("a.txt"), "alpha, rewritten").expect("overwrite");
    std::fs::rename(m.join("sub/deeper"), m.join("deep2")).expect("rename a folder");
    std::fs::rename(m.join("with space é.txt"), m.join("newdir/moved é.txt")).expect("move");
    std::fs::remove_file(m.join("sub/b.bin")).expect("delete");
    std::fs::create_dir(m.join("gone")).expect("mkdir");
    std::fs::remove_dir(m.join("gone")).expect("rmdir");
    let expected = [
        "a.txt",
        "deep2/",
        "deep2/c.txt",
        "new.txt",
        "newdir/",
        "newdir/moved é.txt",
        "newdir/n.bin",
        "sub/",
    ];
    assert_eq!(mount_listing(&m), expected);
    mount.unmount();

    assert_eq!(tree_listing(root), expected);
    assert_eq!(read(&root.join("a.txt")), b"alpha, rewritten");
    assert_eq!(read(&root.join("new.txt")), b"new");
    assert_eq!(read(&root.join("newdir/n.bin")), big);
    assert_eq!(read(&root.join("deep2/c.txt")), b"gamma");
    assert_eq!(read(&root.join("newdir/moved é.txt")), b"unicode");
}
