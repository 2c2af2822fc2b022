//! cadaver, the command-line WebDAV client, scripted against
//! `static --webdav`: mkcol, put, ls, propset/propget, lock/discover/
//! unlock, copy, move, get, delete, rmcol, each checked against the disk;
//! and a dead property set before a restart is still there after it.
mod common;
use common::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs cadaver on `url` with `script` on stdin (bounded); its output.
fn cadaver(url: &str, script: &str) -> String {
    let mut child = Command::new("timeout")
        .args(["30", "cadaver", url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| missing_peer("timeout", e));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("script");
    let out = child.wait_with_output().expect("cadaver output");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn webdav_cadaver_scripted() {
    require_peer("cadaver", "--version");
    let dir = site();
    let local = site();
    let up = local.path().join("up.txt");
    std::fs::write(&up, "hello").expect("fixture");
    let got = local.path().join("got.txt");
    let root = dir.path();
    let server = StaticServer::start(root, &["--webdav", "-q"]);
    let script = format!(
        "mkcol newdir\nput {up} newdir/up.txt\nls newdir\npropset newdir/up.txt color blue\n\
         propget newdir/up.txt color\nlock newdir/up.txt\ndiscover newdir/up.txt\nunlock newdir/up.txt\n\
         copy newdir/up.txt copied.txt\nmove copied.txt moved.txt\npropget moved.txt color\n\
         get moved.txt {got}\ndelete moved.txt\nquit\n",
        up = up.display(),
        got = got.display()
    );
    let out = cadaver(&server.url, &script);
    assert_eq!(out.matches("succeeded").count(), 10, "{out}");
    assert!(!out.contains("failed"), "{out}");
    assert_eq!(out.matches("Value of color is: blue").count(), 2, "{out}");
    assert!(out.contains("Scope: exclusive  Type: write"), "{out}");
    assert_eq!(read(&root.join("newdir/up.txt")), "hello");
    assert_eq!(read(&got), "hello");
    assert!(!root.join("copied.txt").exists() && !root.join("moved.txt").exists());

    // Dead properties are kept across a restart.
    drop(server);
    let again = StaticServer::start(root, &["--webdav", "-q"]);
    let out = cadaver(
        &again.url,
        "propget newdir/up.txt color\nrmcol newdir\nls\nquit\n",
    );
    assert!(out.contains("Value of color is: blue"), "{out}");
    assert!(out.contains("collection is empty"), "{out}");
    assert!(!root.join("newdir").exists());
}
