//! Several URLs in one run share one keep-alive connection to nginx.
mod common;
use common::*;

#[test]
fn several_urls_reuse_one_connection() {
    let nginx = start_nginx(&[("a.txt", b"alpha\n"), ("b.txt", b"bravo\n")], "");
    let out = fetch(&[
        "-v",
        &nginx.url("/a.txt"),
        &nginx.url("/b.txt"),
        &nginx.url("/a.txt"),
    ]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert_eq!(out.stdout, b"alpha\nbravo\nalpha\n");
    assert_eq!(err.matches("Connected to").count(), 1, "{err}");
    assert_eq!(
        err.matches("Re-using existing connection #0").count(),
        2,
        "{err}"
    );
    assert!(err.contains("> GET /b.txt HTTP/1.1"), "{err}");
    assert!(err.contains("< HTTP/1.1 200 OK"), "{err}");
}

#[test]
fn library_client_reuses_and_reports_it() {
    let nginx = start_nginx(&[("a.txt", b"alpha\n")], "");
    let client = brisk_client::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build();
    let r1 = client.get(&nginx.url("/a.txt")).send().expect("first");
    assert!(!r1.reused_connection());
    assert_eq!(r1.text(1024).expect("body"), "alpha\n");
    assert_eq!(client.idle_connections(), 1);
    let r2 = client.get(&nginx.url("/a.txt")).send().expect("second");
    assert!(r2.reused_connection());
    assert_eq!(r2.bytes(1024).expect("body"), b"alpha\n");
}
