//! -o and -O write bodies to files (paired with URLs in order); -w times
//! are ordered and the body bytes are exact.
mod common;
use common::*;

use std::process::Command;

#[test]
fn output_files_pair_with_urls() {
    let nginx = start_nginx(
        &[
            ("one.txt", b"1\n"),
            ("two.bin", b"2\n"),
            ("three.txt", b"3\n"),
        ],
        "",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let first = dir.path().join("first.out");
    let out = Command::new(fetch_bin())
        .current_dir(dir.path())
        .args(["-s", "-o"])
        .arg(&first)
        .args([
            "-O",
            &nginx.url("/one.txt"),
            &nginx.url("/two.bin"),
            &nginx.url("/three.txt"),
        ])
        .output()
        .expect("run fetch");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read(&first).expect("first"), b"1\n");
    assert_eq!(
        std::fs::read(dir.path().join("two.bin")).expect("remote name"),
        b"2\n"
    );
    assert_eq!(
        out.stdout, b"3\n",
        "the third URL has no output flag: stdout"
    );
}

#[test]
fn write_out_times_are_ordered() {
    let body: Vec<u8> = vec![b'z'; 100_000];
    let nginx = start_nginx(&[("z.bin", &body)], "");
    let fmt = "%{time_namelookup} %{time_connect} %{time_starttransfer} %{time_total} %{size_download} %{http_code}";
    let out = fetch(&["-s", "-o", "/dev/null", "-w", fmt, &nginx.url("/z.bin")]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let f: Vec<&str> = text.split(' ').collect();
    assert_eq!(f.len(), 6, "{text}");
    let t: Vec<f64> = f[..4].iter().map(|s| s.parse().expect("seconds")).collect();
    assert!(t[0] <= t[1] && t[1] <= t[2] && t[2] <= t[3], "{text}");
    assert_eq!((f[4], f[5]), ("100000", "200"));
}

#[test]
fn dump_header_file_collects_every_transfers_heads() {
    let nginx = start_nginx(&[("a.txt", b"A"), ("b.txt", b"B")], "");
    let dir = tempfile::tempdir().expect("tempdir");
    let heads = dir.path().join("heads.txt");
    let heads_arg = heads.display().to_string();
    let out = fetch(&[
        "-s",
        "-D",
        &heads_arg,
        &nginx.url("/a.txt"),
        &nginx.url("/b.txt"),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(out.stdout, b"AB", "bodies only on stdout");
    let text = std::fs::read_to_string(&heads).expect("dump file");
    assert_eq!(text.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{text}");
    assert!(text.ends_with("\r\n\r\n"), "{text:?}");
}
