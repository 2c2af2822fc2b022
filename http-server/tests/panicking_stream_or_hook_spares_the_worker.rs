//! Application code that runs on the loop thread besides the handler (a
//! body stream, the completion hook) may panic without taking the worker
//! down: the affected response is cut, others are served.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::Read;

#[test]
fn a_panicking_stream_cuts_only_its_response() {
    let server = serve(
        |s| s,
        |req: &Request| {
            if req.path() == "/bad" {
                Response::new(StatusCode::OK).stream((0..3).map(|i| {
                    if i == 1 {
                        panic!("stream bug (expected by this test)");
                    }
                    Ok(b"piece".to_vec())
                }))
            } else {
                Response::text(StatusCode::OK, "fine")
            }
        },
    );
    let mut s = connect(server.addr);
    std::io::Write::write_all(&mut s, &get("/bad")).unwrap();
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got); // cut: EOF or reset
    assert!(
        !String::from_utf8_lossy(&got).contains("0\r\n\r\n"),
        "a cut stream must not look complete"
    );
    let (resp, _) = exchange(server.addr, &get("/ok"));
    assert_eq!(resp.text(), "fine");
}

#[test]
fn a_panicking_completion_hook_is_contained() {
    let server = serve(
        |s| s.on_complete(|_c| panic!("hook bug (expected by this test)")),
        |_req: &Request| Response::text(StatusCode::OK, "fine"),
    );
    for _ in 0..3 {
        let (resp, _) = exchange(server.addr, &get("/"));
        assert_eq!(resp.text(), "fine");
    }
}
