//! `curl --compressed` gets `FILE.br` or `FILE.gz` with Content-Encoding,
//! Vary and an ETag per encoding; other clients get the plain file.
mod common;
use common::*;

#[test]
fn precompressed_siblings() {
    let dir = site();
    let text = "body { color: red }\n".repeat(50);
    write(dir.path(), "both.css", &text);
    write(dir.path(), "both.css.br", brotli_stored(text.as_bytes()));
    write(dir.path(), "both.css.gz", gzip(text.as_bytes()));
    write(dir.path(), "gz-only.js", &text);
    write(dir.path(), "gz-only.js.gz", gzip(text.as_bytes()));
    let server = StaticServer::start(dir.path(), &[]);
    let both = format!("{}both.css", server.url);
    let gz_only = format!("{}gz-only.js", server.url);

    // curl --compressed offers "deflate, gzip, br, zstd": br wins, decoded intact.
    let out = curl(&["--compressed", "-D", "-", "-o", "/dev/null", &both]);
    let head = String::from_utf8_lossy(&out.stdout).to_lowercase();
    assert!(head.contains("content-encoding: br"), "{head}");
    assert!(head.contains("vary: accept-encoding"), "{head}");
    assert!(
        head.contains("content-type: text/css; charset=utf-8"),
        "{head}"
    );
    assert_eq!(curl(&["--compressed", &both]).stdout, text.as_bytes());

    // gzip only
    let out = curl(&["-i", "-H", "Accept-Encoding: gzip", &both]);
    let gz = parse_reply(&out.stdout);
    assert_eq!(gz.header("Content-Encoding"), Some("gzip"));
    assert_eq!(gz.body, gzip(text.as_bytes()));
    assert_eq!(curl(&["--compressed", &gz_only]).stdout, text.as_bytes());
    let head = String::from_utf8_lossy(
        &curl(&["--compressed", "-D", "-", "-o", "/dev/null", &gz_only]).stdout,
    )
    .to_lowercase();
    assert!(head.contains("content-encoding: gzip"), "{head}");

    // no Accept-Encoding: the plain file, no Content-Encoding
    let plain = parse_reply(&curl(&["-i", &both]).stdout);
    assert_eq!(plain.header("Content-Encoding"), None);
    assert_eq!(plain.body, text.as_bytes());
    // identity only, siblings exist: plain, with Vary
    let ident = parse_reply(&curl(&["-i", "-H", "Accept-Encoding: identity", &both]).stdout);
    assert_eq!(ident.header("Content-Encoding"), None);
    assert_eq!(ident.header("Vary"), Some("Accept-Encoding"));

    // three different ETags, and a 304 only for the matching one
    let br = parse_reply(&curl(&["-i", "-H", "Accept-Encoding: br", &both]).stdout);
    let tags = [
        plain.header("ETag").expect("etag"),
        gz.header("ETag").expect("etag"),
        br.header("ETag").expect("etag"),
    ];
    assert_ne!(tags[0], tags[1]);
    assert_ne!(tags[1], tags[2]);
    assert_ne!(tags[0], tags[2]);
    let inm = format!("If-None-Match: {}", tags[2]);
    assert_eq!(
        curl_status(&both, &["-H", "Accept-Encoding: br", "-H", &inm]),
        304
    );
    assert_eq!(
        curl_status(&both, &["-H", "Accept-Encoding: gzip", "-H", &inm]),
        200
    );
}
