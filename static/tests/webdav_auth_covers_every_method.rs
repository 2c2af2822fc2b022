//! With --auth every WebDAV method needs credentials; with
//! --auth-uploads-only the reads (GET, PROPFIND, OPTIONS) are open and
//! every method that writes needs them.
mod common;
use common::dav::dav;
use common::*;

const PROPFIND: &str =
    r#"<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>"#;
const LOCKINFO: &str = r#"<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>"#;
const PROPPATCH: &str = r#"<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><Z:a xmlns:Z="urn:z">1</Z:a></D:prop></D:set></D:propertyupdate>"#;

/// (method, path, headers, body, whether it writes)
fn requests(url: &str) -> Vec<(&'static str, String, Vec<String>, &'static str, bool)> {
    vec![
        ("GET", format!("{url}f.txt"), vec![], "", false),
        ("HEAD", format!("{url}f.txt"), vec![], "", false),
        ("OPTIONS", format!("{url}f.txt"), vec![], "", false),
        (
            "PROPFIND",
            url.to_string(),
            vec!["Depth: 1".into()],
            PROPFIND,
            false,
        ),
        ("PUT", format!("{url}new.txt"), vec![], "data", true),
        ("PROPPATCH", format!("{url}f.txt"), vec![], PROPPATCH, true),
        ("MKCOL", format!("{url}col"), vec![], "", true),
        (
            "COPY",
            format!("{url}f.txt"),
            vec![format!("Destination: {url}c.txt")],
            "",
            true,
        ),
        (
            "MOVE",
            format!("{url}c.txt"),
            vec![format!("Destination: {url}m.txt")],
            "",
            true,
        ),
        (
            "LOCK",
            format!("{url}f.txt"),
            vec!["Timeout: Second-60".into()],
            LOCKINFO,
            true,
        ),
        (
            "UNLOCK",
            format!("{url}f.txt"),
            vec!["Lock-Token: <opaquelocktoken:x>".into()],
            "",
            true,
        ),
        ("DELETE", format!("{url}m.txt"), vec![], "", true),
    ]
}

fn status(method: &str, target: &str, headers: &[String], body: &str, creds: bool) -> u16 {
    let mut h: Vec<&str> = headers.iter().map(String::as_str).collect();
    // alice:s3cret
    if creds {
        h.push("Authorization: Basic YWxpY2U6czNjcmV0");
    }
    if method == "HEAD" {
        let mut args = vec!["-I"];
        for header in &h {
            args.extend(["-H", header]);
        }
        return curl_status(target, &args);
    }
    dav(method, target, &h, body).status
}

#[test]
fn webdav_auth_covers_every_method() {
    let dir = site();
    write(dir.path(), "f.txt", "x");
    let everything = StaticServer::start(dir.path(), &["--webdav", "-q", "--auth", "alice:s3cret"]);
    for (method, target, headers, body, _) in requests(&everything.url) {
        assert_eq!(
            status(method, &target, &headers, body, false),
            401,
            "{method} without credentials"
        );
    }
    for (method, target, headers, body, _) in requests(&everything.url) {
        let got = status(method, &target, &headers, body, true);
        // UNLOCK of an unknown token: 409, and HEAD comes through curl -I
        assert!(
            (200..300).contains(&got) || (method == "UNLOCK" && got == 409),
            "{method}: {got}"
        );
    }
    drop(everything);

    write(dir.path(), "f.txt", "x");
    let writes_only = StaticServer::start(
        dir.path(),
        &[
            "--webdav",
            "-q",
            "--auth",
            "alice:s3cret",
            "--auth-uploads-only",
        ],
    );
    for (method, target, headers, body, writes) in requests(&writes_only.url) {
        let got = status(method, &target, &headers, body, false);
        if writes {
            assert_eq!(got, 401, "{method} without credentials");
        } else {
            assert!((200..300).contains(&got), "{method}: {got}");
        }
    }
}
