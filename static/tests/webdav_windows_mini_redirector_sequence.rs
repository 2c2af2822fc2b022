//! Windows' WebDAV mini-redirector (Explorer, `net use`), replayed over a
//! real socket against `static --webdav` with the requests it is
//! documented and logged to send (there is no Windows here): `OPTIONS`
//! and `PROPFIND` with its `Win32*` properties (namespace
//! `urn:schemas-microsoft-com:`), a copy into the share as a 0-byte `PUT`,
//! `LOCK`, `PROPPATCH` of the `Win32*` times and attributes, the real
//! `PUT` under the lock, `UNLOCK`; a rename by `MOVE`, a replace by `MOVE`
//! with `Overwrite: T`, and a `DELETE`. Every step's status is the one
//! the redirector accepts, and the tree on disk is what Explorer showed.
mod common;
use common::dav::{lock_token, Replay};
use common::*;

const UA: &str = "Microsoft-WebDAV-MiniRedir/10.0.19045";
/// Sent on every request by the redirector.
const ALWAYS: &[&str] = &[
    "translate: f",
    "Cache-Control: no-cache",
    "Pragma: no-cache",
];

const WIN32_PROPFIND: &str = r#"<?xml version="1.0" encoding="utf-8" ?><D:propfind xmlns:D="DAV:"><D:prop xmlns:Z="urn:schemas-microsoft-com:"><D:creationdate/><D:displayname/><D:getcontentlength/><D:getlastmodified/><D:resourcetype/><Z:Win32CreationTime/><Z:Win32LastAccessTime/><Z:Win32LastModifiedTime/><Z:Win32FileAttributes/></D:prop></D:propfind>"#;

const WIN32_PROPPATCH: &str = r#"<?xml version="1.0" encoding="utf-8" ?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop><Z:Win32CreationTime>Mon, 07 Dec 2026 10:00:00 GMT</Z:Win32CreationTime><Z:Win32LastAccessTime>Mon, 07 Dec 2026 10:00:01 GMT</Z:Win32LastAccessTime><Z:Win32LastModifiedTime>Mon, 07 Dec 2026 10:00:02 GMT</Z:Win32LastModifiedTime><Z:Win32FileAttributes>00000020</Z:Win32FileAttributes></D:prop></D:set></D:propertyupdate>"#;

const LOCKINFO: &str = r#"<?xml version="1.0" encoding="utf-8" ?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner><D:href>DESKTOP-1\alice</D:href></D:owner></D:lockinfo>"#;

fn text(reply: &Reply) -> String {
    String::from_utf8_lossy(&reply.body).into_owned()
}

