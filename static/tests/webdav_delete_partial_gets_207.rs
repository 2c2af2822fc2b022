//! DELETE of a collection whose members cannot all be removed answers 207
//! naming the members that stayed (and their status); everything else is
//! gone, and the collections holding the survivors stay. A member in a
//! directory the server may not write is such a survivor; root may write
//! everywhere, so as root the server runs as `nobody` through setpriv.
mod common;
use common::dav::{dav, tree_listing};
use common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .is_some_and(|euid| euid == "0")
}

fn chown_tree(path: &Path, uid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(uid)).expect("chown");
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("read_dir") {
            chown_tree(&entry.expect("entry").path(), uid);
        }
    }
}

#[test]
fn webdav_delete_partial_gets_207() {
    let dir = site();
    let root = dir.path().join("www");
    write(&root, "d/a.txt", "a");
    write(&root, "d/sub/stays.txt", "s");
    write(&root, "d/other/b.txt", "b");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let wrapper: &[&str] = if is_root() {
        require_peer("setpriv", "--version");
        chown_tree(&root, 65534);
        &[
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ]
    } else {
        &[]
    };
    // Members of d/sub cannot be unlinked: the directory is not writable.
    std::fs::set_permissions(root.join("d/sub"), std::fs::Permissions::from_mode(0o555))
        .expect("chmod");
    let server = StaticServer::start_as(wrapper, &root, &["--webdav", "-q"]);

    let reply = dav("DELETE", &format!("{}d/", server.url), &[], "");
    let body = String::from_utf8_lossy(&reply.body);
    assert_eq!(reply.status, 207, "{body}");
    assert!(
        body.contains(
            "<D:href>/d/sub/stays.txt</D:href><D:status>HTTP/1.1 403 Forbidden</D:status>"
        ),
        "{body}"
    );
    assert!(!body.contains("a.txt") && !body.contains("b.txt"), "{body}");
    assert_eq!(tree_listing(&root), vec!["d/", "d/sub/", "d/sub/stays.txt"]);
    // The server refuses a file it cannot remove with its own status, not 207.
    let reply = dav("DELETE", &format!("{}d/sub/stays.txt", server.url), &[], "");
    assert_eq!(reply.status, 403);
    std::fs::set_permissions(root.join("d/sub"), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
}
