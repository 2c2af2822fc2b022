//! A request still in its handler when the drain timeout ends is cut:
//! `serve` returns on time and the client sees the connection end.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::Write;
use std::time::{Duration, Instant};

#[test]
fn serve_returns_at_the_drain_timeout() {
    let server = serve(
        |s| {
            s.handler_threads(1)
                .drain_timeout(Duration::from_millis(500))
        },
        |_req: &Request| {
            std::thread::sleep(Duration::from_secs(5));
            Response::text(StatusCode::OK, "too late")
        },
    );
    let mut stuck = connect(server.addr);
    stuck.write_all(&get("/")).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    server.stop().unwrap();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert!(closed_by_peer(&mut stuck));
}
