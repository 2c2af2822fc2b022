//! `fetch --compressed` against our http-server with its compression step
//! (`brisk_server::compress`): bytes, streamed and file bodies in gzip, br
//! and zstd, each written byte-identical to the original; `--compressed`
//! with `-H "Accept-Encoding: X"` asks for one coding, as curl does.
mod common;
use common::*;

use std::io::Write;
use std::sync::Arc;

use brisk_server::{compress, FileRegion, Request, Response, Server, StatusCode};

fn json() -> Vec<u8> {
    let items: Vec<String> = (0..6000)
        .map(|i| format!("{{\"id\":{i},\"name\":\"item {}\"}}", i % 97))
        .collect();
    format!("[{}]\n", items.join(",")).into_bytes()
}

#[test]
fn fetch_compressed_own_server() {
    let body = Arc::new(json());
    let mut file = tempfile::tempfile().expect("temp file");
    file.write_all(&body).expect("write");
    let file = Arc::new(file);
    let (b, f) = (Arc::clone(&body), Arc::clone(&file));
    let handler = move |req: &Request| {
        let resp = Response::new(StatusCode::OK).header("Content-Type", "application/json");
        match req.path() {
            "/stream" => {
                let pieces: Vec<std::io::Result<Vec<u8>>> =
                    b.chunks(10_000).map(|c| Ok(c.to_vec())).collect();
                resp.stream(pieces.into_iter())
            }
            "/file" => resp.file(FileRegion {
                file: Arc::clone(&f),
                offset: 0,
                len: b.len() as u64,
            }),
            _ => resp.bytes(b.to_vec()),
        }
    };
    let server = Server::bind("127.0.0.1:0").expect("bind").workers(1);
    let addr = server.local_addr();
    let handle = server.handle();
    let thread = std::thread::spawn(move || server.serve(compress(handler)));

    for path in ["/bytes", "/stream", "/file"] {
        let url = format!("http://{addr}{path}");
        for coding in ["gzip", "br", "zstd"] {
            let accept = format!("Accept-Encoding: {coding}");
            let out = fetch(&["--compressed", "-v", "-H", &accept, &url]);
            let err = stderr(&out);
            assert_eq!(code(&out), 0, "{err}");
            assert!(
                err.contains(&format!("< Content-Encoding: {coding}")),
                "{path} {err}"
            );
            assert!(out.stdout == *body, "{path} {coding}: decoded body differs");
        }
        let plain = fetch(&["-s", &url]);
        assert!(
            plain.stdout == *body,
            "{path}: identity without --compressed"
        );
    }
    handle.shutdown();
    let _ = thread.join();
}
