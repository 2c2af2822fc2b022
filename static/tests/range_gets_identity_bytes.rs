//! A Range request with Accept-Encoding is served from the identity bytes
//! (as nginx does): 206 with the file's bytes, no Content-Encoding, the
//! identity (strong) ETag.
mod common;
use common::*;

#[test]
fn range_gets_identity_bytes() {
    let dir = site();
    let text = "const answer = 42; // the same line again and again\n".repeat(400);
    write(dir.path(), "app.js", &text);
    let server = StaticServer::start(dir.path(), &[]);
    let url = format!("{}app.js", server.url);
    let reply = parse_reply(
        &curl(&[
            "-i",
            "-H",
            "Accept-Encoding: gzip, br, zstd",
            "-r",
            "100-199",
            &url,
        ])
        .stdout,
    );
    assert_eq!(reply.status, 206);
    assert_eq!(reply.header("Content-Encoding"), None);
    assert_eq!(
        reply.header("Content-Range"),
        Some(format!("bytes 100-199/{}", text.len()).as_str())
    );
    assert!(reply.body == text.as_bytes()[100..200]);
    let etag = reply.header("ETag").expect("etag");
    assert!(!etag.starts_with("W/"), "{etag}");
    // If-Range with that tag still applies the range.
    let if_range = format!("If-Range: {etag}");
    let again = parse_reply(
        &curl(&[
            "-i",
            "-H",
            "Accept-Encoding: gzip",
            "-H",
            &if_range,
            "-r",
            "0-9",
            &url,
        ])
        .stdout,
    );
    assert_eq!(again.status, 206);
    assert!(again.body == text.as_bytes()[..10]);
}
