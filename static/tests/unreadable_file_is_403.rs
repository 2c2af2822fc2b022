//! A file or directory the server may not read answers 403, not 500 and
//! not a hang. Root reads everything, so as root the server runs as
//! `nobody` through setpriv.
mod common;
use common::*;
use std::os::unix::fs::PermissionsExt;

/// Whether the test runs as root (effective uid 0, from /proc).
fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .is_some_and(|euid| euid == "0")
}

#[test]
fn unreadable_file_is_403() {
    let dir = site();
    let root = dir.path().join("www");
    write(&root, "open.txt", "open");
    write(&root, "locked.txt", "secret");
    write(&root, "locked-dir/inside.txt", "secret");
    let mode = |p: &str, m: u32| {
        std::fs::set_permissions(root.join(p), std::fs::Permissions::from_mode(m)).expect("chmod")
    };
    // The tempdir itself is 0700: open the way for nobody.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    mode(".", 0o755);
    mode("open.txt", 0o644);
    mode("locked.txt", 0o000);
    mode("locked-dir", 0o000);

    let wrapper: &[&str] = if is_root() {
        require_peer("setpriv", "--version");
        &[
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ]
    } else {
        &[]
    };
    let server = StaticServer::start_as(wrapper, &root, &["-q"]);
    assert_eq!(curl(&[&format!("{}open.txt", server.url)]).stdout, b"open");
    for path in ["locked.txt", "locked-dir/", "locked-dir/inside.txt"] {
        let reply = parse_reply(&curl(&["-i", &format!("{}{path}", server.url)]).stdout);
        assert_eq!(reply.status, 403, "{path}");
        assert!(!String::from_utf8_lossy(&reply.body).contains("secret"));
    }
    mode("locked-dir", 0o755);
}
