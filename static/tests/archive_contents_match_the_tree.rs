//! `static --archives`: `?download=tar`, `tar_gz` and `zip` of the root and
//! of a subdirectory hold exactly what the listing shows, recursively:
//! awkward, non-ASCII and long names (past ustar's 100 and 255 bytes), an
//! empty file and an empty directory, a symlink inside the root (as its
//! target's contents), each with its size, contents, permissions and
//! modification time (one before 1970); no dotfile, no upload temporary,
//! no symlink out of the root, and a symlink loop skipped. Checked by
//! `tar -t`, `unzip -t` and Python's `tarfile` and `zipfile` against the
//! tree on disk; the headers name the download.
mod common;
use common::archive::*;
use common::*;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::Command;

fn touch(path: &Path, date: &str) {
    let status = Command::new("touch")
        .args(["-h", "-d", date])
        .arg(path)
        .status()
        .unwrap_or_else(|e| missing_peer("touch", e));
    assert!(status.success(), "touch {}", path.display());
}

/// The tree, and the members its archive must have (without the top
/// folder's name).
fn tree(root: &Path) -> Vec<String> {
    let deep = format!("{}/{}", "d".repeat(60), "e".repeat(60));
    let long_name = "n".repeat(200);
    write(root, "a.txt", "alpha");
    write(root, "with space & 'quote\".txt", "awkward");
    write(root, "été/ünï.txt", "unicode");
    write(root, &format!("{deep}/file.txt"), "deep");
    write(root, &format!("{long_name}.txt"), "long");
    write(root, "empty.txt", "");
    std::fs::create_dir(root.join("empty-dir")).expect("mkdir");
    let random: Vec<u8> = (0..(1u32 << 20) + 7)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    write(root, "sub/r.bin", &random);
    write(root, "sub/run.sh", "#!/bin/sh\n");
    std::fs::set_permissions(
        root.join("sub/run.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    write(root, "old.txt", "from 1969");
    write(root, ".hidden", "secret");
    write(root, ".git/config", "secret");
    write(root, "sub/.upload-1-2.part", "half");
    symlink("a.txt", root.join("link-in.txt")).expect("symlink");
    // A loop for both archives: `sub` itself, from inside it.
    symlink(".", root.join("sub/loop")).expect("symlink");
    symlink("/etc", root.join("outside")).expect("symlink");
    symlink("/etc/passwd", root.join("passwd")).expect("symlink");
    touch(&root.join("a.txt"), "2001-02-03 04:05:06 UTC");
    touch(&root.join("sub/r.bin"), "2019-12-31 23:59:59 UTC");
    touch(&root.join("old.txt"), "1969-07-20 20:17:40 UTC");
    let mut members = vec![
        "".to_string(),
        "a.txt".into(),
        "with space & 'quote\".txt".into(),
        "été/".into(),
        "été/ünï.txt".into(),
        format!("{}/", "d".repeat(60)),
        format!("{deep}/"),
        format!("{deep}/file.txt"),
        format!("{long_name}.txt"),
        "empty.txt".into(),
        "empty-dir/".into(),
        "old.txt".into(),
        "link-in.txt".into(),
    ];
    members.extend(sub_members().into_iter().map(|m| format!("sub/{m}")));
    members
}

/// The members of `sub/`'s own archive, relative to it.
fn sub_members() -> Vec<String> {
    vec!["".into(), "r.bin".into(), "run.sh".into()]
}

fn under(top: &str, members: &[String]) -> Vec<String> {
    members
        .iter()
        .map(|m| format!("{top}/{m}"))
        .collect::<Vec<_>>()
}

#[test]
fn archive_contents_match_the_tree() {
    let dir = site();
    let root = dir.path().join("www");
    let members = tree(&root);
    let server = StaticServer::start(&root, &["-q", "--archives"]);
    let out = site();
    for (path, top, members) in [
        ("", "www", under("www", &members)),
        ("sub/", "sub", under("sub", &sub_members())),
    ] {
        for (format, ext, content_type) in [
            ("tar", "tar", "application/x-tar"),
            ("tar_gz", "tar.gz", "application/gzip"),
            ("zip", "zip", "application/zip"),
        ] {
            let file = out.path().join(format!("{top}.{ext}"));
            let url = format!("{}{path}?download={format}", server.url);
            let (head, code) = download(&url, &file, &[], 60);
            assert_eq!(code, Some(0), "{url}");
            assert_eq!(head.status, 200, "{url}");
            assert_eq!(head.header("Content-Type"), Some(content_type));
            assert_eq!(
                head.header("Content-Disposition"),
                Some(format!("attachment; filename=\"{top}.{ext}\"").as_str())
            );
            match format {
                "zip" => unzip_test(&file),
                _ => {
                    let mut listed = tar_list(&file, format == "tar_gz");
                    let mut want = members.clone();
                    listed.sort();
                    want.sort();
                    assert_eq!(listed, want, "tar -t of {url}");
                }
            }
            let top_dir = if path.is_empty() {
                root.clone()
            } else {
                root.join(path)
            };
            python_check(&file, format, &top_dir, top, &members);
        }
    }
}
