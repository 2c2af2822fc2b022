//! A precompressed sibling wins over on-the-fly compression: with only
//! `FILE.gz` present, a client that prefers br still gets the sibling's
//! exact bytes as gzip; without a sibling the same client gets br made on
//! the fly.
mod common;
use common::*;

#[test]
fn precompressed_sibling_preferred() {
    let dir = site();
    let text = "function main() { console.log('hello'); }\n".repeat(400);
    write(dir.path(), "with.js", &text);
    let sibling = gzip(text.as_bytes());
    write(dir.path(), "with.js.gz", &sibling);
    write(dir.path(), "without.js", &text);
    let server = StaticServer::start(dir.path(), &[]);
    let accept = "Accept-Encoding: br, gzip;q=0.9";

    let with = parse_reply(&curl(&["-i", "-H", accept, &format!("{}with.js", server.url)]).stdout);
    assert_eq!(with.header("Content-Encoding"), Some("gzip"));
    assert!(with.body == sibling, "the sibling's bytes, as stored");
    assert!(
        !with.header("ETag").expect("etag").starts_with("W/"),
        "a sibling keeps a strong tag"
    );

    let without =
        parse_reply(&curl(&["-i", "-H", accept, &format!("{}without.js", server.url)]).stdout);
    assert_eq!(without.header("Content-Encoding"), Some("br"));
    assert_eq!(without.header("Vary"), Some("Accept-Encoding"));
    let decoded = curl(&["--compressed", &format!("{}without.js", server.url)]).stdout;
    assert!(decoded == text.as_bytes());
}
