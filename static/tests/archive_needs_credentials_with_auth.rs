//! With `--auth`, an archive is a read like any other: 401 without
//! credentials (and no byte of the tree), the archive with them; with
//! `--auth-uploads-only` reads, archives included, stay open.
mod common;
use common::*;

#[test]
fn archive_needs_credentials_with_auth() {
    let root = site();
    write(root.path(), "dir/a.txt", "secret content");
    let server = StaticServer::start(root.path(), &["-q", "--archives", "--auth", "ann:s3cret"]);
    for format in ["tar", "tar_gz", "zip"] {
        let url = format!("{}dir/?download={format}", server.url);
        let out = curl(&["-D", "-", &url]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(text.starts_with("HTTP/1.1 401"), "{format}: {text}");
        assert!(text.contains("WWW-Authenticate: Basic"), "{text}");
        assert!(!text.contains("secret content") && !text.contains("a.txt"));
        assert_eq!(curl_status(&url, &["-u", "ann:wrong"]), 401, "{format}");
        assert_eq!(curl_status(&url, &["-u", "ann:s3cret"]), 200, "{format}");
    }
    let body = curl(&[
        "-u",
        "ann:s3cret",
        &format!("{}dir/?download=tar", server.url),
    ])
    .stdout;
    assert!(String::from_utf8_lossy(&body).contains("secret content"));

    let open = StaticServer::start(
        root.path(),
        &[
            "-q",
            "--archives",
            "--auth",
            "ann:s3cret",
            "--auth-uploads-only",
        ],
    );
    assert_eq!(
        curl_status(&format!("{}dir/?download=zip", open.url), &[]),
        200
    );
}
