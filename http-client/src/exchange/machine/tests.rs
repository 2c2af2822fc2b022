//! The exchange machine on literal bytes, with a fake clock: what it
//! writes, what it makes of every split of the input, and each deadline.

use std::collections::VecDeque;

use super::*;

/// The idle timeout of these tests.
const IDLE: Duration = Duration::from_secs(10);
/// The 100-continue wait of these tests.
const WAIT: Duration = Duration::from_secs(1);
const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n";
const PUT: &[u8] = b"PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n";

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn plan(method: Method, head: &[u8], framing: Framing, expect: bool) -> Plan {
    Plan {
        method,
        head: head.to_vec(),
        framing,
        expect_continue: expect,
        expect_wait: WAIT,
        limits: Limits::default(),
        deadlines: Deadlines {
            total: None,
            idle: IDLE,
        },
    }
}

fn get() -> Exchange {
    Exchange::new(plan(Method::Get, GET, Framing::None, false))
}

/// A scripted peer and a driver loop like `driver.rs`, at a fixed `now`.
struct Harness {
    ex: Exchange,
    now: Instant,
    /// What the machine wrote.
    wire: Vec<u8>,
    /// Bytes received, not consumed (the connection's read buffer).
    rbuf: Vec<u8>,
    /// What the peer will send, one read each; empty = end of stream.
    incoming: VecDeque<Vec<u8>>,
    /// The request body, given whole at the first `SendBody`.
    body: Option<Vec<u8>>,
    starved: bool,
}

impl Harness {
    fn new(ex: Exchange, now: Instant, incoming: &[&[u8]]) -> Harness {
        Harness {
            ex,
            now,
            wire: Vec::new(),
            rbuf: Vec::new(),
            incoming: incoming.iter().map(|c| c.to_vec()).collect(),
            body: None,
            starved: false,
        }
    }

    /// One read from the peer: the next chunk, or `false` at end of stream.
    fn read(&mut self) -> bool {
        match self.incoming.pop_front() {
            Some(c) => {
                self.rbuf.extend_from_slice(&c);
                self.starved = false;
                true
            }
            None => false,
        }
    }

    /// Runs until the final head.
    fn head(&mut self) -> Result<ReceivedHead, Error> {
        loop {
            match self.ex.poll(self.now)? {
                Action::Write { .. } => {
                    self.wire.extend_from_slice(self.ex.output());
                    self.ex.wrote(self.now);
                }
                Action::SendBody => match self.body.take() {
                    Some(b) => self.ex.send_body(&b),
                    None => self.ex.end_body()?,
                },
                Action::ContinueTimedOut => {}
                Action::Read { .. } => {
                    if !self.starved && !self.rbuf.is_empty() {
                        let used = self.ex.feed(self.now, &self.rbuf)?;
                        self.rbuf.drain(..used);
                        self.starved = used == 0;
                    } else if !self.read() {
                        self.ex.on_eof()?;
                    }
                }
                Action::Head => return Ok(self.ex.take_head().expect("a head")),
                Action::Done { .. } => panic!("done before a head"),
            }
        }
    }

    /// Runs the body to the end; passthrough framings take from the read
    /// buffer as the body reader takes from the socket.
    fn body(&mut self) -> Result<(Vec<u8>, bool), Error> {
        let mut body = Vec::new();
        loop {
            match self.ex.poll(self.now)? {
                Action::Done { reusable } => return Ok((body, reusable)),
                Action::Read { .. } => {}
                other => panic!("{other:?} in the body"),
            }
            match self.ex.body_passthrough() {
                Some(limit) if !self.rbuf.is_empty() => {
                    let n = usize::try_from(limit)
                        .unwrap_or(usize::MAX)
                        .min(self.rbuf.len());
                    body.extend(self.rbuf.drain(..n));
                    self.ex.passed_through(n);
                }
                None if !self.starved && !self.rbuf.is_empty() => {
                    let used = self.ex.feed_body(&self.rbuf, &mut body)?;
                    self.rbuf.drain(..used);
                    self.starved = used == 0;
                }
                _ => {
                    if !self.read() {
                        self.ex.on_eof()?;
                    }
                }
            }
        }
    }
}

/// Splits `bytes` into chunks at `cuts`.
fn split<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut from = 0;
    for &c in cuts {
        out.push(&bytes[from..c]);
        from = c;
    }
    out.push(&bytes[from..]);
    out
}

