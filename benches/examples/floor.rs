//! The floor: the least an epoll HTTP server can spend per request, as a
//! measuring stick for `brisk-server`. It is NOT a server: it parses
//! nothing (it counts `\r\n\r\n`, so a body or a malformed head is
//! miscounted), ignores methods, paths and limits, has no timeouts, and
//! answers every head with the same canned response.
//!
//! What it does, and nothing more (the floor issue 28 describes): one
//! thread, one mio loop, each connection registered once for readable and
//! writable; on readiness one `read` into a 64 KiB buffer shared by all
//! connections (a read that does not fill it ends the turn: the socket was
//! drained, and new bytes raise a new edge, as `brisk-server` and nginx
//! read), `memmem` for `\r\n\r\n` counting request heads, one canned
//! 13-byte `Hello, World!` response per head with a `Date` refreshed once
//! a second, and one `write` per batch (the rest kept for when the socket
//! is writable again).
//!
//! `benches/load/compare.py server` runs it in the same interleaved rounds
//! as `examples/hello` and nginx, and reports our requests per CPU-second
//! as a ratio of its.
//!
//! Usage: `floor [HOST:PORT]` (default 127.0.0.1:8080; port 0 picks one);
//! the first line on stdout is `listening at http://HOST:PORT/`, as the
//! server examples print it.
//!
//! `FLOOR_DRAIN_READS=1` reads until `WouldBlock` instead, so every batch
//! costs one more `recvfrom` that returns `EAGAIN` (`compare.py` runs that
//! variant too when the variable is set).

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant, SystemTime};

const LISTENER: Token = Token(usize::MAX);
/// The one read buffer, shared by every connection.
const READ_BUF_BYTES: usize = 64 << 10;
const HEAD_END: &[u8; 4] = b"\r\n\r\n";

struct Conn {
    stream: TcpStream,
    /// Bytes of `\r\n\r\n` matched at the end of the last read (0..=3), so
    /// a head split across reads is still counted once.
    matched: usize,
    /// Response bytes the socket did not take yet.
    pending: Vec<u8>,
}

/// The canned response, its `Date` rewritten once a second.
struct Canned {
    bytes: Vec<u8>,
    second: u64,
}

impl Canned {
    fn new() -> Canned {
        let mut c = Canned {
            bytes: Vec::new(),
            second: u64::MAX,
        };
        c.refresh(SystemTime::now());
        c
    }

    fn refresh(&mut self, now: SystemTime) {
        let second = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        if second == self.second {
            return;
        }
        self.second = second;
        self.bytes = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nDate: {}\r\n\r\nHello, World!",
            brisk_core::fmt_http_date(now)
        )
        .into_bytes();
    }
}

/// Counts complete `\r\n\r\n` in `buf` with `memmem`, continuing a match
/// of `matched` bytes left by the previous read; returns the count and the
/// new match (the longest end of `buf` that begins `\r\n\r\n`).
fn count_heads(buf: &[u8], matched: usize) -> (usize, usize) {
    let mut heads = 0;
    let mut from = 0;
    // A head whose end began in the previous read.
    if matched > 0 && buf.len() >= HEAD_END.len() - matched && buf.starts_with(&HEAD_END[matched..])
    {
        heads += 1;
        from = HEAD_END.len() - matched;
    }
    let finder = memchr::memmem::Finder::new(HEAD_END);
    while let Some(at) = finder.find(&buf[from..]) {
        heads += 1;
        from += at + HEAD_END.len();
    }
    let tail = &buf[from..];
    let matched = (1..HEAD_END.len())
        .rev()
        .find(|&k| tail.len() >= k && tail.ends_with(&HEAD_END[..k]))
        .unwrap_or(0);
    (heads, matched)
}

/// Reads until a read that did not fill `buf` (or, with `drain`, until
/// `WouldBlock`); queues one response per head; writes once.
/// Returns false when the connection is finished.
fn serve(conn: &mut Conn, buf: &mut [u8], canned: &Canned, drain: bool) -> bool {
    loop {
        match conn.stream.read(buf) {
            Ok(0) => return false,
            Ok(n) => {
                let (heads, matched) = count_heads(&buf[..n], conn.matched);
                conn.matched = matched;
                for _ in 0..heads {
                    conn.pending.extend_from_slice(&canned.bytes);
                }
                if !drain && n < buf.len() {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
    flush(conn)
}

fn flush(conn: &mut Conn) -> bool {
    while !conn.pending.is_empty() {
        match conn.stream.write(&conn.pending) {
            Ok(n) => {
                conn.pending.drain(..n);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
    true
}

fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let addr = addr
        .parse()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{addr}: {e}")))?;
    let mut listener = TcpListener::bind(addr)?;
    let mut poll = Poll::new()?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    println!("listening at http://{}/", listener.local_addr()?);
    io::stdout().flush()?;

    let drain_reads = std::env::var_os("FLOOR_DRAIN_READS").is_some_and(|v| v == "1");
    let mut conns: HashMap<usize, Conn> = HashMap::new();
    let mut next_token = 0usize;
    let mut buf = vec![0u8; READ_BUF_BYTES];
    let mut canned = Canned::new();
    let mut events = Events::with_capacity(1024);
    let mut last_refresh = Instant::now();
    loop {
        poll.poll(&mut events, Some(Duration::from_secs(1)))?;
        if last_refresh.elapsed() >= Duration::from_millis(100) {
            canned.refresh(SystemTime::now());
            last_refresh = Instant::now();
        }
        for event in events.iter() {
            if event.token() == LISTENER {
                loop {
                    match listener.accept() {
                        Ok((mut stream, _)) => {
                            let _ = stream.set_nodelay(true);
                            let token = Token(next_token);
                            next_token = next_token.wrapping_add(1) % (usize::MAX - 1);
                            poll.registry().register(
                                &mut stream,
                                token,
                                Interest::READABLE | Interest::WRITABLE,
                            )?;
                            let conn = Conn {
                                stream,
                                matched: 0,
                                pending: Vec::new(),
                            };
                            conns.insert(token.0, conn);
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(_) => break,
                    }
                }
                continue;
            }
            let key = event.token().0;
            let Some(conn) = conns.get_mut(&key) else {
                continue;
            };
            let alive = if event.is_readable() {
                // After the peer's FIN no further edge comes: read to the end.
                serve(
                    conn,
                    &mut buf,
                    &canned,
                    drain_reads || event.is_read_closed(),
                )
            } else {
                flush(conn)
            };
            if !alive {
                conns.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::count_heads;

    #[test]
    fn heads_are_counted_across_splits() {
        let wire = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\n\r\n";
        for cut in 0..=wire.len() {
            let (a, m) = count_heads(&wire[..cut], 0);
            let (b, _) = count_heads(&wire[cut..], m);
            assert_eq!(a + b, 2, "cut at {cut}");
        }
        assert_eq!(count_heads(b"\r\r\n\r\n", 0).0, 1);
        assert_eq!(count_heads(b"\r\n\r", 0), (0, 3));
        assert_eq!(count_heads(b"\n", 3), (1, 0));
        assert_eq!(count_heads(b"\r\n", 2), (1, 0));
        assert_eq!(count_heads(b"x\r\n\r\n", 2), (1, 0));
    }
}
