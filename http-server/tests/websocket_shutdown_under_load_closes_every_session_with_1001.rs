//! A graceful shutdown while 200 WebSocket connections on two workers
//! keep exchanging messages: every connection gets a close frame with
//! 1001 (going away) after the echoes already in flight, its TCP
//! connection then ends, and `serve` returns well within the drain
//! timeout. Nothing hangs: every read has a timeout and the whole run a
//! deadline.
mod common;
use brisk_server::ws::{Endpoint, Message, WebSocket, WsConn};
use brisk_server::Request;
use common::ws::*;
use common::*;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const CLIENT_THREADS: usize = 8;
const CONNECTIONS_PER_THREAD: usize = 25;
/// Messages each connection has in flight at a time.
const IN_FLIGHT: usize = 4;
/// How long the whole exchange may take, shutdown included.
const RUN_LIMIT: Duration = Duration::from_secs(20);

struct Echo;
impl Endpoint for Echo {
    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
        ws.send(msg);
    }
}

/// One client connection and what it has seen.
struct Client {
    s: TcpStream,
    /// The close code the server sent, once it did.
    close: Option<Option<u16>>,
}

impl Client {
    /// One round: `IN_FLIGHT` messages out, then frames in until their
    /// echoes are back or the server's close frame comes (answered).
    fn round(&mut self, n: usize) {
        let mut burst = Vec::new();
        for i in 0..IN_FLIGHT {
            burst.extend(frame(1, format!("message {n}.{i}").as_bytes()));
        }
        // The server may have closed its side already: its close frame is
        // still there to read.
        let _ = self.s.write_all(&burst);
        for i in 0..IN_FLIGHT {
            let (_, op, payload) = read_frame(&mut self.s);
            if op == 8 {
                let code =
                    (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]));
                self.close = Some(code);
                // The close handshake, then the server's FIN, then ours
                // (the server lingers until it sees it).
                let _ = self.s.write_all(&close_frame(1001, ""));
                assert!(
                    tcp_closed(&mut self.s),
                    "the server ends the TCP connection"
                );
                let _ = self.s.shutdown(std::net::Shutdown::Both);
                return;
            }
            assert_eq!(op, 1, "an echo or the close");
            assert_eq!(payload, format!("message {n}.{i}").as_bytes(), "in order");
        }
    }
}

/// Connects its share of clients, then exchanges until each is closed.
fn run_clients(addr: SocketAddr, ready: &Barrier, rounds: &AtomicUsize) -> Vec<Client> {
    let mut clients: Vec<Client> = (0..CONNECTIONS_PER_THREAD)
        .map(|_| Client {
            s: ws_connect(addr, "/echo"),
            close: None,
        })
        .collect();
    ready.wait();
    let deadline = Instant::now() + RUN_LIMIT;
    let mut n = 0;
    while clients.iter().any(|c| c.close.is_none()) {
        assert!(Instant::now() < deadline, "the clients were not all closed");
        for c in clients.iter_mut().filter(|c| c.close.is_none()) {
            c.round(n);
        }
        rounds.fetch_add(1, Ordering::Relaxed);
        n += 1;
    }
    clients
}

#[test]
fn every_busy_connection_gets_1001_and_serve_returns() {
    let ws = WebSocket::new(Echo);
    let server = serve(
        |s| s.workers(2).drain_timeout(Duration::from_secs(10)),
        move |req: &Request| ws.upgrade(req),
    );
    let addr = server.addr;
    let ready = Arc::new(Barrier::new(CLIENT_THREADS + 1));
    let rounds = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..CLIENT_THREADS)
        .map(|_| {
            let (ready, rounds) = (ready.clone(), rounds.clone());
            std::thread::spawn(move || run_clients(addr, &ready, &rounds))
        })
        .collect();
    ready.wait();
    // Let traffic flow on every connection first.
    let until = Instant::now() + Duration::from_secs(5);
    while rounds.load(Ordering::Relaxed) < CLIENT_THREADS * 3 {
        assert!(Instant::now() < until, "no traffic");
        std::thread::sleep(Duration::from_millis(5));
    }
    let stopping = Instant::now();
    let stopped = Arc::new(AtomicBool::new(false));
    let flag = stopped.clone();
    let stopper = std::thread::spawn(move || {
        let out = server.stop();
        flag.store(true, Ordering::SeqCst);
        out
    });
    let mut codes = Vec::new();
    for t in threads {
        for c in t.join().expect("a client thread failed") {
            codes.push(c.close.expect("closed"));
        }
    }
    assert_eq!(codes.len(), CLIENT_THREADS * CONNECTIONS_PER_THREAD);
    assert!(
        codes.iter().all(|&c| c == Some(1001)),
        "every close is 1001: {codes:?}"
    );
    while !stopped.load(Ordering::SeqCst) {
        assert!(
            stopping.elapsed() < Duration::from_secs(8),
            "serve() did not return after the sessions closed"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    stopper.join().unwrap().expect("serve");
    // Every peer answered at once: the drain did not wait for its limit.
    assert!(
        stopping.elapsed() < Duration::from_secs(5),
        "shutdown took {:?}",
        stopping.elapsed()
    );
}
