//! A file or directory the server may not read answers 403, not 500 and
//! not a hang. Root reads everything, so as root the server runs as
//! `nobody` through setpriv.
mod common;
use common::*;

#[test]
fn unreadable_file_is_403() {
    let dir = site();
    let root = dir.path().join("www");
    write(&root, "open.txt", "open");
    write(&root, "locked.txt", "secret");
    write(&root, "locked-dir/inside.txt", "secret");
    let mode = |p: &str, m: u32| nobody::chmod(&root.join(p), m);
    // The tempdir itself is 0700: open the way for nobody.
    nobody::chmod(dir.path(), 0o755);
    mode(".", 0o755);
    mode("open.txt", 0o644);
    mode("locked.txt", 0o000);
    mode("locked-dir", 0o000);

    let wrapper = nobody::wrapper();
    let server = StaticServer::start_as(wrapper, &root, &["-q"]);
    assert_eq!(curl(&[&format!("{}open.txt", server.url)]).stdout, b"open");
    for path in ["locked.txt", "locked-dir/", "locked-dir/inside.txt"] {
        let reply = parse_reply(&curl(&["-i", &format!("{}{path}", server.url)]).stdout);
        assert_eq!(reply.status, 403, "{path}");
        assert!(!String::from_utf8_lossy(&reply.body).contains("secret"));
    }
    mode("locked-dir", 0o755);
}