#[test]
fn a_response_split_at_every_byte_reads_the_same() {
    let t0 = Instant::now();
    for resp in [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"[..],
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    ] {
        for i in 1..resp.len() {
            let chunks = split(resp, &[i]);
            let mut h = Harness::new(get(), t0, &chunks);
            let head = h.head().unwrap_or_else(|e| panic!("cut {i}: {e}"));
            assert_eq!(head.head.status.as_u16(), 200, "cut {i}");
            assert_eq!(h.body().unwrap(), (b"hello".to_vec(), true), "cut {i}");
            assert_eq!(h.wire, GET);
        }
        // And one byte per read.
        let bytes: Vec<&[u8]> = resp.chunks(1).collect();
        let mut h = Harness::new(get(), t0, &bytes);
        h.head().unwrap();
        assert_eq!(h.body().unwrap(), (b"hello".to_vec(), true));
    }
}

#[test]
fn two_pipelined_responses_in_one_read_leave_the_second_for_the_next_exchange() {
    let t0 = Instant::now();
    let first = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na";
    let second = b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n";
    let both = [&first[..], &second[..]].concat();
    let mut h = Harness::new(get(), t0, &[&both]);
    assert_eq!(h.head().unwrap().head.status.as_u16(), 200);
    assert_eq!(h.body().unwrap(), (b"a".to_vec(), true));
    assert_eq!(h.rbuf, second, "the second response stays buffered");

    // The next exchange on the connection starts from those bytes.
    let rbuf = std::mem::take(&mut h.rbuf);
    let mut next = Harness::new(get(), t0, &[]);
    next.rbuf = rbuf;
    let head = next.head().unwrap();
    assert_eq!(head.head.status.as_u16(), 201);
    assert_eq!(next.body().unwrap(), (b"b".to_vec(), true));
    assert!(next.rbuf.is_empty());
}

#[test]
fn expect_continue_sends_the_body_after_100() {
    let t0 = Instant::now();
    let ex = Exchange::new(plan(Method::Put, PUT, Framing::Length(5), true));
    let mut h = Harness::new(ex, t0, &[]);
    h.body = Some(b"hello".to_vec());
    // The head goes alone, then the machine waits, at most the short wait.
    assert!(matches!(h.ex.poll(t0), Ok(Action::Write { .. })));
    h.wire.extend_from_slice(h.ex.output());
    h.ex.wrote(t0);
    assert_eq!(h.wire, PUT);
    assert_eq!(
        h.ex.poll(t0).unwrap(),
        Action::Read {
            deadline: t0 + WAIT
        }
    );
    h.incoming
        .push_back(b"HTTP/1.1 100 Continue\r\n\r\n".to_vec());
    h.incoming
        .push_back(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec());
    let head = h.head().unwrap();
    assert_eq!(h.wire, [PUT, b"hello"].concat());
    assert_eq!(head.interim, [b"HTTP/1.1 100 Continue\r\n\r\n".to_vec()]);
    assert_eq!(h.body().unwrap(), (b"ok".to_vec(), true));
}

#[test]
fn a_final_answer_before_the_body_means_no_body_and_no_reuse() {
    let t0 = Instant::now();
    let ex = Exchange::new(plan(Method::Put, PUT, Framing::Length(5), true));
    let refusal = b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\n\r\nbig";
    let mut h = Harness::new(ex, t0, &[refusal]);
    h.body = Some(b"hello".to_vec());
    let head = h.head().unwrap();
    assert_eq!(head.head.status.as_u16(), 413);
    assert_eq!(h.wire, PUT, "the body is never sent");
    assert_eq!(h.body().unwrap(), (b"big".to_vec(), false));
}

#[test]
fn when_the_continue_wait_elapses_the_body_goes_anyway() {
    let t0 = Instant::now();
    let ex = Exchange::new(plan(Method::Put, PUT, Framing::Length(5), true));
    let mut h = Harness::new(ex, t0, &[]);
    h.body = Some(b"hello".to_vec());
    assert!(matches!(h.ex.poll(t0), Ok(Action::Write { .. })));
    h.ex.wrote(t0);
    let Action::Read { deadline } = h.ex.poll(t0).unwrap() else {
        panic!("expected a read");
    };
    assert_eq!(deadline, t0 + WAIT);
    assert_eq!(h.ex.timed_out(deadline).unwrap(), Action::ContinueTimedOut);
    h.now = deadline;
    h.incoming
        .push_back(b"HTTP/1.1 204 No Content\r\n\r\n".to_vec());
    let head = h.head().unwrap();
    assert_eq!(head.head.status.as_u16(), 204);
    assert_eq!(h.wire, b"hello", "after the head (written above), the body");
    assert_eq!(h.body().unwrap(), (Vec::new(), true));
}

