//! A shutdown requested before `serve` starts (or while nothing is
//! connected) makes `serve` return promptly, from any thread.
use brisk_server::{Request, Response, Server, StatusCode};
use std::time::{Duration, Instant};

#[test]
fn serve_returns_when_shutdown_came_first() {
    let server = Server::bind("127.0.0.1:0").unwrap().workers(2);
    let handle = server.handle();
    handle.shutdown();
    assert!(handle.is_shutdown());
    let started = Instant::now();
    server
        .serve(|_r: &Request| Response::new(StatusCode::OK))
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn serve_returns_when_another_thread_shuts_down_an_idle_server() {
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .workers(2)
        .handler_threads(2);
    let handle = server.handle();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        handle.shutdown();
    });
    let started = Instant::now();
    server
        .serve(|_r: &Request| Response::new(StatusCode::OK))
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
    stopper.join().unwrap();
}
