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
    // %b is the body's size: the 5 bytes of "hello", not the head.
    assert!(
        first.contains(" +0000] \"GET /f.txt?q=1 HTTP/1.1\" 200 5 "),
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
    // Bytes that never formed a head get a line too, as nginx logs its
    // 400s, with what the request line gave (escaped).
    let addr = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    std::io::Write::write_all(&mut s, b"BLAH /x\"y HTTP/1.1\r\n\r\n").expect("write");
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut s, &mut answer).expect("read");
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    let lines = server.log_lines(3);
    assert!(
        lines[2].contains("\"BLAH /x\\x22y HTTP/1.1\" 400 "),
        "{}",
        lines[2]
    );

    // Many requests, then SIGTERM: every line is written before the exit.
    let mut busy = StaticServer::start(dir.path(), &[]);
    let url = format!("{}f.txt", busy.url);
    let urls = vec![url.as_str(); 200];
    let mut args = vec!["-o", "/dev/null"];
    args.extend(urls);
    curl(&args);
    let status = std::process::Command::new("kill")
        .args(["-TERM", &busy.pid().to_string()])
        .status()
        .unwrap_or_else(|e| missing_peer("kill", e));
    assert!(status.success());
    let exit = busy
        .wait_exit(std::time::Duration::from_secs(10))
        .expect("exits");
    assert_eq!(exit.code(), Some(0));
    let lines = busy.log_lines(200);
    assert_eq!(lines.len(), 200);
    assert!(lines
        .iter()
        .all(|l| l.contains("\"GET /f.txt HTTP/1.1\" 200 ")));

    let quiet = StaticServer::start(dir.path(), &["--quiet"]);
    curl(&[&format!("{}f.txt", quiet.url)]);
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(quiet.log_lines(0).is_empty());
}
