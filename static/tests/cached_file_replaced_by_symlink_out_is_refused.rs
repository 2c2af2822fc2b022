//! A file the open-file cache holds, then replaced by a symlink that
//! points out of the root (or whose directory is replaced by one), is
//! refused (404) like any such link: the cache revalidates the path on
//! every request and never serves a byte from outside the root.
mod common;
use common::*;
use std::os::unix::fs::symlink;
use std::time::Duration;

#[test]
fn cached_file_replaced_by_symlink_out_is_refused() {
    let dir = site();
    let root = dir.path().join("www");
    let outside = dir.path().join("outside");
    write(&root, "a.txt", "inside a");
    write(&root, "sub/b.txt", "inside b");
    write(&outside, "secret.txt", "SECRET");
    write(&outside, "b.txt", "SECRET b");
    // Settled: the cache keeps the bytes too.
    std::thread::sleep(Duration::from_millis(2200));
    let server = StaticServer::start(&root, &["-q"]);
    let a = format!("{}a.txt", server.url);
    let b = format!("{}sub/b.txt", server.url);
    for _ in 0..3 {
        assert_eq!(curl(&[&a]).stdout, b"inside a");
        assert_eq!(curl(&[&b]).stdout, b"inside b");
    }

    // The file itself becomes a symlink out.
    std::fs::remove_file(root.join("a.txt")).expect("rm");
    symlink(outside.join("secret.txt"), root.join("a.txt")).expect("symlink");
    let reply = parse_reply(&curl(&["-i", &a]).stdout);
    assert_eq!(reply.status, 404);
    assert!(!String::from_utf8_lossy(&reply.body).contains("SECRET"));

    // A directory on the way becomes a symlink out.
    std::fs::rename(root.join("sub"), dir.path().join("old-sub")).expect("mv");
    symlink(&outside, root.join("sub")).expect("symlink");
    let reply = parse_reply(&curl(&["-i", &b]).stdout);
    assert_eq!(reply.status, 404);
    assert!(!String::from_utf8_lossy(&reply.body).contains("SECRET"));

    // With --follow-symlinks the same links are served (the option still works).
    let follow = StaticServer::start(&root, &["-q", "--follow-symlinks"]);
    assert_eq!(curl(&[&format!("{}a.txt", follow.url)]).stdout, b"SECRET");
}
