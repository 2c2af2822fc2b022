//! `--no-compress` turns on-the-fly compression off: a text file goes out
//! as it is (precompressed siblings are still served).
mod common;
use common::*;

#[test]
fn no_compress_flag() {
    let dir = site();
    let text = "body { color: red }\n".repeat(500);
    write(dir.path(), "a.css", &text);
    write(dir.path(), "b.css", &text);
    write(dir.path(), "b.css.gz", gzip(text.as_bytes()));
    let server = StaticServer::start(dir.path(), &["--no-compress"]);
    let a = parse_reply(
        &curl(&[
            "-i",
            "-H",
            "Accept-Encoding: gzip, br, zstd",
            &format!("{}a.css", server.url),
        ])
        .stdout,
    );
    assert_eq!(a.header("Content-Encoding"), None);
    assert!(a.body == text.as_bytes());
    let b = parse_reply(
        &curl(&[
            "-i",
            "-H",
            "Accept-Encoding: gzip",
            &format!("{}b.css", server.url),
        ])
        .stdout,
    );
    assert_eq!(b.header("Content-Encoding"), Some("gzip"));
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_static"))
        .arg("--help")
        .output()
        .expect("run static --help");
    assert!(String::from_utf8_lossy(&help.stdout).contains("--no-compress"));
}
