//! WebSocket works the same over TLS (wss) and behind the PROXY protocol:
//! the upgrade, echo and close through rustls; Python's websockets over
//! wss against `ws_echo` with `TLS_CERT`/`TLS_KEY`; the client address
//! from a PROXY header reaches the endpoint.
mod common;
use brisk_server::ws::{Endpoint, Message, WebSocket, WsConn};
use brisk_server::Request;
use common::tls::*;
use common::ws::*;
use common::*;
use std::io::Write;
use std::process::Command;
use std::time::Duration;

struct Echo;
impl Endpoint for Echo {
    fn open(&self, ws: &mut WsConn<'_>) {
        let peer = ws.peer_addr().to_string();
        ws.send_text(&peer);
    }
    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
        ws.send(msg);
    }
}

#[test]
fn upgrade_echo_and_close_over_tls() {
    let pki = Pki::new();
    let ws = WebSocket::new(Echo);
    let server = serve_tls(&pki, |s| s, move |req: &Request| ws.upgrade(req));
    let mut tls = connect_tls(server.addr, pki.client_config());
    let mut req = upgrade_request("/", "");
    // A frame in the same write as the request: handed over intact.
    req.extend(frame(1, b"pipelined"));
    tls.write_all(&req).unwrap();
    let head = read_head(&mut tls);
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    assert_eq!(read_frame(&mut tls).1, 1, "the greeting with the peer");
    assert_eq!(read_frame(&mut tls).2, b"pipelined");
    let big = vec![9u8; 300_000];
    tls.write_all(&frame(2, &big)).unwrap();
    assert!(read_frame(&mut tls).2 == big);
    tls.write_all(&close_frame(1000, "")).unwrap();
    assert_eq!(read_close(&mut tls), Some(1000));
}

#[test]
fn proxy_protocol_gives_the_endpoint_the_client_address() {
    let ws = WebSocket::new(Echo);
    let server = serve(
        |s| s.proxy_protocol(true),
        move |req: &Request| ws.upgrade(req),
    );
    let mut s = connect(server.addr);
    let mut req = b"PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n".to_vec();
    req.extend(upgrade_request("/", ""));
    s.write_all(&req).unwrap();
    let head = read_head(&mut s);
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    assert_eq!(read_frame(&mut s).2, b"203.0.113.7:5555");
    s.write_all(&frame(1, b"behind a balancer")).unwrap();
    assert_eq!(read_frame(&mut s).2, b"behind a balancer");
}

const WSS_SCRIPT: &str = r#"
import asyncio, ssl, sys
import websockets
async def main(url, ca):
    ctx = ssl.create_default_context(cafile=ca)
    async with websockets.connect(url + "/echo", ssl=ctx, server_hostname="localhost") as ws:
        await ws.send("over wss")
        assert await ws.recv() == "over wss"
    print("OK")
asyncio.run(asyncio.wait_for(main(sys.argv[1], sys.argv[2]), 30))
"#;

#[test]
fn ws_echo_serves_wss_to_python_websockets() {
    let pki = Pki::new();
    let (cert, key) = pki.pair("good");
    let mut cmd = Command::new(example("ws_echo"));
    cmd.arg("127.0.0.1:0")
        .env("TLS_CERT", cert)
        .env("TLS_KEY", key);
    let server = spawn_server(cmd);
    let url = format!("wss://{}", server.addr);
    let (ok, out, err) = run_bounded(
        Command::new("python3").args(["-c", WSS_SCRIPT, &url, pki.ca.to_str().unwrap()]),
        Duration::from_secs(60),
    );
    assert!(ok && out.trim() == "OK", "stdout: {out}\nstderr: {err}");
}
