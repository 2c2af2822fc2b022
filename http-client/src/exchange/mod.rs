//! One request/response exchange on a connection, in two layers:
//!
//! ```text
//!  client.rs --Plan--> driver::send_and_read_head --(ReceivedHead, Exchange)--> BodyReader
//!                            |   ^                                                 |   ^
//!                   Action   v   | bytes, now, EOF, timeouts               Action  v   | bytes, now
//!                        machine::Exchange (sans-IO: no socket, no clock)  <-------+
//! ```
//!
//! - [`machine`]: the protocol as a state machine fed bytes and the
//!   current time; it encodes nothing but body framing, parses the head
//!   with http-core's `ResponseParser` and the body with its
//!   `BodyDecoder`, and names every deadline. Its module doc draws the
//!   states.
//! - [`driver`]: the I/O of sending and of reading the head over a
//!   [`Conn`](crate::net::Conn), with the deadlines the machine gives.
//! - [`BodyReader`] (`body`): the I/O of the body, with the zero-copy path
//!   for Content-Length and close-delimited bodies (straight from the
//!   socket into the caller's buffer); it returns a finished connection to
//!   the pool, a decision the machine only informs (`Done { reusable }`).

mod body;
pub(crate) mod driver;
pub(crate) mod machine;

use std::io::{self, Read};

pub use body::BodyReader;
pub(crate) use body::Return;
pub(crate) use machine::{Deadlines, Framing};

/// The body of a request.
pub enum RequestBody {
    /// No body.
    Empty,
    /// Bytes in memory (replayable).
    Bytes(Vec<u8>),
    /// A stream: sent with `Content-Length` when `len` is known, chunked
    /// otherwise. Not replayable.
    Reader {
        /// The source.
        reader: Box<dyn Read + Send>,
        /// Its length, if known.
        len: Option<u64>,
    },
}

impl std::fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestBody::Empty => f.write_str("Empty"),
            RequestBody::Bytes(b) => write!(f, "Bytes({})", b.len()),
            RequestBody::Reader { len, .. } => write!(f, "Reader({len:?})"),
        }
    }
}

impl RequestBody {
    /// A file body with its length from the metadata.
    pub fn file(file: std::fs::File) -> io::Result<RequestBody> {
        let len = file.metadata()?.len();
        Ok(RequestBody::Reader {
            reader: Box::new(file),
            len: Some(len),
        })
    }

    /// True when the body can be sent again (a retry or a 307/308).
    pub fn is_replayable(&self) -> bool {
        !matches!(self, RequestBody::Reader { .. })
    }

    /// How the body goes on the wire.
    pub(crate) fn framing(&self) -> Framing {
        match self {
            RequestBody::Empty => Framing::None,
            RequestBody::Bytes(b) => Framing::Length(b.len() as u64),
            RequestBody::Reader { len: Some(n), .. } => Framing::Length(*n),
            RequestBody::Reader { len: None, .. } => Framing::Chunked,
        }
    }

    /// The framing header this body needs, if any.
    pub(crate) fn framing_header(&self) -> Option<(&'static str, String)> {
        match self.framing() {
            Framing::None => None,
            Framing::Length(n) => Some(("Content-Length", n.to_string())),
            Framing::Chunked => Some(("Transfer-Encoding", "chunked".to_string())),
        }
    }
}
