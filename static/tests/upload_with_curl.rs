//! `--upload`: `curl -T FILE URL/` creates the file (201 with `Location`),
//! in a subdirectory too; an existing name gets 409 unless `--overwrite`
//! (then 204 and the file replaced); a missing parent directory is 409;
//! the listing shows the upload and no temporary file is left; a slow
//! upload (`curl --limit-rate`) completes.
mod common;
use common::*;
use std::path::Path;

/// curl -T; returns (status, headers and body as curl printed them).
fn put(file: &Path, url: &str, extra: &[&str]) -> (u16, String) {
    let mut args = vec!["-sS", "-D", "-", "-T"];
    let file = file.display().to_string();
    args.push(&file);
    args.extend_from_slice(extra);
    args.push(url);
    let out = curl(&args);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // The final status line (curl may print a 100 Continue first).
    let last = text.rsplit("HTTP/1.1 ").next().unwrap_or("");
    let status = last
        .split(' ')
        .next()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn leftovers(dir: &Path) -> Vec<String> {
    let mut names = vec![];
    for e in walk(dir) {
        let name = e.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with(".upload-") {
            names.push(name);
        }
    }
    names
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

#[test]
fn curl_t_creates_conflicts_and_overwrites() {
    let root = site();
    std::fs::create_dir(root.path().join("sub")).unwrap();
    let src = site();
    let file = src.path().join("hello world.txt");
    std::fs::write(&file, "first\n").unwrap();
    let server = StaticServer::start(root.path(), &["-q", "--upload"]);

    let (status, text) = put(&file, &server.url, &[]);
    assert_eq!(status, 201, "{text}");
    assert!(text.contains("Location: /hello%20world.txt\r\n"), "{text}");
    assert_eq!(
        std::fs::read(root.path().join("hello world.txt")).unwrap(),
        b"first\n"
    );

    let (status, _) = put(&file, &format!("{}sub/", server.url), &[]);
    assert_eq!(status, 201);
    assert!(root.path().join("sub/hello world.txt").is_file());

    std::fs::write(&file, "second\n").unwrap();
    let (status, _) = put(&file, &server.url, &[]);
    assert_eq!(status, 409, "no --overwrite");
    assert_eq!(
        std::fs::read(root.path().join("hello world.txt")).unwrap(),
        b"first\n"
    );

    let (status, _) = put(&file, &format!("{}missing/", server.url), &[]);
    assert_eq!(status, 409, "missing parent");
    assert!(!root.path().join("missing").exists());

    let listing = curl(&[&server.url]);
    assert!(String::from_utf8_lossy(&listing.stdout).contains("hello world.txt"));
    assert!(leftovers(root.path()).is_empty());
    drop(server);

    let server = StaticServer::start(root.path(), &["-q", "--upload", "--overwrite"]);
    let (status, text) = put(&file, &server.url, &[]);
    assert_eq!(status, 204, "{text}");
    assert_eq!(
        std::fs::read(root.path().join("hello world.txt")).unwrap(),
        b"second\n"
    );
    assert!(leftovers(root.path()).is_empty());
}

#[test]
fn a_slow_upload_completes() {
    let root = site();
    let src = site();
    let file = src.path().join("slow.bin");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&file, &data).unwrap();
    let server = StaticServer::start(root.path(), &["-q", "--upload"]);
    let (status, text) = put(&file, &server.url, &["--limit-rate", "200K"]);
    assert_eq!(status, 201, "{text}");
    assert_eq!(std::fs::read(root.path().join("slow.bin")).unwrap(), data);
    assert!(leftovers(root.path()).is_empty());
}

#[test]
fn uploads_are_off_by_default() {
    let root = site();
    let src = site();
    let file = src.path().join("x.txt");
    std::fs::write(&file, "x").unwrap();
    let server = StaticServer::start(root.path(), &["-q"]);
    let (status, text) = put(&file, &server.url, &[]);
    assert_eq!(status, 405, "{text}");
    assert!(!root.path().join("x.txt").exists());
    let listing = String::from_utf8_lossy(&curl(&[&server.url]).stdout).into_owned();
    assert!(
        !listing.contains("<script"),
        "no upload control without --upload"
    );
}