#[test]
fn webdav_windows_mini_redirector_sequence() {
    let dir = site();
    write(dir.path(), "Documents/report.docx", "old report");
    let server = StaticServer::start(dir.path(), &["--webdav", "-q"]);
    let win = Replay {
        addr: server.addr,
        user_agent: UA,
        always: ALWAYS,
    };
    let root = dir.path();

    // Mapping the drive: OPTIONS, then PROPFIND of the root at Depth 0 and 1.
    let options = win.send("OPTIONS", "/", &[], b"");
    assert_eq!(options.status, 200);
    assert_eq!(options.header("DAV"), Some("1, 2"));
    assert_eq!(options.header("MS-Author-Via"), Some("DAV"));
    assert!(options.header("Allow").is_some_and(|a| a.contains("LOCK")));
    for depth in ["0", "1"] {
        let listing = win.send(
            "PROPFIND",
            "/",
            &[&format!("Depth: {depth}"), "Content-Type: text/xml"],
            WIN32_PROPFIND.as_bytes(),
        );
        assert_eq!(listing.status, 207, "{}", text(&listing));
        // The redirector reads a multistatus by its length, not chunked.
        assert!(
            listing.header("Content-Length").is_some(),
            "{:?}",
            listing.headers
        );
        let body = text(&listing);
        assert!(
            body.contains("<D:collection/>") || body.contains("collection"),
            "{body}"
        );
        assert_eq!(body.contains("Documents/"), depth == "1", "{body}");
    }
    // A directory without its trailing slash, as Explorer asks.
    let folder = win.send(
        "PROPFIND",
        "/Documents",
        &["Depth: 1"],
        WIN32_PROPFIND.as_bytes(),
    );
    assert_eq!(folder.status, 207);
    assert!(text(&folder).contains("report.docx"));

    // An empty PROPFIND body means allprop (RFC 4918 9.1).
    let allprop = win.send("PROPFIND", "/Documents/report.docx", &["Depth: 0"], b"");
    assert_eq!(allprop.status, 207);
    assert!(text(&allprop).contains("<D:getcontentlength>10</D:getcontentlength>"));

    // Copying notes.txt in: not there, a 0-byte PUT, LOCK, PROPPATCH, PUT, UNLOCK.
    let path = "/Documents/notes.txt";
    assert_eq!(win.send("PROPFIND", path, &["Depth: 0"], b"").status, 404);
    assert_eq!(win.send("PUT", path, &[], b"").status, 201);
    let lock = win.send(
        "LOCK",
        path,
        &[
            "Timeout: Second-3600",
            "Content-Type: text/xml; charset=\"utf-8\"",
        ],
        LOCKINFO.as_bytes(),
    );
    assert_eq!(lock.status, 200, "{}", text(&lock));
    let token = lock_token(&lock);
    assert!(
        text(&lock).contains("DESKTOP-1\\alice"),
        "owner echoed: {}",
        text(&lock)
    );
    let if_token = format!("If: ({token})");
    // Without the token, another client is kept out.
    assert_eq!(win.send("PUT", path, &[], b"intruder").status, 423);
    let patched = win.send("PROPPATCH", path, &[&if_token], WIN32_PROPPATCH.as_bytes());
    assert_eq!(patched.status, 207, "{}", text(&patched));
    assert!(text(&patched).contains("200 OK"), "{}", text(&patched));
    assert_eq!(
        win.send("PUT", path, &[&if_token], b"meeting notes").status,
        204
    );
    let unlock = win.send("UNLOCK", path, &[&format!("Lock-Token: {token}")], b"");
    assert_eq!(unlock.status, 204);
    assert_eq!(
        std::fs::read_to_string(root.join("Documents/notes.txt")).expect("put"),
        "meeting notes"
    );

    // The Win32 properties come back as Explorer set them.
    let props = win.send("PROPFIND", path, &["Depth: 0"], WIN32_PROPFIND.as_bytes());
    assert_eq!(props.status, 207);
    let body = text(&props);
    assert!(body.contains("urn:schemas-microsoft-com:"), "{body}");
    assert!(body.contains("Mon, 07 Dec 2026 10:00:02 GMT"), "{body}");
    assert!(body.contains("00000020"), "{body}");
    assert!(
        body.contains("<D:getcontentlength>13</D:getcontentlength>"),
        "{body}"
    );

    // GET with translate: f gets the bytes as stored.
    let got = win.send("GET", path, &[], b"");
    assert_eq!(
        (got.status, got.body.as_slice()),
        (200, &b"meeting notes"[..])
    );

    // Rename in Explorer: MOVE, Overwrite: F.
    let dest = format!("Destination: {}", win.url("/Documents/minutes.txt"));
    assert_eq!(
        win.send("MOVE", path, &[&dest, "Overwrite: F"], b"").status,
        201
    );
    // Replace an existing file: MOVE onto it with Overwrite: T.
    let dest = format!("Destination: {}", win.url("/Documents/report.docx"));
    let replaced = win.send(
        "MOVE",
        "/Documents/minutes.txt",
        &[&dest, "Overwrite: T"],
        b"",
    );
    assert_eq!(replaced.status, 204);
    assert_eq!(
        std::fs::read_to_string(root.join("Documents/report.docx")).expect("moved"),
        "meeting notes"
    );
    // The dead properties went with the file.
    let moved = win.send(
        "PROPFIND",
        "/Documents/report.docx",
        &["Depth: 0"],
        WIN32_PROPFIND.as_bytes(),
    );
    assert!(
        text(&moved).contains("Mon, 07 Dec 2026 10:00:02 GMT"),
        "{}",
        text(&moved)
    );
    // Without Overwrite permission an existing target is kept: 412.
    write(root, "Documents/keep.txt", "keep");
    let dest = format!("Destination: {}", win.url("/Documents/keep.txt"));
    assert_eq!(
        win.send(
            "MOVE",
            "/Documents/report.docx",
            &[&dest, "Overwrite: F"],
            b""
        )
        .status,
        412
    );

    // New folder, then delete it and a file.
    assert_eq!(win.send("MKCOL", "/New%20folder", &[], b"").status, 201);
    assert!(root.join("New folder").is_dir());
    assert_eq!(win.send("DELETE", "/New%20folder", &[], b"").status, 204);
    assert_eq!(
        win.send("DELETE", "/Documents/keep.txt", &[], b"").status,
        204
    );
    assert_eq!(
        common::dav::tree_listing(root),
        vec![
            "Documents/".to_string(),
            "Documents/report.docx".to_string()
        ]
    );
}
