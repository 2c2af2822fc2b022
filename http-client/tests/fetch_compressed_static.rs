//! `fetch --compressed` against our static handler (`StaticFiles`, its
//! on-the-fly compression on by default): a small (cached) and a big
//! (streamed) JavaScript file, written byte-identical to the files.
mod common;
use common::*;

use brisk_server::Server;
use brisk_static::StaticFiles;

fn javascript(len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0u64;
    while out.len() < len {
        i += 1;
        out.extend_from_slice(
            format!("function h{i}(e) {{ return e.detail[{}]; }}\n", i % 31).as_bytes(),
        );
    }
    out.truncate(len);
    out
}

#[test]
fn fetch_compressed_static() {
    let dir = tempfile::tempdir().expect("temp dir");
    let small = javascript(100 * 1024);
    let big = javascript(2 * 1024 * 1024 + 17);
    std::fs::write(dir.path().join("small.js"), &small).expect("write");
    std::fs::write(dir.path().join("big.js"), &big).expect("write");
    let files = StaticFiles::new(dir.path()).expect("static files");
    let server = Server::bind("127.0.0.1:0").expect("bind").workers(1);
    let addr = server.local_addr();
    let handle = server.handle();
    let thread = std::thread::spawn(move || server.serve(files));

    for (name, bytes) in [("small.js", &small), ("big.js", &big)] {
        let url = format!("http://{addr}/{name}");
        for _ in 0..2 {
            let out = fetch(&["--compressed", "-v", &url]);
            let err = stderr(&out);
            assert_eq!(code(&out), 0, "{err}");
            assert!(err.contains("< Content-Encoding: br"), "{name} {err}");
            assert!(out.stdout == *bytes, "{name}: decoded body differs");
        }
    }
    handle.shutdown();
    let _ = thread.join();
}
