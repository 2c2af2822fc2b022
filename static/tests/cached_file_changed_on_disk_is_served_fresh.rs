//! The open-file cache never serves stale bytes: a file served (and so
//! cached, bytes included once it has settled) and then rewritten in
//! place with the same size, rewritten with another size, or replaced by
//! a rename, is served with its new content and a new ETag at once.
mod common;
use common::*;
use std::time::Duration;

fn get(url: &str) -> Reply {
    parse_reply(&curl(&["-i", url]).stdout)
}

#[test]
fn cached_file_changed_on_disk_is_served_fresh() {
    let dir = site();
    write(dir.path(), "page.txt", "version 1");
    // Old enough that the cache keeps the file's bytes, not only its descriptor.
    std::thread::sleep(Duration::from_millis(2200));
    let server = StaticServer::start(dir.path(), &["-q"]);
    let url = format!("{}page.txt", server.url);

    let first = get(&url);
    assert_eq!(first.body, b"version 1");
    assert_eq!(get(&url).body, b"version 1", "served again from the cache");
    let etag1 = first.header("ETag").expect("etag").to_string();

    // In place, same size: only the timestamps tell.
    std::fs::write(dir.path().join("page.txt"), "version 2").expect("rewrite");
    let second = get(&url);
    assert_eq!(second.body, b"version 2");
    assert_ne!(second.header("ETag"), Some(etag1.as_str()));
    // And again at once (the new bytes are not settled yet: read each time).
    std::fs::write(dir.path().join("page.txt"), "version 3").expect("rewrite");
    assert_eq!(get(&url).body, b"version 3");

    // Another size.
    std::fs::write(dir.path().join("page.txt"), "the fourth version").expect("rewrite");
    assert_eq!(get(&url).body, b"the fourth version");

    // Replaced by a rename (another inode), after settling again.
    std::thread::sleep(Duration::from_millis(2200));
    assert_eq!(get(&url).body, b"the fourth version");
    write(dir.path(), "next.txt", "fifth");
    std::fs::rename(dir.path().join("next.txt"), dir.path().join("page.txt")).expect("rename");
    assert_eq!(get(&url).body, b"fifth");

    // Removed: 404, not the cached bytes.
    std::fs::remove_file(dir.path().join("page.txt")).expect("rm");
    let gone = get(&url);
    assert_eq!(gone.status, 404);
    assert!(!String::from_utf8_lossy(&gone.body).contains("fifth"));
}
