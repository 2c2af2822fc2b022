//! Archives are off by default: `?download=` is ignored (the listing
//! comes back) and the listing has no download links. With `--archives`
//! the listing links to its three archives and an unknown format is a
//! 400; with `--no-listing` too, archives are refused like listings (403).
mod common;
use common::*;

#[test]
fn archive_links_only_with_the_flag() {
    let root = site();
    write(root.path(), "sub/a.txt", "a");

    let off = StaticServer::start(root.path(), &["-q"]);
    let reply = raw_get(off.addr, "/sub/?download=zip");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(reply.header("Content-Disposition").is_none());
    assert!(!String::from_utf8_lossy(&reply.body).contains("download="));

    let on = StaticServer::start(root.path(), &["-q", "--archives"]);
    let page = String::from_utf8_lossy(&raw_get(on.addr, "/sub/").body).into_owned();
    for format in ["tar", "tar_gz", "zip"] {
        assert!(
            page.contains(&format!("href=\"?download={format}\"")),
            "{page}"
        );
    }
    let reply = raw_get(on.addr, "/sub/?download=rar");
    assert_eq!(reply.status, 400);
    // A file is a file, whatever the query.
    assert_eq!(raw_get(on.addr, "/sub/a.txt?download=zip").body, b"a");
    // HEAD: the archive's head, no body.
    let head = raw(
        on.addr,
        b"HEAD /sub/?download=tar HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(head.status, 200);
    assert_eq!(head.header("Content-Type"), Some("application/x-tar"));
    assert!(head.body.is_empty());

    let no_listing = StaticServer::start(root.path(), &["-q", "--archives", "--no-listing"]);
    for format in ["tar", "tar_gz", "zip"] {
        let reply = raw_get(no_listing.addr, &format!("/sub/?download={format}"));
        assert_eq!(reply.status, 403, "{format}");
    }
}
