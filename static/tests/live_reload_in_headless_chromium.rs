//! `static --live-reload` in a real browser: headless Chromium loads a
//! page, the page's injected script connects to `/__live-reload` (the
//! access log shows its `101`), the test changes the page on disk, and
//! the browser reloads it: the DOM Chromium dumps is the new version's,
//! and the access log has the second `GET /` and a second `101`.
//!
//! Chromium dumps the DOM at the page's `load` event, so the page holds
//! it back with an image from a holder server in the test (another
//! origin), answered only once the reload was seen (or after 15 s).
mod common;
use brisk_server::{Request, Response, Server, StatusCode};
use common::*;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// How long the holder keeps the page waiting at most.
const HOLD_LIMIT: Duration = Duration::from_secs(15);

/// The page, version `v`, its `load` held back by the holder.
fn page(v: &str, holder: SocketAddr) -> String {
    format!(
        "<!DOCTYPE html><html><body><p id=\"version\">{v}</p>\
         <img src=\"http://{holder}/wait\" alt=\"\"></body></html>"
    )
}

/// Answers `/wait` once `released` is set (or after [`HOLD_LIMIT`]).
fn holder(released: Arc<AtomicBool>) -> (SocketAddr, brisk_server::ShutdownHandle) {
    let server = Server::bind("127.0.0.1:0")
        .unwrap()
        .workers(1)
        .handler_threads(4)
        .drain_timeout(Duration::from_secs(1));
    let (addr, handle) = (server.local_addr(), server.handle());
    thread::spawn(move || {
        server.serve(move |_: &Request| {
            let until = Instant::now() + HOLD_LIMIT;
            while !released.load(Ordering::SeqCst) && Instant::now() < until {
                thread::sleep(Duration::from_millis(10));
            }
            Response::text(StatusCode::OK, "go on")
        })
    });
    (addr, handle)
}

/// Waits (bounded) until `count` access-log lines contain every one of
/// `parts`.
fn wait_for_log(server: &StaticServer, parts: &[&str], count: usize) {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let lines = server.log.lock().unwrap().clone();
        let seen = lines
            .iter()
            .filter(|l| parts.iter().all(|p| l.contains(p)))
            .count();
        if seen >= count {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{count} log lines with {parts:?} expected: {lines:#?}"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_edited_page_reloads_in_the_browser() {
    let released = Arc::new(AtomicBool::new(false));
    let (holder_addr, holder_handle) = holder(released.clone());
    let dir = site();
    write(dir.path(), "index.html", page("v1", holder_addr));
    let server = StaticServer::start(dir.path(), &["--live-reload"]);
    let url = server.url.clone();
    let browser = thread::spawn(move || chromium::dump_dom_at_load(&url));

    let socket = ["\"GET /__live-reload HTTP/1.1\" 101"];
    wait_for_log(&server, &socket, 1);
    write(dir.path(), "index.html", page("v2", holder_addr));
    // The reload: the page again, and its script connecting again.
    wait_for_log(&server, &["\"GET / HTTP/1.1\" 200"], 2);
    wait_for_log(&server, &socket, 2);
    released.store(true, Ordering::SeqCst);

    let out = browser.join().unwrap();
    holder_handle.shutdown();
    let dom = chromium::dom_with(&out, "<p id=\"version\">");
    assert!(dom.contains("<p id=\"version\">v2</p>"), "{dom}");
}