#[test]
fn a_close_before_any_byte_is_eligible_for_replay_later_ones_are_not() {
    let t0 = Instant::now();
    let mut h = Harness::new(get(), t0, &[]);
    assert!(matches!(h.head(), Err(Error::EmptyReply)));
    assert!(h.ex.may_replay());

    let mut h = Harness::new(get(), t0, &[b"HTTP/1.1 200 OK\r\nContent-Le"]);
    match h.head() {
        Err(Error::Io {
            phase: Phase::ReceiveHead,
            source,
        }) => assert_eq!(source.kind(), io::ErrorKind::UnexpectedEof),
        other => panic!("{other:?}"),
    }
    assert!(!h.ex.may_replay());

    let resp = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd";
    let mut h = Harness::new(get(), t0, &[resp]);
    h.head().unwrap();
    assert!(matches!(h.body(), Err(Error::Incomplete { received: 4 })));
    assert!(!h.ex.may_replay());

    let resp = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab";
    let mut h = Harness::new(get(), t0, &[resp]);
    h.head().unwrap();
    assert!(matches!(h.body(), Err(Error::Incomplete { received: 2 })));
}

#[test]
fn a_failed_write_is_replayable_but_not_a_body_sent_after_the_wait() {
    let t0 = Instant::now();
    let mut ex = get();
    assert!(matches!(ex.poll(t0), Ok(Action::Write { .. })));
    let e = ex.io_error(io::ErrorKind::BrokenPipe.into());
    assert!(matches!(
        e,
        Error::Io {
            phase: Phase::Send,
            ..
        }
    ));
    assert!(ex.may_replay());

    let mut ex = Exchange::new(plan(Method::Put, PUT, Framing::Length(5), true));
    ex.wrote(t0);
    assert_eq!(ex.timed_out(t0 + WAIT).unwrap(), Action::ContinueTimedOut);
    assert_eq!(ex.poll(t0 + WAIT).unwrap(), Action::SendBody);
    ex.io_error(io::ErrorKind::BrokenPipe.into());
    assert!(!ex.may_replay());
}

#[test]
fn chunked_with_trailers_ends_at_the_blank_line() {
    let t0 = Instant::now();
    let resp = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                 5;ext=1\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other: d\r\n\r\n";
    for i in 1..resp.len() {
        let mut h = Harness::new(get(), t0, &split(resp, &[i]));
        h.head().unwrap();
        assert_eq!(h.body().unwrap(), (b"hello".to_vec(), true), "cut {i}");
        assert!(h.rbuf.is_empty());
    }
}

#[test]
fn head_204_and_304_have_no_body() {
    let t0 = Instant::now();
    let cases: [(Method, &[u8]); 3] = [
        (
            Method::Head,
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
        ),
        (Method::Get, b"HTTP/1.1 204 No Content\r\n\r\n"),
        (
            Method::Get,
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n",
        ),
    ];
    for (method, resp) in cases {
        let ex = Exchange::new(plan(method.clone(), GET, Framing::None, false));
        let mut h = Harness::new(ex, t0, &[resp]);
        h.head().unwrap();
        assert_eq!(h.ex.poll(t0).unwrap(), Action::Done { reusable: true });
        assert!(h.rbuf.is_empty(), "{method:?}");
    }
}

#[test]
fn a_close_delimited_body_ends_at_eof_and_the_connection_with_it() {
    let t0 = Instant::now();
    let resp = b"HTTP/1.1 200 OK\r\n\r\nall of it";
    let mut h = Harness::new(get(), t0, &[resp]);
    h.head().unwrap();
    assert_eq!(h.body().unwrap(), (b"all of it".to_vec(), false));

    // HTTP/1.0 closes unless it says keep-alive.
    let resp = b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx";
    let mut h = Harness::new(get(), t0, &[resp]);
    h.head().unwrap();
    assert_eq!(h.body().unwrap(), (b"x".to_vec(), false));
}

#[test]
fn the_head_wait_counts_from_its_start_and_bytes_restart_it() {
    let t0 = Instant::now();
    let mut ex = get();
    ex.wrote(t0);
    assert_eq!(
        ex.poll(t0).unwrap(),
        Action::Read {
            deadline: t0 + IDLE
        }
    );
    // Polled again later, the same wait keeps its deadline.
    assert_eq!(
        ex.poll(t0 + secs(4)).unwrap(),
        Action::Read {
            deadline: t0 + IDLE
        }
    );
    // A byte restarts it.
    assert_eq!(ex.feed(t0 + secs(5), b"HTTP/1.1 2").unwrap(), 0);
    let later = t0 + secs(5) + IDLE;
    assert_eq!(
        ex.poll(t0 + secs(5)).unwrap(),
        Action::Read { deadline: later }
    );
    assert!(matches!(
        ex.timed_out(later),
        Err(Error::Timeout {
            phase: Phase::ReceiveHead
        })
    ));
    assert!(!ex.may_replay());
}

