//! One combined-log-format line per request on stdout, after the first
//! line; none with --quiet.
mod common;
use common::*;

#[test]
fn access_log_lines() {
    let dir = site();
    write(dir.path(), "f.txt", "hello");
    let server = StaticServer::start(dir.path(), &[]);
    assert_eq!(
        server.first_line,
        format!("serving {} at {}", dir.path().display(), server.url)
    );
    curl(&[
        "-A",
        "agent \"x\"",
        "-e",
        "http://ref/",
        &format!("{}f.txt?q=1", server.url),
    ]);
    curl(&[&format!("{}missing", server.url)]);
    let lines = server.log_lines(2);
    assert_eq!(lines.len(), 2, "{lines:?}");
    // 127.0.0.1 - - [27/Nov/2026:03:49:17 +0000] "GET /f.txt?q=1 HTTP/1.1" 200 N "http://ref/" "agent \x22x\x22"
    let first = &lines[0];
    assert!(first.starts_with("127.0.0.1 - - ["), "{first}");
    assert!(
        first.contains(" +0000] \"GET /f.txt?q=1 HTTP/1.1\" 200 "),
        "{first}"
    );
    assert!(
        first.ends_with(" \"http://ref/\" \"agent \\x22x\\x22\""),
        "{first}"
    );
    assert!(
        lines[1].contains("\"GET /missing HTTP/1.1\" 404 "),
        "{}",
        lines[1]
    );

    let quiet = StaticServer::start(dir.path(), &["--quiet"]);
    curl(&[&format!("{}f.txt", quiet.url)]);
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(quiet.log_lines(0).is_empty());
}
