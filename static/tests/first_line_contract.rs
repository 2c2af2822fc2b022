//! The first stdout line is exactly `serving DIR at http://HOST:PORT/`
//! with the real bound port, for IPv4 and (where the host has it) IPv6,
//! and the URL it names answers.
mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn first_line_contract() {
    let dir = site();
    write(dir.path(), "index.html", "home");
    let v4 = StaticServer::start(dir.path(), &["-q"]);
    let expected = format!(
        "serving {} at http://127.0.0.1:{}/",
        dir.path().display(),
        v4.addr.port()
    );
    assert_eq!(v4.first_line, expected);
    assert_ne!(v4.addr.port(), 0);
    assert_eq!(curl(&[&v4.url]).stdout, b"home");

    if std::net::TcpListener::bind("[::1]:0").is_err() {
        // The machine has no [::1] (a kernel or container setting, not a
        // missing program): nothing to test the IPv6 half against.
        eprintln!(
            "this machine has no IPv6 loopback ([::1] cannot be bound): the IPv6 half is \
             skipped; the IPv4 half passed"
        );
        return;
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_static"))
        .args(["-q", "-a", "[::1]:0", "."])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send((read.is_ok(), line));
    });
    let (read, line) = rx
        .recv_timeout(STEP_TIMEOUT)
        .unwrap_or((false, String::new()));
    let url = line
        .trim()
        .strip_prefix("serving . at ")
        .map(str::to_string);
    let body = url.as_deref().map(|u| curl(&["-g", u]).stdout);
    let _ = child.kill();
    let _ = child.wait();
    assert!(read, "no first line within {STEP_TIMEOUT:?}");
    let url = url.unwrap_or_else(|| panic!("first line {line:?}"));
    assert!(
        url.starts_with("http://[::1]:") && url.ends_with('/'),
        "{url}"
    );
    assert_eq!(body.as_deref(), Some(&b"home"[..]));
}
