//! With several workers, each with its own SO_REUSEPORT listener, every
//! connection is served, and shutdown stops them all.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::collections::HashSet;

#[test]
fn connections_spread_over_workers_and_all_are_served() {
    let server = serve(
        |s| s.workers(4),
        |_req: &Request| {
            let name = std::thread::current().name().unwrap_or("?").to_owned();
            Response::text(StatusCode::OK, name)
        },
    );
    let mut seen = HashSet::new();
    for _ in 0..200 {
        let (resp, _) = exchange(server.addr, &get("/"));
        assert_eq!(resp.status, 200);
        seen.insert(resp.text());
    }
    assert!(
        seen.iter().all(|n| n.starts_with("http-worker-")),
        "{seen:?}"
    );
    assert!(seen.len() >= 2, "the kernel used only {seen:?}");
    server.stop().unwrap();
}
