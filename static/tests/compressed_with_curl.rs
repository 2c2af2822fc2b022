//! `curl --compressed` against `static` with no precompressed siblings:
//! gzip, br and zstd each decoded by curl to the file's bytes, for a small
//! file (compressed whole, then cached) and a big one (compressed as it is
//! sent, chunked).
mod common;
use common::*;

fn javascript(len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0u64;
    while out.len() < len {
        i += 1;
        let line = format!(
            "export function render{i}(node) {{ return node.children[{}] ?? null; }}\n",
            i % 17
        );
        out.extend_from_slice(line.as_bytes());
    }
    out.truncate(len);
    out
}

#[test]
fn compressed_with_curl() {
    let dir = site();
    let small = javascript(100 * 1024);
    let big = javascript(3 * 1024 * 1024);
    write(dir.path(), "app.js", &small);
    write(dir.path(), "big.js", &big);
    let server = StaticServer::start(dir.path(), &[]);
    for (name, bytes, framing) in [
        ("app.js", &small, "content-length"),
        ("big.js", &big, "transfer-encoding: chunked"),
    ] {
        let url = format!("{}{name}", server.url);
        for coding in ["gzip", "br", "zstd"] {
            let accept = format!("Accept-Encoding: {coding}");
            // Twice: the second small-file answer comes from the cache.
            for _ in 0..2 {
                let head_file = dir.path().join("head.txt");
                let head_path = head_file.to_str().expect("utf-8 temp path");
                let out = curl(&["--compressed", "-H", &accept, "-D", head_path, &url]);
                let head = std::fs::read_to_string(&head_file)
                    .expect("head")
                    .to_lowercase();
                assert!(
                    head.contains(&format!("content-encoding: {coding}")),
                    "{name} {head}"
                );
                assert!(head.contains("vary: accept-encoding"), "{head}");
                assert!(head.contains(framing), "{name} {head}");
                assert!(
                    head.contains(&format!("-{coding}\"")),
                    "variant etag: {head}"
                );
                assert_eq!(out.stdout.len(), bytes.len(), "{name} {coding}");
                assert!(
                    out.stdout == *bytes,
                    "{name} {coding}: decoded body differs"
                );
            }
        }
        // The bytes on the wire are smaller than the file.
        let raw_len = curl(&[
            "-H",
            "Accept-Encoding: br",
            "-w",
            "%{size_download}",
            "-o",
            "/dev/null",
            &url,
        ]);
        let wire: usize = String::from_utf8_lossy(&raw_len.stdout)
            .trim()
            .parse()
            .expect("size");
        assert!(wire < bytes.len() / 3, "{name}: {wire} bytes on the wire");
    }
}
