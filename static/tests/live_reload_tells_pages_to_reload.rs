//! `static --live-reload`: HTML pages get the reload script (their
//! Content-Length and ETag follow), other types and ranges do not; a page
//! connected to /__live-reload (Python's websockets here) gets one
//! `reload` per burst of changes to the tree, and none for plain reads.
mod common;
use common::*;
use std::process::{Command, Stdio};
use std::time::Duration;

const PAGE: &str = "<!DOCTYPE html><html><body><p>v1</p></body></html>";

fn start() -> (tempfile::TempDir, StaticServer) {
    let dir = site();
    write(dir.path(), "index.html", PAGE);
    write(dir.path(), "style.css", "p { color: red }");
    let server = StaticServer::start(dir.path(), &["-q", "--live-reload"]);
    (dir, server)
}

#[test]
fn html_pages_get_the_script_with_right_length_and_etag() {
    let (_dir, server) = start();
    let page = raw_get(server.addr, "/");
    assert_eq!(page.status, 200);
    let body = String::from_utf8(page.body.clone()).unwrap();
    assert!(body.contains("/__live-reload"), "{body}");
    assert!(body.ends_with("</script></body></html>"), "{body}");
    assert_eq!(
        page.header("content-length"),
        Some(body.len().to_string().as_str())
    );
    let etag = page.header("etag").unwrap().to_owned();
    assert!(etag.ends_with("-lr\""), "{etag}");
    // The tag validates the page with the script.
    let again = raw(
        server.addr,
        format!("GET / HTTP/1.1\r\nHost: t\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    assert!(
        again.status == 200 || again.status == 304,
        "{}",
        again.status
    );
    // Not other types, not ranges.
    let css = raw_get(server.addr, "/style.css");
    assert_eq!(css.body, b"p { color: red }");
    let range = raw(
        server.addr,
        b"GET /index.html HTTP/1.1\r\nHost: t\r\nRange: bytes=0-14\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(range.status, 206);
    assert_eq!(range.body, &PAGE.as_bytes()[..15]);
}

const LISTEN: &str = r#"
import asyncio, sys, websockets
async def main(url):
    async with websockets.connect(url) as ws:
        print("CONNECTED", flush=True)
        got = []
        try:
            while True:
                got.append(await asyncio.wait_for(ws.recv(), float(sys.argv[2])))
        except asyncio.TimeoutError:
            pass
        print("GOT", len(got), " ".join(got), flush=True)
asyncio.run(main(sys.argv[1]))
"#;

/// Listens on /__live-reload for `quiet` seconds of silence; runs
/// `during` once connected; returns the messages.
fn listen(server: &StaticServer, quiet: f32, during: impl FnOnce()) -> String {
    let url = format!("ws://{}/__live-reload", server.addr);
    let mut child = Command::new("python3")
        .args(["-c", LISTEN, &url, &quiet.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| missing_peer("python3", e));
    let (tx, rx) = std::sync::mpsc::channel();
    let first = test_support::first_stdout_line(&mut child, STEP_TIMEOUT, move |line| {
        let _ = tx.send(line);
    });
    assert_eq!(first.as_deref().map(str::trim), Some("CONNECTED"));
    during();
    let out = rx.recv_timeout(STEP_TIMEOUT).unwrap_or_default();
    let _ = child.wait();
    out
}

#[test]
fn a_burst_of_changes_is_one_reload_and_reads_are_none() {
    let (dir, server) = start();
    // Reads (the server opening files) are not changes.
    let out = listen(&server, 1.0, || {
        for _ in 0..3 {
            assert_eq!(raw_get(server.addr, "/").status, 200);
        }
    });
    assert!(out.contains("GOT 0"), "{out}");
    // Two writes within the coalescing window: one reload.
    let out = listen(&server, 1.0, || {
        write(dir.path(), "index.html", PAGE.replace("v1", "v2"));
        std::thread::sleep(Duration::from_millis(20));
        write(dir.path(), "style.css", "p { color: blue }");
    });
    assert!(out.contains("GOT 1 reload"), "{out}");
    // A new file in a new directory counts too.
    let out = listen(&server, 1.0, || {
        write(dir.path(), "sub/new.html", "<p>new</p>")
    });
    assert!(
        out.contains("GOT 1 reload") || out.contains("GOT 2 reload"),
        "{out}"
    );
}
