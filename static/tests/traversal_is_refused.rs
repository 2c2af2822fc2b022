//! No request reaches a byte outside the root: dot segments plain,
//! percent-encoded and double-encoded, encoded slashes, backslashes, NUL,
//! and symlinks that point out.
mod common;
use common::*;

const SECRET: &str = "TOP-SECRET-OUTSIDE-THE-ROOT";

#[test]
fn traversal_is_refused() {
    let base = site();
    let root = base.path().join("root");
    write(&root, "pub/ok.txt", "public");
    write(base.path(), "secret.txt", SECRET);
    std::os::unix::fs::symlink(base.path().join("secret.txt"), root.join("link-out"))
        .expect("symlink");
    std::os::unix::fs::symlink(base.path(), root.join("dir-out")).expect("symlink");
    let server = StaticServer::start(&root, &[]);

    let attempts = [
        "/../secret.txt",
        "/pub/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/pub/%2e%2e/%2e%2e/secret.txt",
        "/%252e%252e/secret.txt",
        "/..%2fsecret.txt",
        "/pub%2F..%2F..%2Fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/pub/..\\..\\secret.txt",
        "/secret.txt%00",
        "/pub/ok.txt%00../../secret.txt",
        "/link-out",
        "/dir-out/secret.txt",
        "/dir-out/",
        "/dir-out",
        "//secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
    ];
    for target in attempts {
        let reply = raw_get(server.addr, target);
        assert!(
            matches!(reply.status, 400 | 403 | 404),
            "{target}: status {}",
            reply.status
        );
        assert!(
            !String::from_utf8_lossy(&reply.body).contains(SECRET),
            "{target} leaked the secret"
        );
    }
    // And curl, which would normalize the path unless told not to.
    let out = curl(&["--path-as-is", &format!("{}../secret.txt", server.url)]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SECRET));

    // The inside still works, also through a dot segment that stays inside.
    assert_eq!(raw_get(server.addr, "/pub/ok.txt").body, b"public");
    assert_eq!(raw_get(server.addr, "/pub/../pub/./ok.txt").body, b"public");
}
