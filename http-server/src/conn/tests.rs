//! The connection state machine over a fake transport, with an injected
//! clock: every test says what the peer sends and when, and asserts the
//! bytes on the wire and the deadlines. No sockets, no sleeps.

use super::*;
use crate::config::Config;
use crate::service::HttpService;
use crate::session::{Ready, Session, Turn};
use crate::shared::Shared;
use crate::transport::fake::{Fake, Wire};
use crate::transport::ServerStream;
use brisk_core::StatusCode;
use mio::{Poll, Token, Waker};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

const DATE: &str = "Thu, 01 Jan 1970 00:00:00 GMT";

/// One connection, its peer's wire, and the worker's HTTP service.
struct Peer {
    conn: Conn<Fake>,
    wire: Rc<RefCell<Wire>>,
    svc: HttpService,
    t0: Instant,
    _poll: Poll,
}

/// Answers `METHOD PATH BODY-LENGTH`.
fn echo(req: &Request) -> Response {
    let text = format!("{} {} {}", req.method(), req.path(), req.body().len());
    Response::text(StatusCode::OK, text)
}

/// The wire form of `echo`'s answer.
fn ok(text: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: {DATE}\r\nContent-Length: {}\r\n\r\n{text}",
        text.len()
    )
}

impl Peer {
    fn new() -> Peer {
        Peer::with(Config::default())
    }

    fn with(config: Config) -> Peer {
        Peer::with_handler(config, Arc::new(echo), None)
    }

    /// A peer whose requests go to `handler` on a pool of `threads`.
    fn with_pool(config: Config, handler: Arc<dyn crate::Handler>, threads: usize) -> Peer {
        let pool = crate::pool::Pool::start(threads, handler.clone()).unwrap();
        Peer::with_handler(config, handler, Some(pool))
    }

    fn with_handler(
        config: Config,
        handler: Arc<dyn crate::Handler>,
        pool: Option<crate::pool::Pool>,
    ) -> Peer {
        let poll = Poll::new().unwrap();
        let waker = Arc::new(Waker::new(poll.registry(), Token(0)).unwrap());
        let shared = Arc::new(Shared {
            config,
            handler,
            on_complete: None,
            pool,
            tls: None,
        });
        let mut svc = HttpService::new(shared, waker);
        svc.set_wall(UNIX_EPOCH);
        let (fake, wire) = Fake::new();
        let t0 = Instant::now();
        let peer = "127.0.0.1:9".parse().unwrap();
        Peer {
            conn: Conn::new(fake, peer, t0),
            wire,
            svc,
            t0,
            _poll: poll,
        }
    }

    fn at(&self, ms: u64) -> Turn {
        Turn {
            now: self.t0 + Duration::from_millis(ms),
            token: Token(1),
            draining: false,
        }
    }

    /// The peer sends `bytes` (one segment) and the poller reports
    /// readable at `ms`.
    fn send(&mut self, ms: u64, bytes: &[u8]) -> String {
        self.wire.borrow_mut().input.push_back(bytes.to_vec());
        self.readable(ms, false)
    }

    /// A readable event at `ms` (`hup`: with the peer's half-close);
    /// returns what was written meanwhile.
    fn readable(&mut self, ms: u64, hup: bool) -> String {
        let ready = Ready {
            readable: true,
            writable: false,
            hup,
        };
        let turn = self.at(ms);
        self.conn.on_ready(&mut self.svc, turn, ready);
        self.output()
    }

    /// The socket takes `room` more bytes and reports writable at `ms`.
    fn writable(&mut self, ms: u64, room: usize) -> String {
        self.wire.borrow_mut().room = room;
        let ready = Ready {
            readable: false,
            writable: true,
            hup: false,
        };
        let turn = self.at(ms);
        self.conn.on_ready(&mut self.svc, turn, ready);
        self.output()
    }

    /// The peer's EOF after what it sent.
    fn eof(&mut self) {
        self.wire.borrow_mut().eof = true;
    }

    fn output(&mut self) -> String {
        String::from_utf8_lossy(&std::mem::take(&mut self.wire.borrow_mut().output)).into_owned()
    }

    /// The deadline, in ms after the start.
    fn deadline_ms(&self) -> Option<u128> {
        let d = Session::deadline(&self.conn, &self.svc)?;
        Some(d.duration_since(self.t0).as_millis())
    }

    /// The loop's timer fires at `ms`.
    fn fire(&mut self, ms: u64) {
        let turn = self.at(ms);
        self.conn.on_timer(&mut self.svc, turn);
    }

