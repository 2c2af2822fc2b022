//! `curl -z` (If-Modified-Since / If-Unmodified-Since) and ETag
//! preconditions: 304 and 412 in RFC 9110 order; If-Range.
mod common;
use common::*;

#[test]
fn conditional_requests() {
    let dir = site();
    write(dir.path(), "page.txt", "0123456789");
    let server = StaticServer::start(dir.path(), &[]);
    let url = format!("{}page.txt", server.url);

    let reply = parse_reply(&curl(&["-i", &url]).stdout);
    assert_eq!(reply.status, 200);
    let etag = reply.header("ETag").expect("ETag").to_string();
    let last_modified = reply
        .header("Last-Modified")
        .expect("Last-Modified")
        .to_string();
    assert_eq!(reply.header("Cache-Control"), Some("no-cache"));

    // curl -z DATE: If-Modified-Since
    assert_eq!(curl_status(&url, &["-z", &last_modified]), 304);
    assert_eq!(
        curl_status(&url, &["-z", "Sat, 01 Jan 2000 00:00:00 GMT"]),
        200
    );
    // curl -z -DATE: If-Unmodified-Since
    assert_eq!(
        curl_status(&url, &["-z", "-Sat, 01 Jan 2000 00:00:00 GMT"]),
        412
    );
    assert_eq!(
        curl_status(&url, &["-z", &format!("-{last_modified}")]),
        200
    );
    // an unparsable date is ignored
    assert_eq!(
        curl_status(&url, &["-H", "If-Modified-Since: yesterday"]),
        200
    );

    // If-None-Match: weak comparison, lists, *
    let inm = format!("If-None-Match: {etag}");
    let reply = parse_reply(&curl(&["-i", "-H", &inm, &url]).stdout);
    assert_eq!(reply.status, 304);
    assert!(reply.body.is_empty());
    assert_eq!(reply.header("ETag"), Some(etag.as_str()));
    assert_eq!(
        curl_status(&url, &["-H", &format!("If-None-Match: \"nope\", W/{etag}")]),
        304
    );
    assert_eq!(curl_status(&url, &["-H", "If-None-Match: *"]), 304);
    assert_eq!(curl_status(&url, &["-H", "If-None-Match: \"nope\""]), 200);
    // If-None-Match wins over If-Modified-Since
    assert_eq!(
        curl_status(
            &url,
            &["-H", "If-None-Match: \"nope\"", "-z", &last_modified]
        ),
        200
    );

    // If-Match: strong comparison
    assert_eq!(
        curl_status(&url, &["-H", &format!("If-Match: {etag}")]),
        200
    );
    assert_eq!(
        curl_status(&url, &["-H", &format!("If-Match: W/{etag}")]),
        412
    );
    assert_eq!(curl_status(&url, &["-H", "If-Match: \"nope\""]), 412);

    // If-Range: a matching validator keeps the range, a stale one sends all
    let out = curl(&["-r", "0-3", "-H", &format!("If-Range: {etag}"), &url]);
    assert_eq!(out.stdout, b"0123");
    let out = curl(&["-r", "0-3", "-H", "If-Range: \"old\"", &url]);
    assert_eq!(out.stdout, b"0123456789");
    let out = curl(&[
        "-r",
        "0-3",
        "-H",
        &format!("If-Range: {last_modified}"),
        &url,
    ]);
    assert_eq!(out.stdout, b"0123");
    let out = curl(&[
        "-r",
        "0-3",
        "-H",
        "If-Range: Sat, 01 Jan 2000 00:00:00 GMT",
        &url,
    ]);
    assert_eq!(out.stdout, b"0123456789");
}