#[test]
fn the_idle_wait_between_body_reads_is_a_body_timeout() {
    let t0 = Instant::now();
    let resp = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
    let mut h = Harness::new(get(), t0, &[resp]);
    h.head().unwrap();
    let t1 = t0 + secs(2);
    h.ex.passed_through(4);
    assert_eq!(
        h.ex.poll(t1).unwrap(),
        Action::Read {
            deadline: t1 + IDLE
        }
    );
    assert!(matches!(
        h.ex.timed_out(t1 + IDLE),
        Err(Error::Timeout {
            phase: Phase::ReceiveBody
        })
    ));
}

#[test]
fn the_total_deadline_caps_every_wait() {
    let t0 = Instant::now();
    let total = t0 + secs(3);
    let mut p = plan(Method::Put, PUT, Framing::Length(5), true);
    p.deadlines.total = Some(total);
    p.expect_wait = secs(5);
    let mut ex = Exchange::new(p);
    assert_eq!(ex.poll(t0).unwrap(), Action::Write { deadline: total });
    ex.wrote(t0);
    // The total deadline comes before the continue wait: a timeout, not the body.
    assert_eq!(ex.poll(t0).unwrap(), Action::Read { deadline: total });
    assert!(matches!(
        ex.timed_out(total),
        Err(Error::Timeout {
            phase: Phase::ReceiveHead
        })
    ));
}

#[test]
fn request_bodies_are_framed_as_announced() {
    let t0 = Instant::now();
    let head = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    let ex = Exchange::new(plan(Method::Post, head, Framing::Chunked, false));
    let mut h = Harness::new(ex, t0, &[b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"]);
    h.body = Some(b"hello".to_vec());
    h.head().unwrap();
    assert_eq!(h.wire, [&head[..], b"5\r\nhello\r\n0\r\n\r\n"].concat());

    // A source shorter than its Content-Length is an error, not a hang.
    let mut ex = Exchange::new(plan(Method::Put, PUT, Framing::Length(5), false));
    assert_eq!(ex.poll(t0).unwrap(), Action::SendBody);
    ex.send_body(b"hel");
    assert!(matches!(ex.end_body(), Err(Error::RequestBody(_))));
}

#[test]
fn a_small_body_goes_in_the_same_write_as_the_head() {
    let t0 = Instant::now();
    let mut ex = Exchange::new(plan(Method::Put, PUT, Framing::Length(5), false));
    assert_eq!(ex.poll(t0).unwrap(), Action::SendBody);
    ex.send_body(b"hello");
    ex.end_body().unwrap();
    assert!(matches!(ex.poll(t0), Ok(Action::Write { .. })));
    assert_eq!(ex.output(), [PUT, b"hello"].concat());
}

#[test]
fn body_bytes_pass_straight_through_only_with_nothing_queued_and_no_chunking() {
    let t0 = Instant::now();
    let big = b"PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n";
    let mut ex = Exchange::new(plan(Method::Put, big, Framing::Length(10), false));
    assert_eq!(ex.poll(t0).unwrap(), Action::SendBody);
    // The head is queued: the first piece goes behind it.
    assert_eq!(ex.pass_body(4, t0), None);
    ex.send_body(b"abcd");
    ex.wrote(t0);
    // Nothing queued now: the driver writes the next piece itself.
    assert_eq!(ex.pass_body(6, t0), Some(t0 + IDLE));
    ex.wrote(t0);
    ex.end_body().unwrap();
    assert!(matches!(ex.poll(t0), Ok(Action::Read { .. })));

    // Chunked pieces need their framing: always queued.
    let head = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    let mut ex = Exchange::new(plan(Method::Post, head, Framing::Chunked, false));
    ex.wrote(t0);
    assert_eq!(ex.pass_body(5, t0), None);
}

#[test]
fn a_malformed_head_is_a_bad_response() {
    let t0 = Instant::now();
    let mut h = Harness::new(get(), t0, &[b"SSH-2.0-OpenSSH\r\n\r\n"]);
    assert!(matches!(h.head(), Err(Error::BadResponse(_))));
}

#[test]
fn a_slow_reader_between_body_reads_starts_a_fresh_wait() {
    let t0 = Instant::now();
    let resp = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
    let mut h = Harness::new(get(), t0, &[resp]);
    h.head().unwrap();
    assert_eq!(
        h.ex.poll(t0).unwrap(),
        Action::Read {
            deadline: t0 + IDLE
        }
    );
    h.ex.passed_through(4);
    assert_eq!(h.ex.done(), None);
    // The caller comes back much later: its next read gets a whole idle wait.
    let late = t0 + IDLE * 3;
    assert_eq!(
        h.ex.poll(late).unwrap(),
        Action::Read {
            deadline: late + IDLE
        }
    );
    h.ex.passed_through(6);
    assert_eq!(h.ex.done(), Some(true));
}
