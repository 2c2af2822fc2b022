//! Sending to a WebSocket connection from any thread: a [`WsSender`]
//! turns a message into a frame on the calling thread and hands it to the
//! connection's worker through the worker's channel and waker (the same
//! way back the handler pool uses). The worker appends it to the
//! connection's send buffer and flushes every buffered frame in one write
//! on its next turn.

use crate::pool::{Msg, Reply};
use brisk_core::ws::{encode_frame, CloseCode, OpCode};
use std::sync::Arc;

/// What other threads ask of a WebSocket session.
pub(crate) enum Command {
    /// An encoded frame (shared by every subscriber of a publish).
    Frame(Arc<[u8]>),
    /// Start the closing handshake.
    Close(CloseCode, String),
}

/// A handle to one WebSocket connection, usable from any thread; cheap to
/// clone. Sends after the connection closed are dropped (a closed
/// connection's token is never reused for another: tokens carry a
/// generation).
#[derive(Clone, Debug)]
pub struct WsSender {
    token: usize,
    reply: Reply,
}

impl WsSender {
    pub(crate) fn new(token: usize, reply: Reply) -> WsSender {
        WsSender { token, reply }
    }

    /// Queues a text message; `false` when the worker is gone.
    pub fn send_text(&self, text: &str) -> bool {
        self.send_frame(Arc::from(frame(OpCode::Text, text.as_bytes())), true)
    }

    /// Queues a binary message; `false` when the worker is gone.
    pub fn send_binary(&self, data: &[u8]) -> bool {
        self.send_frame(Arc::from(frame(OpCode::Binary, data)), true)
    }

    /// Starts the closing handshake with `code` and `reason`.
    pub fn close(&self, code: CloseCode, reason: &str) -> bool {
        self.command(Command::Close(code, reason.to_owned()), true)
    }

    /// Hands an encoded frame over; `wake`: wake the worker now (a publish
    /// wakes each worker once, after all its frames).
    pub(crate) fn send_frame(&self, frame: Arc<[u8]>, wake: bool) -> bool {
        self.command(Command::Frame(frame), wake)
    }

    fn command(&self, cmd: Command, wake: bool) -> bool {
        if self.reply.tx.send(Msg::Ws(self.token, cmd)).is_err() {
            return false;
        }
        !wake || self.wake()
    }

    /// Wakes the connection's worker.
    pub(crate) fn wake(&self) -> bool {
        self.reply.waker.wake().is_ok()
    }

    /// Whether two senders reach the same worker (one wake-up for both).
    pub(crate) fn same_worker(&self, other: &WsSender) -> bool {
        Arc::ptr_eq(&self.reply.waker, &other.reply.waker)
    }
}

/// An unmasked, uncompressed server frame holding a whole message.
pub(crate) fn frame(opcode: OpCode, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 10);
    encode_frame(&mut out, true, opcode, payload, None);
    out
}
