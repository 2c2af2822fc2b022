//! What an [`Exchange`](super::Exchange) is given (its plan and
//! deadlines) and what it answers (the next action, the received head).

use std::time::{Duration, Instant};

use brisk_core::{BodyKind, Limits, Method, ResponseHead};

/// Deadlines of one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadlines {
    /// The whole request, body included (curl's `-m`).
    pub total: Option<Instant>,
    /// Longest wait for any single read or write.
    pub idle: Duration,
}

impl Deadlines {
    /// The deadline of a wait that begins at `since`.
    pub fn wait_from(&self, since: Instant) -> Instant {
        let idle = since + self.idle;
        self.total.map_or(idle, |t| t.min(idle))
    }
}

/// How the request body is framed on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// No body.
    None,
    /// `Content-Length: n`.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// What the exchange is to send and how to read the answer.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The request method (HEAD answers have no body).
    pub method: Method,
    /// The encoded request head.
    pub head: Vec<u8>,
    /// The body's framing, as the head announced it.
    pub framing: Framing,
    /// The head carries `Expect: 100-continue`: hold the body back.
    pub expect_continue: bool,
    /// How long to hold it back at most.
    pub expect_wait: Duration,
    /// Limits on response heads.
    pub limits: Limits,
    /// The request's deadlines.
    pub deadlines: Deadlines,
}

/// What the driver should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Write all of [`Exchange::output`] by `deadline`, then [`Exchange::wrote`].
    Write { deadline: Instant },
    /// Hand over body bytes ([`Exchange::send_body`], [`Exchange::end_body`]).
    SendBody,
    /// No `100 Continue` within the wait: the body goes now (for `-v`).
    ContinueTimedOut,
    /// Feed buffered bytes, or read more by `deadline`.
    Read { deadline: Instant },
    /// The final head is complete: [`Exchange::take_head`].
    Head,
    /// The exchange is over.
    Done {
        /// The connection may carry another exchange.
        reusable: bool,
    },
}

/// A final response head as received.
#[derive(Debug)]
pub(crate) struct ReceivedHead {
    pub head: ResponseHead,
    /// The head bytes exactly as received (for `-i` and `-v`).
    pub raw: Vec<u8>,
    /// Interim (1xx) heads before it, raw.
    pub interim: Vec<Vec<u8>>,
    pub body_kind: BodyKind,
    /// When the first response byte arrived.
    pub first_byte_at: Instant,
}
