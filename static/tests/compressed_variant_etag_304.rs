//! Each compressed variant has its own ETag (the identity tag, weak, with
//! the coding appended): If-None-Match with the variant's tag gets 304
//! for that coding only; the identity tag does not revalidate a variant.
mod common;
use common::*;

#[test]
fn compressed_variant_etag_304() {
    let dir = site();
    let text = "<li class=\"item\">an item of a long list</li>\n".repeat(500);
    write(dir.path(), "list.html", &text);
    write(dir.path(), "big.html", text.repeat(60));
    let server = StaticServer::start(dir.path(), &[]);
    for name in ["list.html", "big.html"] {
        let url = format!("{}{name}", server.url);
        let get = |accept: &str, inm: Option<&str>| {
            let mut args = vec![
                "-i".to_string(),
                "-H".to_string(),
                format!("Accept-Encoding: {accept}"),
            ];
            if let Some(tag) = inm {
                args.push("-H".to_string());
                args.push(format!("If-None-Match: {tag}"));
            }
            args.push(url.clone());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            parse_reply(&curl(&args).stdout)
        };
        let plain = get("identity", None);
        let gz = get("gzip", None);
        let br = get("br", None);
        let plain_tag = plain.header("ETag").expect("etag").to_string();
        let gz_tag = gz.header("ETag").expect("etag").to_string();
        let br_tag = br.header("ETag").expect("etag").to_string();
        let expected = format!("W/\"{}-gzip\"", plain_tag.trim_matches('"'));
        assert_eq!(gz_tag, expected, "{name}");
        assert_ne!(gz_tag, br_tag);

        let not_modified = get("gzip", Some(&gz_tag));
        assert_eq!(not_modified.status, 304, "{name}");
        assert_eq!(not_modified.header("ETag"), Some(gz_tag.as_str()));
        assert_eq!(not_modified.header("Vary"), Some("Accept-Encoding"));
        assert!(not_modified.body.is_empty());
        // The gzip tag does not revalidate the br variant, nor identity.
        assert_eq!(get("br", Some(&gz_tag)).status, 200, "{name}");
        assert_eq!(get("identity", Some(&gz_tag)).status, 200, "{name}");
        assert_eq!(get("gzip", Some(&plain_tag)).status, 200, "{name}");
        assert_eq!(get("identity", Some(&plain_tag)).status, 304, "{name}");
    }
}
