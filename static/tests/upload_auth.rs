//! `--auth USER:PASS` (repeatable): 401 with `WWW-Authenticate` without
//! or with wrong credentials, 200 with either pair; `--auth-uploads-only`
//! leaves reads open and refuses a PUT without credentials before its body
//! is sent (curl uploads 0 bytes); credentials never reach the log.
mod common;
use common::*;

#[test]
fn basic_auth_for_every_request() {
    let root = site();
    write(root.path(), "a.txt", "secret content");
    let server = StaticServer::start(
        root.path(),
        &["--auth", "ann:s3cret", "--auth", "bob:pa:ss"],
    );
    let url = format!("{}a.txt", server.url);
    let out = curl(&["-D", "-", &url]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.starts_with("HTTP/1.1 401"), "{text}");
    assert!(
        text.contains("WWW-Authenticate: Basic realm=\"static\""),
        "{text}"
    );
    assert!(!text.contains("secret content"));
    assert_eq!(curl_status(&url, &["-u", "ann:wrong"]), 401);
    assert_eq!(curl_status(&url, &["-u", "ann:s3cre"]), 401);
    assert_eq!(curl_status(&url, &["-u", "ann:s3cret"]), 200);
    assert_eq!(curl_status(&url, &["-u", "bob:pa:ss"]), 200);
    let lines = server.log_lines(5);
    assert_eq!(lines.len(), 5, "{lines:?}");
    for line in &lines {
        assert!(!line.contains("s3cret") && !line.contains("YW5u"), "{line}");
    }
}

#[test]
fn uploads_only() {
    let root = site();
    write(root.path(), "a.txt", "open");
    let src = site();
    let file = src.path().join("up.bin");
    std::fs::write(&file, vec![5u8; 3 << 20]).unwrap();
    let file = file.display().to_string();
    let server = StaticServer::start(
        root.path(),
        &["-q", "--upload", "--auth", "u:p", "--auth-uploads-only"],
    );
    assert_eq!(curl_status(&format!("{}a.txt", server.url), &[]), 200);
    let refused = curl(&[
        "-T",
        &file,
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{size_upload}",
        &server.url,
    ]);
    assert_eq!(String::from_utf8_lossy(&refused.stdout), "401 0");
    assert!(!root.path().join("up.bin").exists());
    let ok = curl(&[
        "-T",
        &file,
        "-u",
        "u:p",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        &server.url,
    ]);
    assert_eq!(String::from_utf8_lossy(&ok.stdout), "201");
    assert_eq!(
        std::fs::metadata(root.path().join("up.bin")).unwrap().len(),
        3 << 20
    );
}
