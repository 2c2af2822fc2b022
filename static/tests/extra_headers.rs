//! -H adds a header to every answer (files, listings, errors, 304) and
//! replaces a default of the same name; --max-age sets Cache-Control.
mod common;
use common::*;

#[test]
fn extra_headers() {
    let dir = site();
    write(dir.path(), "f.txt", "x");
    let server = StaticServer::start(
        dir.path(),
        &[
            "-H",
            "Access-Control-Allow-Origin: *",
            "-H",
            "Cache-Control: max-age=60",
            "--header",
            "X-Test:  spaced value ",
        ],
    );
    let file = format!("{}f.txt", server.url);
    for url in [
        file.clone(),
        server.url.clone(),
        format!("{}missing", server.url),
    ] {
        let reply = parse_reply(&curl(&["-i", &url]).stdout);
        assert_eq!(
            reply.header("Access-Control-Allow-Origin"),
            Some("*"),
            "{url}"
        );
        assert_eq!(reply.header("X-Test"), Some("spaced value"), "{url}");
    }
    let reply = parse_reply(&curl(&["-i", &file]).stdout);
    let cache: Vec<_> = reply
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("cache-control"))
        .collect();
    assert_eq!(cache.len(), 1, "{cache:?}");
    assert_eq!(cache[0].1, "max-age=60");
    let etag = reply.header("ETag").expect("etag");
    let not_modified =
        parse_reply(&curl(&["-i", "-H", &format!("If-None-Match: {etag}"), &file]).stdout);
    assert_eq!(not_modified.status, 304);
    assert_eq!(
        not_modified.header("Access-Control-Allow-Origin"),
        Some("*")
    );

    let cached = StaticServer::start(dir.path(), &["--max-age", "3600"]);
    let reply = parse_reply(&curl(&["-i", &format!("{}f.txt", cached.url)]).stdout);
    assert_eq!(reply.header("Cache-Control"), Some("public, max-age=3600"));
}
