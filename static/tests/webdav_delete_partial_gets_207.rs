//! DELETE of a collection whose members cannot all be removed answers 207
//! naming the members that stayed (and their status); everything else is
//! gone, and the collections holding the survivors stay. A member in a
//! directory the server may not write is such a survivor; root may write
//! everywhere, so as root the server runs as `nobody` through setpriv.
mod common;
use common::dav::{dav, tree_listing};
use common::*;
use std::path::Path;

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
    nobody::chmod(dir.path(), 0o755);
    if nobody::is_root() {
        chown_tree(&root, nobody::NOBODY);
    }
    let wrapper = nobody::wrapper();
    // Members of d/sub cannot be unlinked: the directory is not writable.
    nobody::chmod(&root.join("d/sub"), 0o555);
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
    nobody::chmod(&root.join("d/sub"), 0o755);
}
