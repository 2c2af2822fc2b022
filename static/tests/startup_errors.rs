//! A bad flag, a missing directory, a port in use, a bad header: one line
//! on stderr, nothing on stdout, a non-zero exit.
mod common;
use common::*;
use std::process::Command;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_static"))
        .args(args)
        .output()
        .expect("run static")
}

#[test]
fn startup_errors() {
    let dir = site();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let taken_addr = taken.local_addr().expect("addr").to_string();
    let missing = dir.path().join("nope");
    let file = dir.path().join("file");
    write(dir.path(), "file", "x");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--bogus"], "--bogus"),
        (vec!["-a"], "-a"),
        (vec!["-w", "many"], "many"),
        (
            vec!["-a", "127.0.0.1:0", missing.to_str().expect("utf-8")],
            "nope",
        ),
        (
            vec!["-a", "127.0.0.1:0", file.to_str().expect("utf-8")],
            "file",
        ),
        (
            vec!["-a", &taken_addr, dir.path().to_str().expect("utf-8")],
            &taken_addr,
        ),
        (
            vec!["-a", "not-an-address", dir.path().to_str().expect("utf-8")],
            "not-an-address",
        ),
        (
            vec![
                "-a",
                "127.0.0.1:0",
                "-H",
                "NoColon",
                dir.path().to_str().expect("utf-8"),
            ],
            "NoColon",
        ),
        (
            vec![
                "-a",
                "127.0.0.1:0",
                "-H",
                "Bad Name: x",
                dir.path().to_str().expect("utf-8"),
            ],
            "Bad Name",
        ),
    ];
    for (args, mention) in cases {
        let out = run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr:?}");
        assert!(stderr.contains(mention), "{args:?}: {stderr:?}");
    }
    // --help and --version are not errors.
    assert!(run(&["--help"]).status.success());
    assert!(run(&["--version"]).status.success());
}
