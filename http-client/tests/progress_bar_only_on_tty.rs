//! The progress bar is drawn on stderr only when stderr is a terminal and
//! the body goes to a file (`script` gives the child a pseudo-terminal).
mod common;
use common::*;

#[test]
fn progress_bar_needs_a_tty_and_a_file() {
    let script = require("script", "bsdutils");
    let body: Vec<u8> = (0..8_000_000u32).map(|i| (i % 241) as u8).collect();
    let nginx = start_nginx(&[("big.bin", &body)], "");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("big.out");
    let fetch = fetch_bin();
    let url = nginx.url("/big.bin");

    // On a terminal, to a file: the bar is drawn and cleared (ESC [2K).
    let cmd = format!("{} -o {} {url}", fetch.display(), file.display());
    let out = run(&script, &["-qec", &cmd, "/dev/null"], &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read(&file).expect("output file"), body);
    let tty = String::from_utf8_lossy(&out.stdout);
    assert!(
        tty.contains("\u{1b}[2K"),
        "a progress bar on the terminal: {tty:?}"
    );

    // On a terminal, to stdout: no bar, the body only.
    let small = start_nginx(&[("a.txt", b"plain\n")], "");
    let cmd = format!("{} {}", fetch.display(), small.url("/a.txt"));
    let out = run(&script, &["-qec", &cmd, "/dev/null"], &[]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "plain\r\n");

    // Not a terminal, to a file: nothing on stderr.
    let out = fetch_env(&["-o", &file.display().to_string(), &url], &[]);
    assert_eq!(code(&out), 0);
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}
