//! The response body as a stream: the I/O half of the exchange after the
//! head. Content-Length and close-delimited bytes go straight from the
//! socket into the caller's buffer (no copy through a buffer of ours:
//! that is what makes bulk downloads cheap); chunked bytes are decoded
//! through the machine.
//!
//! When the machine says `Done { reusable }`, the connection goes back to
//! the pool if it is reusable and nothing stray follows the body, and is
//! closed otherwise. Dropping the reader early closes the connection.

use std::io::{self, Read};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::exchange::machine::{Action, Exchange};
use crate::net::Conn;
use crate::pool::{Pool, PoolKey};
use crate::trace::Tracer;

/// Where a finished connection goes.
pub(crate) struct Return {
    pub pool: Arc<Pool>,
    pub key: PoolKey,
    pub id: u64,
    /// Told "left intact" or "closing" for `-v`.
    pub tracer: Tracer,
}

/// The response body as a stream. Reading it to the end returns a
/// keep-alive connection to the pool; dropping it early closes the
/// connection (its remaining bytes would confuse the next response).
pub struct BodyReader {
    conn: Option<Conn>,
    exchange: Exchange,
    /// Decoded chunked bytes not handed out yet: `out[pos..]`.
    out: Vec<u8>,
    pos: usize,
    received: u64,
    /// The buffered bytes were fed and were not enough: read first.
    starved: bool,
    ret: Option<Return>,
}

impl std::fmt::Debug for BodyReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "BodyReader({} bytes read, finished: {})",
            self.received,
            self.exchange.is_finished()
        )
    }
}

impl BodyReader {
    /// The body of `exchange` (past its head) on `conn`.
    pub(crate) fn new(conn: Conn, exchange: Exchange, ret: Option<Return>) -> BodyReader {
        let mut r = BodyReader {
            conn: Some(conn),
            exchange,
            out: Vec::new(),
            pos: 0,
            received: 0,
            starved: false,
            ret,
        };
        r.release_if_done();
        r
    }

    /// Body bytes delivered so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Sets how long one read may wait (the idle timeout).
    pub fn set_idle_timeout(&mut self, idle: Duration) {
        self.exchange.set_idle_timeout(idle);
    }

    /// When the body is complete on the wire, gives the connection back to
    /// the pool if it may carry another exchange, or closes it.
    fn release_if_done(&mut self) {
        let Some(reusable) = self.exchange.done() else {
            return;
        };
        let Some(conn) = self.conn.take() else {
            return;
        };
        let Some(ret) = self.ret.take() else {
            return;
        };
        // Stray bytes after the body: the next boundary is unknown, close.
        if reusable && conn.rbuf.is_empty() {
            ret.tracer.note(&format!(
                "Connection #{} to host {} left intact",
                ret.id, ret.key.host
            ));
            ret.pool.put(ret.key.clone(), conn, ret.id);
        } else {
            ret.tracer.note(&format!("Closing connection #{}", ret.id));
        }
    }

    fn fail(&mut self, e: Error) -> io::Error {
        self.out.clear();
        self.pos = 0;
        if let Some(conn) = self.conn.take() {
            conn.abort();
        }
        e.into_io()
    }

    fn read_inner(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            // Decoded bytes first, even after the connection went back.
            if self.pos < self.out.len() {
                let n = (self.out.len() - self.pos).min(buf.len());
                buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
                self.pos += n;
                self.received += n as u64;
                return Ok(n);
            }
            let Some(conn) = self.conn.as_mut() else {
                return Ok(0);
            };
            let ex = &mut self.exchange;
            let deadline = match ex.poll(Instant::now())? {
                Action::Read { deadline } => deadline,
                Action::Done { .. } => {
                    self.release_if_done();
                    return Ok(0);
                }
                // Past the head nothing else is asked of a body reader.
                _ => return Ok(0),
            };
            match ex.body_passthrough() {
                // Length or close-delimited: straight into the caller's buffer.
                Some(limit) => {
                    let want = usize::try_from(limit).unwrap_or(usize::MAX).min(buf.len());
                    match conn.read_direct(&mut buf[..want], deadline) {
                        Ok(0) => ex.on_eof()?,
                        Ok(n) => {
                            ex.passed_through(n);
                            self.received += n as u64;
                            self.release_if_done();
                            return Ok(n);
                        }
                        Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                            ex.timed_out(Instant::now())?;
                        }
                        Err(e) => return Err(ex.io_error(e)),
                    }
                }
                // Chunked: decode what arrived, read more when that gave nothing.
                None => {
                    if !self.starved && !conn.rbuf.is_empty() {
                        self.out.clear();
                        self.pos = 0;
                        let used = ex.feed_body(&conn.rbuf, &mut self.out)?;
                        conn.rbuf.drain(..used);
                        self.starved = used == 0 && self.out.is_empty();
                        // The last chunk is in: the connection can go back
                        // now, the decoded rest is served from `out`.
                        self.release_if_done();
                        continue;
                    }
                    match conn.fill(deadline) {
                        Ok(0) => ex.on_eof()?,
                        Ok(_) => self.starved = false,
                        Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                            ex.timed_out(Instant::now())?;
                        }
                        Err(e) => return Err(ex.io_error(e)),
                    }
                }
            }
        }
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_inner(buf).map_err(|e| self.fail(e))
    }
}

impl Drop for BodyReader {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            if let Some(ret) = &self.ret {
                ret.tracer.note(&format!(
                    "Closing connection #{} (body not read to the end)",
                    ret.id
                ));
            }
            drop(conn);
        }
    }
}
