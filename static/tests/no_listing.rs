//! --no-listing: a directory without index.html is 403; index.html and
//! files are still served.
mod common;
use common::*;

#[test]
fn no_listing() {
    let dir = site();
    write(dir.path(), "plain/a.txt", "a");
    write(dir.path(), "site/index.html", "home");
    let server = StaticServer::start(dir.path(), &["--no-listing"]);
    assert_eq!(curl_status(&server.url, &[]), 403);
    assert_eq!(curl_status(&format!("{}plain/", server.url), &[]), 403);
    let out = curl(&[&format!("{}plain/", server.url)]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("a.txt"));
    assert_eq!(curl(&[&format!("{}plain/a.txt", server.url)]).stdout, b"a");
    assert_eq!(curl(&[&format!("{}site/", server.url)]).stdout, b"home");
}
