//! macOS Finder (WebDAVFS), replayed over a real socket against `static
//! --webdav` with the requests it is documented and logged to send (there
//! is no Mac here): `PROPFIND` with its properties (quota, Apple's
//! `appledoubleheader`), a copy into the share as a 0-byte `PUT`, `LOCK`
//! (Timeout Second-600, Apple's owner href), the content as a chunked
//! `PUT` with `X-Expected-Entity-Length` under the lock, then the
//! AppleDouble `._NAME` file and `.DS_Store`, each locked, written, read
//! back and unlocked; a lock refresh, a rename of both files and their
//! deletion. Finder's files are stored and reachable by their exact path,
//! but never listed (PROPFIND Depth 1, the HTML page, a tar of the
//! folder), and every other dotfile stays hidden; without WebDAV
//! writes they are refused as before.
mod common;
use common::dav::{chunked, lock_token, Replay};
use common::*;

const UA: &str = "WebDAVFS/3.0.0 (03008000) Darwin/22.6.0 (arm64)";

const FINDER_PROPFIND: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:">
<D:prop>
<D:getlastmodified/>
<D:getcontentlength/>
<D:creationdate/>
<D:resourcetype/>
</D:prop>
</D:propfind>"#;

const QUOTA_PROPFIND: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:">
<D:prop>
<D:quota-available-bytes/>
<D:quota-used-bytes/>
<D:quota/>
<D:quotaused/>
</D:prop>
</D:propfind>"#;

const APPLEDOUBLE_PROPFIND: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:">
<D:prop xmlns:A="http://www.apple.com/webdav_fs/props/">
<A:appledoubleheader/>
<D:getlastmodified/>
<D:getcontentlength/>
<D:resourcetype/>
</D:prop>
</D:propfind>"#;

const LOCKINFO: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<D:lockinfo xmlns:D="DAV:">
<D:lockscope><D:exclusive/></D:lockscope>
<D:locktype><D:write/></D:locktype>
<D:owner>
<D:href>http://www.apple.com/webdav_fs/</D:href>
</D:owner>
</D:lockinfo>"#;

fn text(reply: &Reply) -> String {
    String::from_utf8_lossy(&reply.body).into_owned()
}

/// An AppleDouble header (magic 0x00051607, version 2) padded to the
/// 4096 bytes Finder writes.
fn apple_double() -> Vec<u8> {
    let mut bytes = vec![0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00];
    bytes.extend_from_slice(b"Mac OS X        ");
    bytes.resize(4096, 0);
    bytes
}

