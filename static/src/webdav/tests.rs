//! WebDAV through the handler, on requests built in memory: mounted under
//! a prefix, locks against PUT, and the If header.

use brisk_core::{Headers, Method, StatusCode, Version};
use brisk_server::{Body, Request, Response};

use super::{is_write, same_authority};
use crate::StaticFiles;

fn req(method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Request {
    let mut h = Headers::new();
    h.append("Host", "t");
    for (name, value) in headers {
        h.append(name, value);
    }
    let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 1));
    let method = Method::from_bytes(method.as_bytes()).expect("a method"); // ok: test
    Request::new(
        method,
        target,
        Version::Http11,
        h,
        body.as_bytes().to_vec(),
        peer,
    )
}

fn text(resp: &Response) -> String {
    match resp.body() {
        Body::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Body::Empty => String::new(),
        other => panic!("unexpected body {other:?}"),
    }
}

fn fixture() -> (tempfile::TempDir, StaticFiles) {
    let dir = tempfile::tempdir().expect("tempdir"); // ok: test setup
    std::fs::create_dir_all(dir.path().join("sub")).expect("mkdir"); // ok: test setup
    std::fs::write(dir.path().join("sub/b.txt"), "b").expect("write"); // ok: test setup
    let files = StaticFiles::new(dir.path())
        .expect("root")
        .webdav(true, false); // ok: test setup
    (dir, files)
}

const LOCKINFO: &str = r#"<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>"#;

#[test]
fn under_a_prefix_hrefs_and_destinations_keep_it() {
    let (dir, files) = fixture();
    let resp = files.serve_under("/dav", &req("PROPFIND", "/dav/sub/", &[("Depth", "1")], ""));
    assert_eq!(resp.status(), StatusCode::MULTI_STATUS);
    let body = text(&resp);
    assert!(
        body.contains("<D:href>/dav/sub/</D:href>")
            && body.contains("<D:href>/dav/sub/b.txt</D:href>"),
        "{body}"
    );
    // A Destination outside the mount names nothing we serve.
    let out = files.serve_under(
        "/dav",
        &req(
            "COPY",
            "/dav/sub/b.txt",
            &[("Destination", "/elsewhere/c.txt")],
            "",
        ),
    );
    assert_eq!(out.status(), StatusCode::FORBIDDEN);
    let ok = files.serve_under(
        "/dav",
        &req(
            "COPY",
            "/dav/sub/b.txt",
            &[("Destination", "http://t/dav/c.txt")],
            "",
        ),
    );
    assert_eq!(ok.status(), StatusCode::CREATED);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("c.txt")).expect("copied"),
        "b"
    ); // ok: test
}

#[test]
fn a_lock_guards_put_until_its_token_is_submitted() {
    let (_dir, files) = fixture();
    let lock = files.serve(&req(
        "LOCK",
        "/sub/b.txt",
        &[("Timeout", "Second-60")],
        LOCKINFO,
    ));
    assert_eq!(lock.status(), StatusCode::OK);
    let token = lock
        .headers()
        .get_str("Lock-Token")
        .expect("a token")
        .to_string(); // ok: test
    assert!(text(&lock).contains("<D:timeout>Second-60</D:timeout>"));
    let put = |headers: &[(&str, &str)]| {
        files
            .serve(&req("PUT", "/sub/b.txt", headers, "new"))
            .status()
    };
    assert_eq!(put(&[]), StatusCode::LOCKED);
    assert_eq!(
        put(&[("If", "(<opaquelocktoken:wrong>)")]),
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(
        put(&[("If", "(<opaquelocktoken:wrong>) (Not <DAV:no-lock>)")]),
        StatusCode::LOCKED
    );
    assert_eq!(put(&[("If", "(bad")]), StatusCode::BAD_REQUEST);
    let good = format!("({token})");
    assert_eq!(put(&[("If", &good)]), StatusCode::NO_CONTENT);
    // Deleting the parent needs the token too (the lock is below it).
    assert_eq!(
        files.serve(&req("DELETE", "/sub/", &[], "")).status(),
        StatusCode::LOCKED
    );
    let unlock = files.serve(&req("UNLOCK", "/sub/b.txt", &[("Lock-Token", &token)], ""));
    assert_eq!(unlock.status(), StatusCode::NO_CONTENT);
    assert_eq!(put(&[]), StatusCode::NO_CONTENT);
}

#[test]
fn propfind_depth_infinity_is_refused_with_the_precondition() {
    let (_dir, files) = fixture();
    for headers in [&[][..], &[("Depth", "infinity")][..]] {
        let resp = files.serve(&req("PROPFIND", "/", headers, ""));
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        assert!(text(&resp).contains("<D:propfind-finite-depth/>"));
    }
    let resp = files.serve(&req("PROPFIND", "/", &[("Depth", "2")], ""));
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn authorities() {
    let table = [
        ("http", "127.0.0.1:8080", "127.0.0.1:8080", true),
        ("http", "Example.COM", "example.com:80", true),
        ("https", "example.com:443", "example.com", true),
        ("http", "example.com:443", "example.com", false),
        ("http", "127.0.0.1:8081", "127.0.0.1:8080", false),
        ("http", "evil.com", "example.com", false),
        ("http", "", "example.com", false),
    ];
    for (scheme, authority, host, want) in table {
        assert_eq!(
            same_authority(scheme, authority, host),
            want,
            "{scheme} {authority} {host}"
        );
    }
}

#[test]
fn writes_are_the_methods_that_change_the_tree() {
    for m in [
        "PUT",
        "DELETE",
        "MKCOL",
        "COPY",
        "MOVE",
        "PROPPATCH",
        "LOCK",
        "UNLOCK",
        "POST",
    ] {
        assert!(
            is_write(&Method::from_bytes(m.as_bytes()).expect("a token")),
            "{m}"
        );
    }
    for m in ["GET", "HEAD", "OPTIONS", "PROPFIND", "TRACE"] {
        assert!(
            !is_write(&Method::from_bytes(m.as_bytes()).expect("a token")),
            "{m}"
        );
    }
}

#[test]
fn getetag_is_the_etag_a_get_gives() {
    let (_dir, files) = fixture();
    let get = files.serve(&req("GET", "/sub/b.txt", &[], ""));
    let etag = get
        .headers()
        .get_str("ETag")
        .expect("an ETag")
        .replace('"', "&quot;"); // ok: test
    let want = format!("<D:getetag>{etag}</D:getetag>");
    // As a member (one statx) and as the resource itself (opened by the resolver).
    for (target, depth) in [("/sub/", "1"), ("/sub/b.txt", "0")] {
        let resp = files.serve(&req("PROPFIND", target, &[("Depth", depth)], ""));
        assert!(text(&resp).contains(&want), "{target}: {}", text(&resp));
    }
}
