//! A browser's WebSocket: headless Chromium loads a page whose script
//! opens a WebSocket to the page's server, sends a message and writes what
//! came back (and the negotiated extensions) into the page; over ws and
//! over wss with the per-run test CA trusted through an NSS database.
//!
//! Chromium's virtual time does not wait for WebSocket traffic, so the
//! page also fetches `/wait`, which a pool handler answers only once the
//! endpoint has echoed (or after 10 s): the page stays busy until then.
mod common;
use brisk_server::ws::{Endpoint, Message, WebSocket, WsConn};
use brisk_server::{Request, Response, Server, StatusCode};
use common::tls::Pki;
use common::*;
use std::path::Path;
use std::sync::{mpsc, Mutex};
use std::time::Duration;
use test_support::chromium;

const PAGE: &str = r#"<!DOCTYPE html><html><body><div id="out">pending</div><script>
const out = document.getElementById('out');
const url = location.origin.replace(/^http/, 'ws') + '/ws';
const got = new Promise((resolve) => {
  const ws = new WebSocket(url);
  ws.onopen = () => ws.send('from chromium ' + 'é'.repeat(3));
  ws.onmessage = (e) => { resolve('GOT:' + e.data + ' EXT:' + ws.extensions); ws.close(1000); };
  ws.onerror = () => resolve('ERROR');
});
Promise.all([got, fetch('/wait')]).then(([text]) => { out.textContent = text; });
</script></body></html>"#;

struct Echo {
    echoed: Mutex<mpsc::Sender<()>>,
}
impl Endpoint for Echo {
    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
        ws.send(msg);
        let _ = self.echoed.lock().unwrap().send(());
    }
}

/// The page at `/`, the echo at `/ws`, `/wait` until the echo happened.
fn server(configure: impl FnOnce(Server) -> Server) -> TestServer {
    let (tx, rx) = mpsc::channel();
    let ws = WebSocket::new(Echo {
        echoed: Mutex::new(tx),
    });
    let rx = Mutex::new(rx);
    serve(
        |s| configure(s.handler_threads(2)),
        move |req: &Request| match req.path() {
            "/ws" => ws.upgrade(req),
            "/wait" => {
                let _ = rx.lock().unwrap().recv_timeout(Duration::from_secs(10));
                std::thread::sleep(Duration::from_millis(100));
                Response::text(StatusCode::OK, "done")
            }
            _ => Response::new(StatusCode::OK)
                .header("Content-Type", "text/html; charset=utf-8")
                .static_bytes(PAGE.as_bytes()),
        },
    )
}

fn run_page(url: &str, home: Option<&Path>) -> String {
    let out = chromium::dump_dom(url, home);
    chromium::dom_with(&out, "<div id=\"out\">GOT:")
}

const EXPECTED: &str = "GOT:from chromium ééé EXT:permessage-deflate";

#[test]
fn chromium_echoes_over_ws_with_permessage_deflate() {
    let server = server(|s| s);
    let dom = run_page(&format!("http://{}/", server.addr), None);
    assert!(dom.contains(EXPECTED), "{dom}");
}

#[test]
fn chromium_echoes_over_wss_with_the_test_ca() {
    let pki = Pki::new();
    let tls = pki.config("good");
    let server = server(|s| s.tls(tls));
    let home = chromium::home_trusting(Some(&pki.ca));
    let url = format!("https://localhost:{}/", server.addr.port());
    let dom = run_page(&url, Some(home.path()));
    assert!(dom.contains(EXPECTED), "{dom}");
}
