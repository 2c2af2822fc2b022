//! Entry points for the fuzz targets in the workspace's `fuzz/` folder, and
//! nothing else: hidden from the docs, not part of the supported API.
//!
//! They wrap crate-internal machines behind small functions so the
//! machines themselves stay `pub(crate)`.

use std::time::{Duration, Instant};

use brisk_core::{Limits, Method};

use crate::exchange::machine::{Action, Deadlines, Exchange, Framing, Plan};

/// What the exchange machine made of a response.
#[derive(Debug, PartialEq, Eq)]
pub struct ExchangeOutcome {
    /// Final status, body, and whether the connection stays reusable; or
    /// the error's text.
    pub result: Result<(u16, Vec<u8>, bool), String>,
    /// Bytes after the response, left for the next one.
    pub leftover: Vec<u8>,
}

/// Runs a GET (or HEAD) exchange whose peer sends `wire` in reads of
/// `sizes` bytes (cycled; a zero counts as one), then closes. Body bytes
/// take the zero-copy path where the framing allows, as `BodyReader`
/// does.
pub fn exchange_outcome(head: bool, wire: &[u8], sizes: &[usize]) -> ExchangeOutcome {
    let (method, request) = if head {
        (Method::Head, &b"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n"[..])
    } else {
        (Method::Get, &b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"[..])
    };
    let now = Instant::now();
    let mut ex = Exchange::new(Plan {
        method,
        head: request.to_vec(),
        framing: Framing::None,
        expect_continue: false,
        expect_wait: Duration::ZERO,
        limits: Limits::default(),
        deadlines: Deadlines {
            total: None,
            idle: Duration::from_secs(1),
        },
    });
    let mut peer = Peer {
        wire,
        sizes: if sizes.is_empty() { &[1] } else { sizes },
        fed: 0,
        turn: 0,
        rbuf: Vec::new(),
        starved: false,
    };
    let result = run(&mut ex, &mut peer, now).map_err(|e| e.to_string());
    let mut leftover = peer.rbuf;
    leftover.extend_from_slice(&wire[peer.fed..]);
    ExchangeOutcome { result, leftover }
}

/// The scripted peer: `wire` in pieces, then end of stream.
struct Peer<'a> {
    wire: &'a [u8],
    sizes: &'a [usize],
    fed: usize,
    turn: usize,
    rbuf: Vec<u8>,
    starved: bool,
}

impl Peer<'_> {
    /// One read; `false` at end of stream.
    fn read(&mut self) -> bool {
        if self.fed == self.wire.len() {
            return false;
        }
        let size = self.sizes[self.turn % self.sizes.len()].max(1);
        self.turn += 1;
        let end = (self.fed + size).min(self.wire.len());
        self.rbuf.extend_from_slice(&self.wire[self.fed..end]);
        self.fed = end;
        self.starved = false;
        true
    }
}

fn run(
    ex: &mut Exchange,
    peer: &mut Peer<'_>,
    now: Instant,
) -> Result<(u16, Vec<u8>, bool), crate::Error> {
    let mut status = 0;
    let mut body = Vec::new();
    loop {
        match ex.poll(now)? {
            Action::Write { .. } => ex.wrote(now),
            Action::SendBody => ex.end_body()?,
            Action::ContinueTimedOut => {}
            Action::Head => {
                if let Some(h) = ex.take_head() {
                    status = h.head.status.as_u16();
                }
            }
            Action::Done { reusable } => return Ok((status, body, reusable)),
            Action::Read { .. } if status == 0 => {
                if !peer.starved && !peer.rbuf.is_empty() {
                    let used = ex.feed(now, &peer.rbuf)?;
                    peer.rbuf.drain(..used);
                    peer.starved = used == 0;
                } else if !peer.read() {
                    ex.on_eof()?;
                }
            }
            Action::Read { .. } => match ex.body_passthrough() {
                Some(limit) if !peer.rbuf.is_empty() => {
                    let n = usize::try_from(limit)
                        .unwrap_or(usize::MAX)
                        .min(peer.rbuf.len());
                    body.extend(peer.rbuf.drain(..n));
                    ex.passed_through(n);
                }
                None if !peer.starved && !peer.rbuf.is_empty() => {
                    let used = ex.feed_body(&peer.rbuf, &mut body)?;
                    peer.rbuf.drain(..used);
                    peer.starved = used == 0;
                }
                _ => {
                    if !peer.read() {
                        ex.on_eof()?;
                    }
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_do_not_change_the_outcome() {
        let wire = b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n\
                     HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nNEXT";
        let whole = exchange_outcome(false, wire, &[wire.len()]);
        assert_eq!(whole.result, Ok((200, b"abc".to_vec(), true)));
        assert_eq!(whole.leftover, b"NEXT");
        for sizes in [&[1][..], &[2, 5], &[0, 7, 3]] {
            assert_eq!(exchange_outcome(false, wire, sizes), whole, "{sizes:?}");
        }
        let head = exchange_outcome(true, b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", &[4]);
        assert_eq!(head.result, Ok((200, Vec::new(), true)));
    }
}
