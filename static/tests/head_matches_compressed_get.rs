//! HEAD gets the head GET gets for a compressed file: Content-Encoding,
//! Vary, the variant's ETag, and the same framing (a Content-Length for a
//! small file, chunked for a big one), without a body.
mod common;
use common::*;

fn fields(reply: &Reply) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = reply
        .headers
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("date"))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect();
    out.sort();
    out
}

#[test]
fn head_matches_compressed_get() {
    let dir = site();
    let text = "<p>paragraph</p>\n".repeat(4000);
    write(dir.path(), "small.html", &text);
    write(dir.path(), "big.html", text.repeat(30));
    let server = StaticServer::start(dir.path(), &[]);
    for name in ["small.html", "big.html"] {
        let url = format!("{}{name}", server.url);
        let get = curl(&[
            "-D",
            "-",
            "-o",
            "/dev/null",
            "-H",
            "Accept-Encoding: gzip",
            &url,
        ]);
        let head = curl(&["-I", "-H", "Accept-Encoding: gzip", &url]);
        let get = parse_reply(&get.stdout);
        let head = parse_reply(&head.stdout);
        assert_eq!(get.header("Content-Encoding"), Some("gzip"));
        assert_eq!(fields(&get), fields(&head), "{name}");
        assert!(head.body.is_empty());
    }
}
