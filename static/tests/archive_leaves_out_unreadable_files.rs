//! A file or directory the server may not read is left out of an archive
//! (and logged), the rest archived whole: not a 500, not a cut. Root
//! reads everything, so as root the server runs as `nobody` through
//! setpriv.
mod common;
use common::archive::*;
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
fn archive_leaves_out_unreadable_files() {
    let dir = site();
    let root = dir.path().join("www");
    write(&root, "open.txt", "open");
    write(&root, "locked.txt", "secret");
    write(&root, "locked-dir/inside.txt", "secret");
    write(&root, "sub/also-open.txt", "also open");
    let mode = |p: &str, m: u32| {
        std::fs::set_permissions(root.join(p), std::fs::Permissions::from_mode(m)).expect("chmod")
    };
    // The tempdir itself is 0700: open the way for nobody.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    mode(".", 0o755);
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
    let server = StaticServer::start_as(wrapper, &root, &["-q", "--archives"]);
    let out = site();
    for (format, ext) in [("tar", "tar"), ("tar_gz", "tar.gz"), ("zip", "zip")] {
        let file = out.path().join(format!("www.{ext}"));
        let (head, code) = download(&format!("{}?download={format}", server.url), &file, &[], 60);
        assert_eq!((head.status, code), (200, Some(0)), "{format}");
        let mut names: Vec<String> = match format {
            "zip" => {
                unzip_test(&file);
                let listed = run(60, "unzip", &["-Z1", &file.to_string_lossy()]);
                String::from_utf8_lossy(&listed.stdout)
                    .lines()
                    .map(str::to_string)
                    .collect()
            }
            _ => tar_list(&file, format == "tar_gz"),
        };
        names.sort();
        assert_eq!(
            names,
            ["www/", "www/open.txt", "www/sub/", "www/sub/also-open.txt"],
            "{format}"
        );
    }
    mode("locked-dir", 0o755);
}
