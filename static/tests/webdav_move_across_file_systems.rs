//! A WebDAV MOVE from one file system to another inside the served root
//! (rename(2) says EXDEV) moves what a same-file-system rename would: a
//! file with its bytes, mode, modification time and dead properties; a
//! tree with every name in it (hidden dotfiles too, symlinks as links,
//! empty collections); onto an existing collection with `Overwrite: T`.
//! A move that fails half way (the target file system fills up) answers
//! 507 and leaves the source whole and nothing at the target.
//!
//! The second file system is a small tmpfs mounted on `ROOT/mnt` in a
//! mount namespace of the server's own (`unshare -m`, as root); the test
//! sees that namespace's files through `/proc/PID/root`.
mod common;
use common::dav::dav;
use common::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

/// The tmpfs on `ROOT/mnt`: room for the small moves, not for `huge/`.
const TMPFS_SIZE: &str = "size=4m";
const MIB: usize = 1 << 20;

/// Whether this process may make a mount namespace and mount a tmpfs in
/// it (root, or CAP_SYS_ADMIN); the probe mounts on a scratch directory.
fn can_mount_in_namespace(scratch: &Path) -> bool {
    Command::new("unshare")
        .args(["-m", "--propagation", "private", "mount", "-t", "tmpfs"])
        .args(["-o", TMPFS_SIZE, "tmpfs"])
        .arg(scratch)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 4099) as u8).collect()
}

/// Every name under `dir`, hidden ones included, sorted, `/`-separated,
/// symlinks as `name -> target`, directories with a trailing `/`.
fn all_names(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read_dir") {
            let entry = entry.expect("entry");
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let kind = entry.file_type().expect("file type");
            if kind.is_symlink() {
                let target = std::fs::read_link(entry.path()).expect("readlink");
                out.push(format!("{name} -> {}", target.display()));
            } else if kind.is_dir() {
                out.push(format!("{name}/"));
                walk(&entry.path(), &format!("{name}/"), out);
            } else {
                out.push(name);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out);
    out.sort();
    out
}

fn set_mtime(path: &Path, t: SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(t))
        .expect("set mtime");
}

#[test]
fn webdav_move_across_file_systems() {
    let dir = site();
    let root = std::fs::canonicalize(dir.path())
        .expect("canonical")
        .join("www");
    std::fs::create_dir_all(root.join("mnt")).expect("mkdir mnt");
    let scratch = dir.path().join("probe");
    std::fs::create_dir(&scratch).expect("mkdir probe");
    if !can_mount_in_namespace(&scratch) {
        eprintln!(
            "SKIPPED webdav_move_across_file_systems: `unshare -m` + `mount -t tmpfs` \
             needs root or CAP_SYS_ADMIN, which this process does not have"
        );
        return;
    }
    let stamp = SystemTime::UNIX_EPOCH + Duration::from_secs(1_500_000_000);
    write(&root, "big.bin", pattern(MIB));
    set_mtime(&root.join("big.bin"), stamp);
    std::fs::set_permissions(root.join("big.bin"), PermissionsExt::from_mode(0o640))
        .expect("chmod");
    write(&root, "tree/a.txt", "a");
    write(&root, "tree/sub/b.txt", "b");
    write(&root, "tree/.hidden", "kept although not served");
    std::fs::create_dir_all(root.join("tree/sub/empty")).expect("mkdir");
    std::os::unix::fs::symlink("a.txt", root.join("tree/link")).expect("symlink");
    for i in 0..3 {
        write(&root, &format!("huge/part{i}"), pattern(2 * MIB));
    }
    write(&root, "other/old.txt", "replaced");

    let mount = format!("mount -t tmpfs -o {TMPFS_SIZE} tmpfs \"$0\" && exec \"$@\"");
    let mnt = root.join("mnt");
    let mnt_arg = mnt.to_string_lossy();
    let wrapper = [
        "unshare",
        "-m",
        "--propagation",
        "private",
        "sh",
        "-c",
        &mount,
        &mnt_arg,
    ];
    let server = StaticServer::start_as(&wrapper, &root, &["--webdav", "-q"]);
    // The server's view of the tree, the tmpfs included.
    let seen: PathBuf = format!("/proc/{}/root{}", server.pid(), root.display()).into();
    let dest = |path: &str| format!("Destination: {}{path}", server.url);
    let url = |path: &str| format!("{}{path}", server.url);
    assert!(all_names(&seen.join("mnt")).is_empty(), "a fresh tmpfs");

    // Too big for the tmpfs: 507, the source whole, nothing left behind.
    let reply = dav("MOVE", &url("huge/"), &[&dest("mnt/huge/")], "");
    assert_eq!(
        reply.status,
        507,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    for i in 0..3 {
        let part = std::fs::read(root.join(format!("huge/part{i}"))).expect("source stays");
        assert!(part == pattern(2 * MIB), "huge/part{i} unchanged");
    }
    assert!(all_names(&seen.join("mnt")).is_empty(), "no temporary left");

    // A file: bytes, mode, mtime and its dead property go along.
    let prop = r#"<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:color>blue</Z:color></D:prop></D:set></D:propertyupdate>"#;
    assert_eq!(dav("PROPPATCH", &url("big.bin"), &[], prop).status, 207);
    let reply = dav("MOVE", &url("big.bin"), &[&dest("mnt/big.bin")], "");
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert!(!root.join("big.bin").exists(), "the source is gone");
    let moved = seen.join("mnt/big.bin");
    assert!(std::fs::read(&moved).expect("moved") == pattern(MIB));
    let meta = std::fs::metadata(&moved).expect("stat");
    assert_eq!(meta.mode() & 0o7777, 0o640);
    assert_eq!(meta.modified().expect("mtime"), stamp);
    let find = r#"<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><Z:color xmlns:Z="urn:z"/></D:prop></D:propfind>"#;
    let reply = dav("PROPFIND", &url("mnt/big.bin"), &["Depth: 0"], find);
    let body = String::from_utf8_lossy(&reply.body);
    assert!(body.contains(">blue</"), "the dead property moved: {body}");

    // A tree: every name, hidden ones and symlinks (as links) included.
    let before = all_names(&root.join("tree"));
    let reply = dav("MOVE", &url("tree/"), &[&dest("mnt/tree/")], "");
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert!(!root.join("tree").exists(), "the source is gone");
    assert_eq!(all_names(&seen.join("mnt/tree")), before);
    let top: Vec<String> = all_names(&seen.join("mnt"))
        .into_iter()
        .filter(|n| !n.trim_end_matches('/').contains('/'))
        .collect();
    assert_eq!(top, ["big.bin", "tree/"], "no temporary left");

    // Back onto an existing collection: replaced as a whole (204).
    let reply = dav(
        "MOVE",
        &url("mnt/tree/"),
        &[&dest("other/"), "Overwrite: T"],
        "",
    );
    assert_eq!(
        reply.status,
        204,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(all_names(&root.join("other")), before);
    assert!(!seen.join("mnt/tree").exists());
    assert!(
        all_names(&root).iter().all(|n| !n.contains(".upload-")),
        "{:?}",
        all_names(&root)
    );
}