/// The names in a tar archive, by `tar -t`.
fn tar_names(archive: &[u8]) -> Vec<String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut tar = Command::new("tar")
        .args(["-tf", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| missing_peer("tar", e));
    tar.stdin
        .take()
        .expect("stdin")
        .write_all(archive)
        .expect("to tar");
    let out = tar.wait_with_output().expect("tar -t");
    assert!(out.status.success(), "tar -t failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Finder's write of one file: LOCK (it creates the name), the content
/// under the token (chunked, with the expected length), a PROPFIND, UNLOCK.
fn finder_write(mac: &Replay<'_>, path: &str, content: &[u8]) {
    let lock = mac.send(
        "LOCK",
        path,
        &[
            "Timeout: Second-600",
            "Depth: 0",
            "Content-Type: text/xml; charset=\"utf-8\"",
        ],
        LOCKINFO.as_bytes(),
    );
    assert!(
        matches!(lock.status, 200 | 201),
        "LOCK {path}: {}",
        text(&lock)
    );
    let token = lock_token(&lock);
    let if_token = format!("If: ({token})");
    let expected = format!("X-Expected-Entity-Length: {}", content.len());
    let put = mac.send(
        "PUT",
        path,
        &[&if_token, "Transfer-Encoding: chunked", &expected],
        &chunked(content, 1000),
    );
    assert!(
        matches!(put.status, 201 | 204),
        "PUT {path}: {}",
        put.status
    );
    let stat = mac.send("PROPFIND", path, &["Depth: 0"], FINDER_PROPFIND.as_bytes());
    assert_eq!(stat.status, 207, "PROPFIND {path}");
    let length = format!("<D:getcontentlength>{}</D:getcontentlength>", content.len());
    assert!(text(&stat).contains(&length), "{}", text(&stat));
    // Finder refreshes its locks every few minutes: LOCK with If, no body.
    let refresh = mac.send("LOCK", path, &[&if_token, "Timeout: Second-600"], b"");
    assert_eq!(refresh.status, 200, "refresh {path}: {}", text(&refresh));
    let unlock = mac.send("UNLOCK", path, &[&format!("Lock-Token: {token}")], b"");
    assert_eq!(unlock.status, 204, "UNLOCK {path}");
}

#[test]
fn webdav_finder_sequence() {
    let dir = site();
    write(dir.path(), ".env", "SECRET=1");
    let server = StaticServer::start(dir.path(), &["--webdav", "--archives", "-q"]);
    let mac = Replay {
        addr: server.addr,
        user_agent: UA,
        always: &[],
    };
    let root = dir.path();

    // Connect to Server: OPTIONS, the root's properties and quota.
    let options = mac.send("OPTIONS", "/", &[], b"");
    assert_eq!((options.status, options.header("DAV")), (200, Some("1, 2")));
    for body in [FINDER_PROPFIND, QUOTA_PROPFIND] {
        let reply = mac.send("PROPFIND", "/", &["Depth: 0"], body.as_bytes());
        assert_eq!(reply.status, 207, "{}", text(&reply));
    }

    // Copying photo.jpg in: both names probed, then a 0-byte PUT first.
    let photo: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(
        mac.send("PROPFIND", "/photo.jpg", &["Depth: 0"], b"")
            .status,
        404
    );
    assert_eq!(
        mac.send("PROPFIND", "/._photo.jpg", &["Depth: 0"], b"")
            .status,
        404
    );
    assert_eq!(mac.send("PUT", "/photo.jpg", &[], b"").status, 201);
    finder_write(&mac, "/photo.jpg", &photo);
    finder_write(&mac, "/._photo.jpg", &apple_double());
    finder_write(&mac, "/.DS_Store", b"\0\0\0\x01Bud1 view settings");
    assert_eq!(std::fs::read(root.join("photo.jpg")).expect("photo"), photo);
    assert_eq!(
        std::fs::read(root.join("._photo.jpg")).expect("._"),
        apple_double()
    );
    assert!(root.join(".DS_Store").is_file());

    // Read back by exact path, as Finder does when it opens the file.
    let back = mac.send("GET", "/._photo.jpg", &[], b"");
    assert_eq!((back.status, back.body), (200, apple_double()));

    // Never listed: not by PROPFIND Depth 1, not on the HTML page.
    let listing = mac.send(
        "PROPFIND",
        "/",
        &["Depth: 1"],
        APPLEDOUBLE_PROPFIND.as_bytes(),
    );
    assert_eq!(listing.status, 207);
    let listing = text(&listing);
    assert!(listing.contains("/photo.jpg"), "{listing}");
    assert!(
        !listing.contains("._photo") && !listing.contains("DS_Store"),
        "{listing}"
    );
    let page = mac.send("GET", "/", &[], b"");
    assert_eq!(page.status, 200);
    assert!(!text(&page).contains("._photo") && !text(&page).contains("DS_Store"));
    let names = tar_names(&curl(&[&format!("{}?download=tar", server.url)]).stdout);
    assert!(names.iter().any(|n| n.ends_with("/photo.jpg")), "{names:?}");
    assert!(
        !names
            .iter()
            .any(|n| n.contains("/._") || n.contains("DS_Store")),
        "{names:?}"
    );

    // Every other dotfile stays hidden; a Finder name only as the last segment.
    assert_eq!(mac.send("GET", "/.env", &[], b"").status, 404);
    assert_eq!(
        mac.send("PROPFIND", "/.env", &["Depth: 0"], b"").status,
        404
    );
    assert_eq!(mac.send("PUT", "/.env", &[], b"x").status, 403);
    assert_eq!(mac.send("MKCOL", "/._dir/", &[], b"").status, 403);
    assert_eq!(mac.send("PUT", "/._dir/x", &[], b"x").status, 403);
    let to_env = format!("Destination: {}", mac.url("/.env"));
    assert_eq!(
        mac.send("MOVE", "/._photo.jpg", &[&to_env], b"").status,
        403
    );
    assert_eq!(
        std::fs::read_to_string(root.join(".env")).expect("env"),
        "SECRET=1"
    );

    // Rename in Finder: the file, then its AppleDouble companion.
    for (from, to) in [
        ("/photo.jpg", "/holiday.jpg"),
        ("/._photo.jpg", "/._holiday.jpg"),
    ] {
        let dest = format!("Destination: {}", mac.url(to));
        assert_eq!(
            mac.send("MOVE", from, &[&dest, "Overwrite: F"], b"").status,
            201,
            "{from}"
        );
    }
    assert_eq!(
        std::fs::read(root.join("._holiday.jpg")).expect("moved"),
        apple_double()
    );
    // Move to the Trash: both deleted.
    for path in ["/holiday.jpg", "/._holiday.jpg", "/.DS_Store"] {
        assert_eq!(mac.send("DELETE", path, &[], b"").status, 204, "{path}");
    }
    let mut left: Vec<String> = std::fs::read_dir(root)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, vec![".env".to_string()]);
}

/// Without WebDAV writes, Finder's names are dotfiles like any other.
#[test]
fn finder_names_stay_hidden_without_webdav_writes() {
    let dir = site();
    write(dir.path(), "._a.txt", "xattrs");
    for flags in [
        &["--upload", "--overwrite"][..],
        &["--webdav-read-only"][..],
    ] {
        let server = StaticServer::start(dir.path(), flags);
        let mac = Replay {
            addr: server.addr,
            user_agent: UA,
            always: &[],
        };
        assert_eq!(
            mac.send("GET", "/._a.txt", &[], b"").status,
            404,
            "{flags:?}"
        );
        assert_eq!(
            mac.send("PUT", "/._b.txt", &[], b"x").status,
            403,
            "{flags:?}"
        );
        assert!(!dir.path().join("._b.txt").exists());
    }
}
