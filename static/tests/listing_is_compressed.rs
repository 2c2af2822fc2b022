//! Directory listings are compressed like other text: `curl --compressed`
//! gets the same page as without, in fewer bytes, with `Vary:
//! Accept-Encoding` and the variant's own ETag; that tag revalidates (304,
//! no body, no Content-Encoding) for its coding only; `--no-compress`
//! sends every listing as it is.
mod common;
use common::*;

fn site_with_many_entries() -> tempfile::TempDir {
    let dir = site();
    for i in 0..200 {
        write(dir.path(), &format!("file-number-{i:03}.txt"), "x");
    }
    dir
}

#[test]
fn listings_are_compressed_with_their_own_validators() {
    let dir = site_with_many_entries();
    let server = StaticServer::start(dir.path(), &["-q"]);
    let url = server.url.clone();
    let plain = curl(&["-s", &url]).stdout;
    let decoded = curl(&["-s", "--compressed", &url]).stdout;
    assert!(
        plain == decoded,
        "the decoded listing differs from the identity one"
    );
    let wire: usize = String::from_utf8_lossy(
        &curl(&[
            "-s",
            "-o",
            "/dev/null",
            "-H",
            "Accept-Encoding: gzip",
            "-w",
            "%{size_download}",
            &url,
        ])
        .stdout,
    )
    .parse()
    .expect("size");
    assert!(
        wire * 3 < plain.len(),
        "{wire} bytes on the wire for {}",
        plain.len()
    );

    let head = |accept: &str, inm: Option<&str>| {
        let mut args = vec![
            "-s".to_string(),
            "-i".into(),
            "-H".into(),
            format!("Accept-Encoding: {accept}"),
        ];
        if let Some(tag) = inm {
            args.push("-H".into());
            args.push(format!("If-None-Match: {tag}"));
        }
        args.push(url.clone());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        parse_reply(&curl(&args).stdout)
    };
    let identity = head("identity", None);
    let gz = head("gzip", None);
    assert_eq!(gz.header("Content-Encoding"), Some("gzip"));
    assert_eq!(gz.header("Vary"), Some("Accept-Encoding"));
    assert_eq!(identity.header("Vary"), Some("Accept-Encoding"));
    let (id_tag, gz_tag) = (identity.header("ETag").unwrap(), gz.header("ETag").unwrap());
    assert_ne!(id_tag, gz_tag);
    let again = head("gzip", Some(gz_tag));
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("Content-Encoding"), None);
    assert_eq!(again.header("ETag"), Some(gz_tag));
    // The gzip tag does not revalidate the identity page, nor the reverse.
    assert_eq!(head("identity", Some(gz_tag)).status, 200);
    assert_eq!(head("gzip", Some(id_tag)).status, 200);
}

#[test]
fn no_compress_sends_listings_as_they_are() {
    let dir = site_with_many_entries();
    let server = StaticServer::start(dir.path(), &["-q", "--no-compress"]);
    let reply =
        parse_reply(&curl(&["-s", "-i", "-H", "Accept-Encoding: gzip, br", &server.url]).stdout);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("Content-Encoding"), None);
}
