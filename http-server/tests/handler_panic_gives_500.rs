//! A panicking handler yields a 500 for that request; the worker lives on
//! and serves the next connection.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;

#[test]
fn panic_becomes_500_and_the_worker_survives() {
    let server = serve(
        |s| s,
        |req: &Request| {
            if req.path() == "/boom" {
                panic!("handler bug (expected by this test)");
            }
            Response::text(StatusCode::OK, "alive")
        },
    );
    for _ in 0..3 {
        let (resp, mut r) = exchange(server.addr, &get("/boom"));
        assert_eq!(resp.status, 500);
        assert_eq!(resp.header("connection"), Some("close"));
        assert!(closed_by_peer(&mut r));
        let (resp, _) = exchange(server.addr, &get("/ok"));
        assert_eq!(resp.text(), "alive");
    }
}

#[test]
fn panic_on_the_handler_pool_becomes_500_too() {
    let server = serve(
        |s| s.handler_threads(2),
        |req: &Request| {
            if req.path() == "/boom" {
                panic!("handler bug (expected by this test)");
            }
            Response::text(StatusCode::OK, "alive")
        },
    );
    for _ in 0..4 {
        let (resp, _) = exchange(server.addr, &get("/boom"));
        assert_eq!(resp.status, 500);
    }
    let (resp, _) = exchange(server.addr, &get("/ok"));
    assert_eq!(resp.text(), "alive");
}
