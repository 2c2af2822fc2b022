//! An HTTP lint's complaints, fixed: a directory listing carries an ETag
//! and Last-Modified and answers revalidations with 304 until an entry
//! changes; the 301 that adds the trailing slash says how long it may be
//! cached (the site's Cache-Control, or a minute under the default
//! `no-cache`, since a redirect has no validator) instead of leaving caches
//! to guess.
mod common;
use common::*;

#[test]
fn listing_revalidates_with_304_until_an_entry_changes() {
    let dir = site();
    write(dir.path(), "a.txt", "first");
    let server = StaticServer::start(dir.path(), &[]);
    let url = server.url.clone();

    let first = parse_reply(&curl(&["-i", &url]).stdout);
    assert_eq!(first.status, 200);
    assert_eq!(first.header("Cache-Control"), Some("no-cache"));
    let etag = first
        .header("ETag")
        .expect("a listing has an ETag")
        .to_string();
    let last_modified = first
        .header("Last-Modified")
        .expect("a listing has Last-Modified")
        .to_string();
    // Nothing changed: the same validators, and 304 for both kinds.
    let again = parse_reply(&curl(&["-i", &url]).stdout);
    assert_eq!(again.header("ETag"), Some(etag.as_str()));
    let inm = format!("If-None-Match: {etag}");
    let not_modified = parse_reply(&curl(&["-i", "-H", &inm, &url]).stdout);
    assert_eq!(not_modified.status, 304);
    assert_eq!(not_modified.header("ETag"), Some(etag.as_str()));
    assert!(not_modified.body.is_empty());
    assert_eq!(curl_status(&url, &["-z", &last_modified]), 304);
    // Another sort order is another page.
    let by_size = parse_reply(&curl(&["-i", "-H", &inm, &format!("{url}?sort=size")]).stdout);
    assert_eq!(by_size.status, 200);

    // A new entry: a new page, a new tag, and the old tag no longer matches.
    write(dir.path(), "b.txt", "second");
    let changed = parse_reply(&curl(&["-i", "-H", &inm, &url]).stdout);
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("ETag"), Some(etag.as_str()));
    assert!(String::from_utf8_lossy(&changed.body).contains("b.txt"));
}

#[test]
fn slash_redirect_has_the_sites_cache_policy() {
    let dir = site();
    write(dir.path(), "sub/x.txt", "x");
    let server = StaticServer::start(dir.path(), &[]);
    let reply = parse_reply(&curl(&["-i", &format!("{}sub?q=1", server.url)]).stdout);
    assert_eq!(reply.status, 301);
    assert_eq!(reply.header("Location"), Some("/sub/?q=1"));
    // No validator to revalidate a redirect with: a short lifetime
    // instead of `no-cache` (which would make it never reusable).
    assert_eq!(reply.header("Cache-Control"), Some("max-age=60"));
    assert_eq!(reply.header("ETag"), None);

    let cached = StaticServer::start(dir.path(), &["--max-age", "600"]);
    let reply = parse_reply(&curl(&["-i", &format!("{}sub", cached.url)]).stdout);
    assert_eq!(reply.status, 301);
    assert_eq!(reply.header("Cache-Control"), Some("public, max-age=600"));
}
