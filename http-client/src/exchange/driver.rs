//! The I/O half of an exchange up to the final head: writes what the
//! machine queues, reads what it asks for, and tells it of end of stream,
//! errors and expired waits. Each wait's deadline is the machine's.
//!
//! The body after the head is [`super::BodyReader`]'s; where the
//! connection goes afterwards is decided there and in the client.

use std::io::{self, Read};
use std::time::Instant;

use crate::error::Error;
use crate::exchange::machine::{Action, Exchange, ReceivedHead, SEND_CHUNK_BYTES};
use crate::exchange::RequestBody;
use crate::net::Conn;
use crate::trace::Tracer;

/// Why an exchange failed before its head, and whether the replay-once
/// rule may send it again on a fresh connection.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    /// Closed, reset or unwritable before any response byte (and not a
    /// timeout): eligible for one replay when the connection was reused.
    pub stale: bool,
}

/// Sends the request and reads until the final head. Returns the head and
/// the exchange, now in its body (or done).
pub(crate) fn send_and_read_head(
    conn: &mut Conn,
    mut ex: Exchange,
    body: &mut RequestBody,
    tracer: &Tracer,
) -> Result<(ReceivedHead, Exchange), Failure> {
    let fail = |ex: &Exchange, error: Error| Failure {
        stale: ex.may_replay() && matches!(error, Error::EmptyReply | Error::Io { .. }),
        error,
    };
    let mut source = BodySource::new(body);
    // The buffered bytes were fed and were not enough: read before feeding again.
    let mut starved = false;
    loop {
        let now = Instant::now();
        let action = ex.poll(now).map_err(|e| fail(&ex, e))?;
        match action {
            Action::Write { deadline } => {
                if let Err(e) = conn.write_all(ex.output(), deadline) {
                    let e = ex.io_error(e);
                    return Err(fail(&ex, e));
                }
                ex.wrote(Instant::now());
            }
            Action::SendBody => source.give(&mut ex, conn).map_err(|e| fail(&ex, e))?,
            Action::ContinueTimedOut => tracer.note("Done waiting for 100-continue"),
            Action::Read { deadline } => {
                if !starved && !conn.rbuf.is_empty() {
                    let used = ex.feed(now, &conn.rbuf).map_err(|e| fail(&ex, e))?;
                    conn.rbuf.drain(..used);
                    starved = used == 0;
                    continue;
                }
                match conn.fill(deadline) {
                    Ok(0) => ex.on_eof().map_err(|e| fail(&ex, e))?,
                    Ok(_) => starved = false,
                    Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                        if let Action::ContinueTimedOut =
                            ex.timed_out(Instant::now()).map_err(|e| fail(&ex, e))?
                        {
                            tracer.note("Done waiting for 100-continue");
                        }
                    }
                    Err(e) => {
                        let e = ex.io_error(e);
                        return Err(fail(&ex, e));
                    }
                }
            }
            Action::Head => {
                if let Some(head) = ex.take_head() {
                    return Ok((head, ex));
                }
            }
            // The machine reaches Done only through a head.
            Action::Done { .. } => {
                let e = ex.io_error(io::Error::other("exchange ended without a response head"));
                return Err(fail(&ex, e));
            }
        }
    }
}

/// The request body as the machine asks for it, a write's worth at a time.
enum BodySource<'a> {
    /// Bytes in memory, from `pos` on.
    Bytes { bytes: &'a [u8], pos: usize },
    /// A stream, read through `buf`.
    Reader {
        reader: &'a mut (dyn Read + Send),
        buf: Vec<u8>,
    },
    /// Nothing (or nothing more).
    Empty,
}

impl<'a> BodySource<'a> {
    fn new(body: &'a mut RequestBody) -> BodySource<'a> {
        match body {
            RequestBody::Empty => BodySource::Empty,
            RequestBody::Bytes(b) => BodySource::Bytes { bytes: b, pos: 0 },
            RequestBody::Reader { reader, .. } => BodySource::Reader {
                reader: reader.as_mut(),
                buf: Vec::new(),
            },
        }
    }

    /// Gives the machine the next piece of the body, or its end; a piece
    /// the machine lets through ([`Exchange::pass_body`]) is written to
    /// `conn` from where it lies, without a copy.
    fn give(&mut self, ex: &mut Exchange, conn: &mut Conn) -> Result<(), Error> {
        match self {
            BodySource::Bytes { bytes, pos } if *pos < bytes.len() => {
                let end = (*pos + SEND_CHUNK_BYTES).min(bytes.len());
                let piece = &bytes[*pos..end];
                *pos = end;
                pass_or_queue(ex, conn, piece)
            }
            BodySource::Reader { reader, buf } => {
                buf.resize(SEND_CHUNK_BYTES, 0);
                let n = loop {
                    match reader.read(buf) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(Error::RequestBody(e)),
                    }
                };
                if n == 0 {
                    *self = BodySource::Empty;
                    return ex.end_body();
                }
                pass_or_queue(ex, conn, &buf[..n])
            }
            BodySource::Bytes { .. } | BodySource::Empty => ex.end_body(),
        }
    }
}

/// Writes `piece` of the body to `conn` at once when the machine lets it
/// through, else queues it behind what the machine holds (the head, or a
/// chunk's framing).
fn pass_or_queue(ex: &mut Exchange, conn: &mut Conn, piece: &[u8]) -> Result<(), Error> {
    let Some(deadline) = ex.pass_body(piece.len(), Instant::now()) else {
        ex.send_body(piece);
        return Ok(());
    };
    if let Err(e) = conn.write_all(piece, deadline) {
        return Err(ex.io_error(e));
    }
    ex.wrote(Instant::now());
    Ok(())
}