    /// Hands the pool's messages (answers, wake-ups) to the connection
    /// until what it wrote satisfies `done`; returns what it wrote.
    fn pump(&mut self, done: impl Fn(&str) -> bool) -> String {
        use crate::session::Service;
        let mut out = String::new();
        let give_up = Instant::now() + Duration::from_secs(10);
        let mut turns = 0;
        while !done(&out) {
            if self.conn.wants_turn() {
                // As the loop does: another turn, no readiness.
                turns += 1;
                let turn = self.at(turns);
                self.conn.on_ready(&mut self.svc, turn, Ready::default());
                out += &self.output();
                continue;
            }
            let Some((token, msg)) = self.svc.next_message() else {
                assert!(Instant::now() < give_up, "the pool went quiet: {out:?}");
                std::thread::yield_now();
                continue;
            };
            assert_eq!(token, Token(1), "a message carries the connection's token");
            turns += 1;
            let turn = self.at(turns);
            self.conn.on_message(&mut self.svc, turn, msg);
            out += &self.output();
        }
        out
    }

    fn aborted(&self) -> bool {
        self.wire.borrow().aborted
    }
}

const GET: &[u8] = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n";

#[test]
fn a_request_split_at_every_byte_is_answered_once_complete() {
    for cut in 1..GET.len() {
        let mut p = Peer::new();
        assert_eq!(p.send(0, &GET[..cut]), "", "cut at {cut}");
        assert_eq!(p.send(1, &GET[cut..]), ok("GET /a 0"), "cut at {cut}");
        assert!(!p.conn.is_closed());
    }
    let mut p = Peer::new();
    for (i, byte) in GET.iter().enumerate() {
        let out = p.send(i as u64, &[*byte]);
        let last = i == GET.len() - 1;
        assert_eq!(out, if last { ok("GET /a 0") } else { String::new() });
    }
}

#[test]
fn a_body_split_at_every_byte_is_read_whole() {
    let req = b"POST /u HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
    for cut in 1..req.len() {
        let mut p = Peer::new();
        assert_eq!(p.send(0, &req[..cut]), "", "cut at {cut}");
        assert_eq!(p.send(1, &req[cut..]), ok("POST /u 5"), "cut at {cut}");
    }
}

#[test]
fn pipelined_requests_are_answered_in_order_in_one_flush() {
    let mut p = Peer::new();
    let mut reqs = Vec::new();
    for path in ["/1", "/2", "/3"] {
        reqs.extend_from_slice(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes());
    }
    let out = p.send(0, &reqs);
    assert_eq!(out, ok("GET /1 0") + &ok("GET /2 0") + &ok("GET /3 0"));
    assert_eq!(p.wire.borrow().writes, 1, "one write for three answers");
}

#[test]
fn continue_is_sent_only_when_asked_and_no_body_is_buffered() {
    let head = b"PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    // Asked, nothing of the body yet: 100, then the answer.
    let mut p = Peer::new();
    assert_eq!(p.send(0, head), "HTTP/1.1 100 Continue\r\n\r\n");
    assert_eq!(p.send(1, b"abc"), ok("PUT /f 3"));
    // Asked, but the body came with the head: no 100.
    let mut p = Peer::new();
    let mut whole = head.to_vec();
    whole.extend_from_slice(b"abc");
    assert_eq!(p.send(0, &whole), ok("PUT /f 3"));
    // Not asked: no 100.
    let mut p = Peer::new();
    let plain = b"PUT /f HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n";
    assert_eq!(p.send(0, plain), "");
    assert_eq!(p.send(1, b"abc"), ok("PUT /f 3"));
    // Asked by HTTP/1.0: no 100 (RFC 9110 10.1.1).
    let mut p = Peer::new();
    let old = b"PUT /f HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    assert_eq!(p.send(0, old), "");
}

#[test]
fn refusals_take_their_status_from_the_table_and_close() {
    let long_field = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX: {}\r\n\r\n",
        "a".repeat(200)
    );
    let cases: [(&[u8], u16); 4] = [
        // A declared length over the limit: refused before reading, no 100.
        (b"PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n", 413),
        // A chunked body that grows past the limit.
        (b"PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n14\r\nzzzzzzzzzzzzzzzzzzzz\r\n", 413),
        (b"PUT / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\n", 417),
        (long_field.as_bytes(), 431),
    ];
    for (req, status) in cases {
        let mut p = Peer::with(Config {
            max_body_bytes: 10,
            max_head_bytes: 100,
            ..Config::default()
        });
        let out = p.send(0, req);
        assert!(
            out.starts_with(&format!("HTTP/1.1 {status} ")),
            "{status}: {out}"
        );
        assert!(out.contains("Connection: close\r\n"), "{status}: {out}");
        assert!(!out.contains("100 Continue"), "{status}: {out}");
        // Our FIN follows the answer: the lingering close.
        assert!(p.wire.borrow().write_shut, "{status}");
    }
}

