//! Our own http-server as the origin: streamed (chunked) responses, a
//! chunked upload echoed back, and 50 requests on one keep-alive connection.
use std::collections::HashSet;
use std::io::{Cursor, Read};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use brisk_client::{Client, Method, RequestBody};
use brisk_server::{Request, Response, Server, StatusCode};

fn handler(req: &Request) -> Response {
    match (req.method(), req.path()) {
        (Method::Get, "/stream") => Response::new(StatusCode::OK)
            .stream((0..100u32).map(|i| Ok(format!("piece {i}\n").into_bytes()))),
        (Method::Put, "/echo") | (Method::Post, "/echo") => {
            Response::new(StatusCode::OK).bytes(req.body().to_vec())
        }
        _ => Response::text(StatusCode::OK, "small\n"),
    }
}

#[test]
fn streams_uploads_and_keep_alive_against_http_server() {
    let peers: Arc<Mutex<HashSet<std::net::SocketAddr>>> = Arc::default();
    let seen = Arc::clone(&peers);
    let server = Server::bind("127.0.0.1:0")
        .expect("bind")
        .workers(1)
        .on_complete(move |c| {
            seen.lock().expect("lock").insert(c.peer);
        });
    let addr = server.local_addr();
    let handle = server.handle();
    let thread = std::thread::spawn(move || server.serve(handler));
    let client = Client::builder().timeout(Duration::from_secs(10)).build();
    let base = format!("http://{addr}");

    let mut resp = client
        .get(&format!("{base}/stream"))
        .send()
        .expect("stream");
    assert_eq!(resp.header("transfer-encoding"), Some("chunked"));
    let mut text = String::new();
    resp.body().read_to_string(&mut text).expect("read");
    let want: String = (0..100).map(|i| format!("piece {i}\n")).collect();
    assert_eq!(text, want);

    let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    let body = RequestBody::Reader {
        reader: Box::new(Cursor::new(payload.clone())),
        len: None,
    };
    let resp = client
        .request(Method::Put, &format!("{base}/echo"))
        .body(body)
        .send()
        .expect("chunked upload");
    assert_eq!(resp.bytes(1 << 20).expect("echo"), payload);

    for _ in 0..50 {
        let r = client.get(&format!("{base}/small")).send().expect("small");
        assert_eq!(r.text(100).expect("body"), "small\n");
    }
    handle.shutdown();
    let _ = thread.join();
    let peers = peers.lock().expect("lock");
    assert_eq!(
        peers.len(),
        1,
        "52 requests on one connection, saw {peers:?}"
    );
}
