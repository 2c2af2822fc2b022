//! No archive reaches a byte outside the root: `?download=` on paths that
//! climb out (plain, encoded, through a symlink) or into a hidden
//! directory is refused like any request, and the root's archive leaves
//! out the symlinks that point out (as its listing does).
mod common;
use common::*;
use std::os::unix::fs::symlink;

const SECRET: &str = "TOP-SECRET-OUTSIDE-THE-ROOT";

#[test]
fn archive_escapes_are_refused() {
    let base = site();
    let root = base.path().join("root");
    write(&root, "pub/ok.txt", "public");
    write(&root, ".hidden/inside.txt", SECRET);
    write(base.path(), "secret.txt", SECRET);
    symlink(base.path().join("secret.txt"), root.join("link-out")).expect("symlink");
    symlink(base.path(), root.join("dir-out")).expect("symlink");
    symlink(base.path(), root.join("pub/up")).expect("symlink");
    let server = StaticServer::start(&root, &["-q", "--archives"]);

    for format in ["tar", "tar_gz", "zip"] {
        for path in [
            "/../",
            "/pub/../../",
            "/%2e%2e/",
            "/.%2e/",
            "/pub/%2e%2e/%2e%2e/",
            "/..%2f",
            "/pub%2F..%2F..%2F",
            "/dir-out/",
            "/dir-out",
            "/pub/up/",
            "/.hidden/",
            "/%2ehidden/",
            "/link-out/",
        ] {
            let target = format!("{path}?download={format}");
            let reply = raw_get(server.addr, &target);
            assert!(
                matches!(reply.status, 400 | 404),
                "{target}: status {}",
                reply.status
            );
            assert!(
                !String::from_utf8_lossy(&reply.body).contains(SECRET),
                "{target} leaked the secret"
            );
        }
    }
    // The root's archives (stored, so a leak would show as plain text).
    for format in ["tar", "zip"] {
        let reply = raw_get(server.addr, &format!("/?download={format}"));
        assert_eq!(reply.status, 200, "{format}");
        let body = String::from_utf8_lossy(&reply.body);
        assert!(body.contains("public"), "{format}: no pub/ok.txt");
        assert!(!body.contains(SECRET), "{format} leaked the secret");
        for name in ["link-out", "dir-out", "up", ".hidden"] {
            assert!(!body.contains(name), "{format} has {name}");
        }
    }
}
