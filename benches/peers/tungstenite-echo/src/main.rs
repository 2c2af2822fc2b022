//! The tokio-tungstenite peer of `benches/load/ws_compare.py`: what a Rust
//! user runs today, written as tokio-tungstenite's own examples show, on
//! one current-thread runtime (one worker, as ours is measured):
//!
//! - `/echo`: every text or binary message back (`examples/echo-server.rs`:
//!   the read half filtered and forwarded into the write half, which
//!   flushes once per batch of ready messages);
//! - `/chat`: every message to every `/chat` connection, the sender's too
//!   (`examples/server.rs`: a map of unbounded senders, a loop over them
//!   per message, each connection's receiver forwarded into its sink).
//!
//! Usage: `tungstenite-echo [ADDR]` (default 127.0.0.1:8080; port 0 picks
//! one); the first stdout line is `listening at http://HOST:PORT/`.

use futures_channel::mpsc::{unbounded, UnboundedSender};
use futures_util::{future, pin_mut, StreamExt, TryStreamExt};
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::Message;

type Peers = Arc<Mutex<HashMap<u64, UnboundedSender<Message>>>>;

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?
        .block_on(serve(addr))
}

async fn serve(addr: String) -> std::io::Result<()> {
    let listener = TcpListener::bind(&addr).await?;
    let mut out = std::io::stdout();
    writeln!(out, "listening at http://{}/", listener.local_addr()?)?;
    out.flush()?;
    let peers = Peers::default();
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, peers.clone()));
    }
}

async fn connection(stream: TcpStream, peers: Peers) {
    let mut path = String::new();
    let callback = |req: &Request, resp: Response| {
        path = req.uri().path().to_owned();
        Ok(resp)
    };
    let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
        return;
    };
    let (write, read) = ws.split();
    if path == "/chat" {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = unbounded();
        peers.lock().unwrap().insert(id, tx);
        let publish = read.try_for_each(|msg| {
            if msg.is_text() || msg.is_binary() {
                for peer in peers.lock().unwrap().values() {
                    let _ = peer.unbounded_send(msg.clone());
                }
            }
            future::ok(())
        });
        let deliver = rx.map(Ok).forward(write);
        pin_mut!(publish, deliver);
        future::select(publish, deliver).await;
        peers.lock().unwrap().remove(&id);
    } else {
        let _ = read
            .try_filter(|msg| future::ready(msg.is_text() || msg.is_binary()))
            .forward(write)
            .await;
    }
}
