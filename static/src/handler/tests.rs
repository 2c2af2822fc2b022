//! The handler's unit tests: requests built in memory against a temporary tree.

use super::*;
use brisk_core::{Headers, Version};
use brisk_server::Body;

fn req(method: Method, target: &str, headers: &[(&str, &str)]) -> Request {
    let mut h = Headers::new();
    h.append("Host", "t");
    for (name, value) in headers {
        h.append(name, value);
    }
    let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 1));
    Request::new(method, target, Version::Http11, h, Vec::new(), peer)
}

fn get(target: &str) -> Request {
    req(Method::Get, target, &[])
}

fn body(resp: &Response) -> Vec<u8> {
    match resp.body() {
        Body::Empty => Vec::new(),
        Body::Bytes(b) => b.clone(),
        Body::Static(b) => b.to_vec(),
        Body::Shared(b) => b.to_vec(),
        Body::File(region) => {
            use std::os::unix::fs::FileExt;
            let mut buf = vec![0; region.len as usize];
            region
                .file
                .read_exact_at(&mut buf, region.offset)
                .expect("read region"); // ok: test
            buf
        }
        other => panic!("unexpected body {other:?}"),
    }
}

fn fixture() -> (tempfile::TempDir, StaticFiles) {
    let dir = tempfile::tempdir().expect("tempdir"); // ok: test setup
    std::fs::create_dir_all(dir.path().join("sub")).expect("mkdir"); // ok: test setup
    std::fs::write(dir.path().join("a.css"), "a{}").expect("write"); // ok: test setup
    std::fs::write(dir.path().join("sub/b.txt"), "b").expect("write"); // ok: test setup
    let files = StaticFiles::new(dir.path()).expect("root"); // ok: test setup
    (dir, files)
}

#[test]
fn mounted_under_a_prefix() {
    let (_dir, files) = fixture();
    // (target, status, Location or body fragment)
    let table = [
        ("/assets/a.css", 200, "a{}"),
        ("/assets/sub/b.txt", 200, "b"),
        ("/assets", 301, "/assets/"),
        ("/assets?v=1", 301, "/assets/?v=1"),
        ("/assets/sub", 301, "/assets/sub/"),
        ("/assets/sub?x", 301, "/assets/sub/?x"),
        ("/assets/", 200, "Index of /assets/"),
        ("/assets/sub/", 200, "Index of /assets/sub/"),
        ("/assetsx/a.css", 404, ""),
        ("/other/a.css", 404, ""),
        ("/assets/../a.css", 400, ""),
        ("/assets/sub/../../x", 400, ""),
    ];
    let post = files.serve_under("/assets", &req(Method::Post, "/assets", &[]));
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    let options = files.serve_under("/assets", &req(Method::Options, "/assets", &[]));
    assert_eq!(options.status(), StatusCode::NO_CONTENT);
    for (target, status, expect) in table {
        let resp = files.serve_under("/assets/", &get(target));
        assert_eq!(resp.status().as_u16(), status, "{target}");
        if status == 301 {
            assert_eq!(resp.headers().get_str("Location"), Some(expect), "{target}");
        } else {
            let text = String::from_utf8_lossy(&body(&resp)).into_owned();
            assert!(text.contains(expect), "{target}: {text}");
        }
    }
}

#[test]
fn methods() {
    let (_dir, files) = fixture();
    let options = files.serve(&req(Method::Options, "/a.css", &[]));
    assert_eq!(options.status(), StatusCode::NO_CONTENT);
    assert_eq!(options.headers().get_str("Allow"), Some(ALLOW));
    for m in [
        Method::Post,
        Method::Put,
        Method::Delete,
        Method::Other("BREW".into()),
    ] {
        let resp = files.serve(&req(m.clone(), "/a.css", &[]));
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED, "{m:?}");
        assert_eq!(resp.headers().get_str("Allow"), Some(ALLOW));
    }
    let head = files.serve(&req(Method::Head, "/a.css", &[("Range", "bytes=0-0")]));
    assert_eq!(head.status(), StatusCode::OK, "Range applies to GET only");
}

#[test]
fn file_headers_and_a_file_with_a_slash() {
    let (_dir, files) = fixture();
    let resp = files.serve(&get("/a.css"));
    let h = resp.headers();
    assert_eq!(h.get_str("Content-Type"), Some("text/css; charset=utf-8"));
    assert_eq!(h.get_str("Cache-Control"), Some(DEFAULT_CACHE_CONTROL));
    assert_eq!(h.get_str("Accept-Ranges"), Some("bytes"));
    assert!(h.get_str("ETag").is_some_and(|t| t.starts_with('"')));
    assert!(h
        .get_str("Last-Modified")
        .is_some_and(|t| t.ends_with(" GMT")));
    assert_eq!(body(&resp), b"a{}");
    assert_eq!(files.serve(&get("/a.css/")).status(), StatusCode::NOT_FOUND);
    assert_eq!(
        files.serve(&get("/sub/b.txt/x")).status(),
        StatusCode::NOT_FOUND
    );
}

#[test]
fn repeated_if_none_match_lines_are_one_list() {
    let (_dir, files) = fixture();
    let etag = files
        .serve(&get("/a.css"))
        .headers()
        .get_str("ETag")
        .map(str::to_string);
    let etag = etag.expect("etag"); // ok: checked by the test above
    let resp = files.serve(&req(
        Method::Get,
        "/a.css",
        &[("If-None-Match", "\"other\""), ("If-None-Match", &etag)],
    ));
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    assert!(matches!(resp.body(), Body::Empty));
}

#[test]
fn extra_headers_replace_defaults_once() {
    let (_dir, files) = fixture();
    let files = files
        .header("Cache-Control", "max-age=5")
        .header("Link", "<a>")
        .header("link", "<b>");
    let resp = files.serve(&get("/a.css"));
    let cache: Vec<_> = resp.headers().get_all("Cache-Control").collect();
    assert_eq!(cache, vec![&b"max-age=5"[..]]);
    assert_eq!(resp.headers().get_all("Link").count(), 2);
    let missing = files.serve(&get("/missing"));
    assert_eq!(missing.headers().get_all("Link").count(), 2);
}

#[test]
fn new_refuses_a_file_or_nothing() {
    let (dir, _files) = fixture();
    assert!(StaticFiles::new(dir.path().join("a.css")).is_err());
    assert!(StaticFiles::new(dir.path().join("nope")).is_err());
}

/// A half-written upload's temporary file is neither listed nor served,
/// even with dotfiles shown (other dotfiles are).
#[test]
fn upload_parts_stay_hidden_with_dotfiles() {
    let dir = tempfile::tempdir().expect("tempdir"); // ok: test setup
    let part = crate::resolve::upload_part_name(1, 2);
    std::fs::write(dir.path().join(&part), "half").expect("write"); // ok: test setup
    std::fs::write(dir.path().join(".seen"), "x").expect("write"); // ok: test setup
    let files = StaticFiles::new(dir.path()).expect("root").dotfiles(true); // ok: test setup
    let listing = String::from_utf8(body(&files.call(&get("/")))).expect("utf-8"); // ok: test
    assert!(listing.contains(".seen"), "{listing}");
    assert!(!listing.contains(".upload-"), "{listing}");
    assert_eq!(files.call(&get(&format!("/{part}"))).status().as_u16(), 404);
    assert_eq!(files.call(&get("/.seen")).status().as_u16(), 200);
}
