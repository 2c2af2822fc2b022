//! WebDAV requests for the behaviour tests: curl with any method, headers
//! and body; and the tree on disk as a sorted listing to compare with what
//! a client shows.

use std::path::Path;

use super::{curl, parse_reply, Reply};

/// `METHOD url` with extra headers and a body, through curl; the reply
/// parsed (status, headers, body).
pub fn dav(method: &str, url: &str, headers: &[&str], body: &str) -> Reply {
    let mut args = vec!["-i", "-X", method];
    for h in headers {
        args.push("-H");
        args.push(h);
    }
    if !body.is_empty() {
        args.push("--data-binary");
        args.push(body);
        args.push("-H");
        args.push("Content-Type: application/xml");
    }
    args.push(url);
    parse_reply(&curl(&args).stdout)
}

/// Every path under `root` (relative, `/`-separated, directories with a
/// trailing `/`), sorted; names starting with `.` are left out, as the
/// server hides them.
pub fn tree_listing(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    walk(root, "", &mut out);
    out.sort();
    out
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let entries = std::fs::read_dir(dir).expect("read_dir");
    for entry in entries {
        let entry = entry.expect("dir entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if entry.file_type().expect("file type").is_dir() {
            out.push(format!("{prefix}{name}/"));
            walk(&entry.path(), &format!("{prefix}{name}/"), out);
        } else {
            out.push(format!("{prefix}{name}"));
        }
    }
}