#[test]
fn a_request_then_eof_is_answered_with_close() {
    let mut p = Peer::new();
    p.wire.borrow_mut().input.push_back(GET.to_vec());
    p.eof();
    let out = p.readable(0, true);
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    assert!(out.contains("Connection: close\r\n"), "{out}");
    // The peer's EOF is in: no lingering, a plain close.
    assert!(p.conn.is_closed());
    assert!(!p.aborted());
}

#[test]
fn a_half_closed_client_gets_all_its_pipelined_answers() {
    let mut p = Peer::new();
    let mut two = GET.to_vec();
    two.extend_from_slice(b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
    p.wire.borrow_mut().input.push_back(two);
    p.eof();
    let out = p.readable(0, true);
    let first = ok("GET /a 0");
    assert!(out.starts_with(&first), "{out}");
    // Only the last answer says close.
    let last = &out[first.len()..];
    assert!(
        last.contains("Connection: close\r\n") && last.ends_with("GET /b 0"),
        "{out}"
    );
    assert!(p.conn.is_closed());
}

#[test]
fn early_close_mid_head_or_mid_body_ends_silently() {
    for partial in [
        &b"GET /a HTTP/1.1\r\nHo"[..],
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nab",
    ] {
        let mut p = Peer::new();
        p.wire.borrow_mut().input.push_back(partial.to_vec());
        p.eof();
        assert_eq!(p.readable(0, true), "");
        assert!(p.conn.is_closed());
    }
}

#[test]
fn first_head_deadline_counts_from_the_accept_and_aborts() {
    let c = Config::default();
    let head_ms = c.head_timeout.as_millis();
    let mut p = Peer::new();
    // A new, silent connection: the head timeout from the accept (a TLS
    // handshake or PROXY header before the head counts too).
    assert_eq!(p.deadline_ms(), Some(head_ms));
    p.send(1000, b"GET / HTTP/1.1\r\n");
    // A trickled first head: still counted from the accept (nginx's
    // client_header_timeout for a new connection, likewise).
    assert_eq!(p.deadline_ms(), Some(head_ms));
    p.send(2000, b"Host: x\r\n");
    assert_eq!(p.deadline_ms(), Some(head_ms));
    p.fire(head_ms as u64 - 1);
    assert!(!p.conn.is_closed());
    p.fire(head_ms as u64);
    assert!(p.conn.is_closed() && p.aborted());
}

#[test]
fn later_head_deadlines_count_from_their_first_byte_and_abort() {
    let c = Config::default();
    let head_ms = c.head_timeout.as_millis();
    let mut p = Peer::new();
    assert_eq!(p.send(0, GET), ok("GET /a 0"));
    p.send(1000, b"GET / HTTP/1.1\r\n");
    // A trickled head: counted from its first byte, not the last.
    assert_eq!(p.deadline_ms(), Some(1000 + head_ms));
    p.send(2000, b"Host: x\r\n");
    assert_eq!(p.deadline_ms(), Some(1000 + head_ms));
    p.fire(1000 + head_ms as u64 - 1);
    assert!(!p.conn.is_closed());
    p.fire(1000 + head_ms as u64);
    assert!(p.conn.is_closed() && p.aborted());
}

#[test]
fn body_deadline_counts_from_the_last_read() {
    let body_ms = Config::default().body_timeout.as_millis() as u64;
    let mut p = Peer::new();
    p.send(
        0,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\nab",
    );
    p.send(500, b"cd");
    assert_eq!(p.deadline_ms(), Some(500 + body_ms as u128));
    p.fire(500 + body_ms - 1);
    assert!(!p.conn.is_closed());
    p.fire(500 + body_ms);
    assert!(p.conn.is_closed() && p.aborted());
}

#[test]
fn idle_keep_alive_deadline_closes_gracefully_and_frees_the_buffers() {
    let keep_ms = Config::default().keep_alive_timeout.as_millis() as u64;
    let mut p = Peer::new();
    assert_eq!(p.send(300, GET), ok("GET /a 0"));
    // Idle: the buffers went back to the worker's cache.
    assert!(p.conn.io.is_none());
    assert_eq!(p.deadline_ms(), Some(300 + keep_ms as u128));
    p.fire(300 + keep_ms - 1);
    assert!(!p.conn.is_closed());
    p.fire(300 + keep_ms);
    assert!(p.conn.is_closed());
    assert!(!p.aborted(), "an idle close is not abortive");
}

#[test]
fn a_stalled_write_is_cut_after_the_write_timeout() {
    let write_ms = Config::default().write_timeout.as_millis() as u64;
    let mut p = Peer::new();
    p.wire.borrow_mut().room = 10;
    let out = p.send(0, GET);
    assert_eq!(out, ok("GET /a 0")[..10]);
    // Writable interest while the socket is full.
    assert_eq!(p.conn.interest(), Interest::READABLE | Interest::WRITABLE);
    assert_eq!(p.deadline_ms(), Some(write_ms as u128));
    // Progress moves the deadline.
    assert_eq!(p.writable(700, 5), ok("GET /a 0")[10..15]);
    assert_eq!(p.deadline_ms(), Some(700 + write_ms as u128));
    p.fire(700 + write_ms);
    assert!(p.conn.is_closed() && p.aborted());
}

#[test]
fn a_closing_answer_on_a_full_socket_is_written_whole_before_the_fin() {
    let mut p = Peer::new();
    p.wire.borrow_mut().room = 10;
    let out = p.send(
        0,
        b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(out.len(), 10);
    assert!(!p.wire.borrow().write_shut, "no FIN while the answer waits");
    let rest = p.writable(10, usize::MAX);
    assert!((out + &rest).ends_with("\r\n\r\nGET /a 0"), "{rest}");
    assert!(p.wire.borrow().write_shut, "our FIN after the answer");
}

#[test]
fn the_lingering_close_drains_input_until_its_deadline() {
    let linger_ms = Config::default().linger_timeout.as_millis() as u64;
    let mut p = Peer::new();
    let out = p.send(
        100,
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(out.contains("Connection: close\r\n"), "{out}");
    assert!(p.wire.borrow().write_shut, "our FIN after the answer");
    assert!(!p.conn.is_closed());
    assert_eq!(p.deadline_ms(), Some(100 + linger_ms as u128));
    // What the peer still sends is read and dropped, unanswered.
    assert_eq!(p.send(200, b"GET /more HTTP/1.1\r\nHost: x\r\n\r\n"), "");
    assert_eq!(p.deadline_ms(), Some(100 + linger_ms as u128));
    p.fire(100 + linger_ms);
    assert!(p.conn.is_closed());
    assert!(!p.aborted(), "the linger deadline ends with a plain close");
}

#[test]
fn lingering_ends_at_the_peers_eof() {
    let mut p = Peer::new();
    p.send(0, b"GET / HTTP/1.0\r\n\r\n");
    assert!(p.wire.borrow().write_shut);
    p.eof();
    p.readable(10, true);
    assert!(p.conn.is_closed() && !p.aborted());
}

#[test]
fn pool_answers_come_back_through_the_service_in_pipelined_order() {
    let mut p = Peer::with_pool(Config::default(), Arc::new(echo), 2);
    let mut two = GET.to_vec();
    two.extend_from_slice(b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
    // The first request goes to the pool; the second waits in the buffer.
    assert_eq!(p.send(0, &two), "");
    let out = p.pump(|out| out.matches("HTTP/1.1 200").count() == 2);
    assert_eq!(out, ok("GET /a 0") + &ok("GET /b 0"));
    assert!(!p.conn.is_closed());
}

/// An idle connection costs its slot plus a 16-byte wheel entry (its
/// buffers are freed; a TLS session is boxed apart): keep it well under
/// nginx's ~500 bytes.
#[test]
fn an_idle_connection_slot_stays_small() {
    let bytes = crate::worker::slot_bytes::<Conn<ServerStream>>();
    assert!(bytes <= 160, "{bytes}");
}

/// Reads the whole body in small reads; answers its length and a sum.
fn count_body(req: &Request) -> Response {
    use std::io::Read;
    let mut r = req.body_reader();
    let (mut n, mut sum, mut buf) = (0usize, 0u64, [0u8; 1000]);
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => {
                n += k;
                sum += buf[..k].iter().map(|&b| u64::from(b)).sum::<u64>();
            }
            Err(e) => return Response::text(StatusCode::BAD_REQUEST, e.to_string()),
        }
    }
    Response::text(StatusCode::OK, format!("{n} {sum}"))
}

/// A body several times the pipe's size, and `count_body`'s answer to it.
fn big_body(chunked: bool) -> (Vec<u8>, String) {
    let data: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
    let sum: u64 = data.iter().map(|&b| u64::from(b)).sum();
    let mut wire = Vec::new();
    if chunked {
        wire.extend_from_slice(b"PUT /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        for piece in data.chunks(1000) {
            brisk_core::encode_chunk(piece, &mut wire);
        }
        wire.extend_from_slice(b"0\r\n\r\n");
    } else {
        let head = format!(
            "PUT /u HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
            data.len()
        );
        wire.extend_from_slice(head.as_bytes());
        wire.extend_from_slice(&data);
    }
    (wire, ok(&format!("{} {sum}", data.len())))
}

/// Everything the client sent is in the socket at once, so no readiness
/// edge follows: the connection must feed the pipe to the brim (marking
/// itself waiting) and go on only when the handler's reads wake it. With
/// chunk framing in the buffer a partial fill used to leave the pipe with
/// room, the loop unwoken and the handler waiting forever.
#[test]
fn a_body_larger_than_the_pipe_sent_at_once_reaches_the_handler_whole() {
    for chunked in [true, false] {
        // The handler begins to read once the loop has stopped on its own.
        let gate = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
        let g = gate.clone();
        let handler = Arc::new(crate::streaming(move |req: &Request| {
            let mut open = g.0.lock().unwrap();
            while !*open {
                open = g.1.wait(open).unwrap();
            }
            drop(open);
            count_body(req)
        }));
        let mut p = Peer::with_pool(Config::default(), handler, 1);
        let (wire, want) = big_body(chunked);
        assert_eq!(p.send(0, &wire), "", "nothing before the handler answers");
        while p.conn.wants_turn() {
            let turn = p.at(1);
            p.conn.on_ready(&mut p.svc, turn, Ready::default());
        }
        *gate.0.lock().unwrap() = true;
        gate.1.notify_all();
        let out = p.pump(|out| out.contains("\r\n\r\n"));
        assert_eq!(out, want, "chunked={chunked}");
        assert!(!p.conn.is_closed());
    }
}

fn refuse(_: &Request) -> Response {
    Response::text(StatusCode::FORBIDDEN, "no")
}

/// A streaming handler that answers without reading: the rest of a small
/// Content-Length body is discarded and the next request on the same
/// connection parsed.
#[test]
fn an_early_answer_discards_a_small_rest_and_keeps_the_connection() {
    let mut p = Peer::with_pool(Config::default(), Arc::new(crate::streaming(refuse)), 1);
    let head = b"PUT /u HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234";
    assert_eq!(p.send(0, head), "");
    let out = p.pump(|out| out.ends_with("no"));
    assert!(out.starts_with("HTTP/1.1 403"), "{out}");
    p.send(
        10,
        b"56789PUT /v HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    );
    let out = p.pump(|out| out.ends_with("no"));
    assert!(
        out.starts_with("HTTP/1.1 403"),
        "the next request is parsed: {out}"
    );
    assert!(!p.conn.is_closed());
}

/// A body the client was told to wait for (`Expect: 100-continue`) and
/// the handler never read is never asked for: no `100 Continue`, and the
/// connection closes after the answer.
#[test]
fn an_early_answer_to_an_expect_never_asks_for_the_body() {
    let mut p = Peer::with_pool(Config::default(), Arc::new(crate::streaming(refuse)), 1);
    let head = b"PUT /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n";
    p.send(0, head);
    let out = p.pump(|out| out.ends_with("no"));
    assert!(!out.contains("100 Continue"), "{out}");
    assert!(out.contains("Connection: close"), "{out}");
}

/// `100 Continue` goes out when the handler begins to read, not before.
#[test]
fn continue_is_sent_at_the_handlers_first_read() {
    let mut p = Peer::with_pool(Config::default(), Arc::new(crate::streaming(count_body)), 1);
    let head = b"PUT /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
    assert_eq!(p.send(0, head), "", "not at the head");
    let out = p.pump(|out| out.contains("100 Continue"));
    assert_eq!(out, "HTTP/1.1 100 Continue\r\n\r\n");
    p.send(10, b"abc");
    let out = p.pump(|out| out.contains("\r\n\r\n"));
    assert_eq!(out, ok("3 294"));
}
