//! The send side of one WebSocket connection ([`Outbound`]: its send
//! buffer, encoder, subscriptions and closing intent) and the handle the
//! endpoint's callbacks get ([`WsConn`]). Nothing here touches the socket:
//! the session (`session.rs`) flushes the buffer.

use super::endpoint::{Backpressure, Endpoint, EndpointShared, Message};
use super::sender::WsSender;
use brisk_core::ws::{encode_close, encode_control, CloseCode, Encoder, OpCode};
use std::any::Any;
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// What became of a message handed to [`WsConn::send`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendStatus {
    /// Queued; the send buffer is under the limit.
    Sent,
    /// Queued, but the send buffer is now over the limit: stop sending
    /// until [`super::Endpoint::drain`].
    Backpressure,
    /// Not queued: the buffer was over the limit (see
    /// [`super::Backpressure`]) or the connection is closing.
    Dropped,
}

/// The send side of one connection.
pub(crate) struct Outbound {
    /// Frames not yet written, from `sent` on.
    pub(crate) buf: Vec<u8>,
    pub(crate) sent: usize,
    encoder: Encoder,
    pub(crate) shared: Arc<EndpointShared>,
    pub(crate) sender: WsSender,
    pub(crate) id: u64,
    pub(crate) peer: SocketAddr,
    pub(crate) protocol: Option<String>,
    subscriptions: Vec<String>,
    user: Option<Box<dyn Any + Send>>,
    /// Our close frame is queued: nothing more may be sent (RFC 6455 5.5.1).
    pub(crate) close_sent: bool,
    /// The code of a close we started, for the session to act on.
    pub(crate) close_started: Option<(CloseCode, String)>,
    /// The buffer went over the limit: `drain` is owed once below.
    pub(crate) over_limit: bool,
}

impl Outbound {
    pub(crate) fn new(
        shared: Arc<EndpointShared>,
        encoder: Encoder,
        sender: WsSender,
        id: u64,
        peer: SocketAddr,
        protocol: Option<String>,
    ) -> Outbound {
        Outbound {
            buf: Vec::new(),
            sent: 0,
            encoder,
            shared,
            sender,
            id,
            peer,
            protocol,
            subscriptions: Vec::new(),
            user: None,
            close_sent: false,
            close_started: None,
            over_limit: false,
        }
    }

    /// Bytes waiting to be written.
    pub(crate) fn pending(&self) -> usize {
        self.buf.len() - self.sent
    }

    fn limit(&self) -> usize {
        self.shared.settings.max_backpressure_bytes
    }

    /// Whether another message may be queued now; over the limit, the
    /// endpoint's policy applies (dropped, or the connection closes).
    fn admit(&mut self) -> bool {
        if self.close_sent {
            return false;
        }
        if self.pending() < self.limit() {
            return true;
        }
        if self.shared.settings.backpressure == Backpressure::Close {
            self.start_close(CloseCode::Policy, "send buffer full");
        }
        false
    }

    /// The status after queueing.
    fn status(&mut self) -> SendStatus {
        if self.pending() >= self.limit() {
            self.over_limit = true;
            SendStatus::Backpressure
        } else {
            SendStatus::Sent
        }
    }

    pub(crate) fn send(&mut self, msg: Message<'_>) -> SendStatus {
        if !self.admit() {
            return SendStatus::Dropped;
        }
        let (text, payload) = match msg {
            Message::Text(t) => (true, t.as_bytes()),
            Message::Binary(b) => (false, b),
        };
        self.encoder.message(&mut self.buf, text, payload, None);
        self.status()
    }

    /// A frame encoded elsewhere (a publish, a [`WsSender`]).
    pub(crate) fn send_encoded(&mut self, frame: &[u8]) -> SendStatus {
        if !self.admit() {
            return SendStatus::Dropped;
        }
        self.buf.extend_from_slice(frame);
        self.status()
    }

    /// A ping or pong (never refused: control frames are tiny).
    pub(crate) fn control(&mut self, opcode: OpCode, payload: &[u8]) {
        if !self.close_sent {
            encode_control(&mut self.buf, opcode, payload, None);
        }
    }

    /// Queues our close frame (once) and leaves every topic.
    pub(crate) fn start_close(&mut self, code: CloseCode, reason: &str) {
        if self.close_sent {
            return;
        }
        encode_close(&mut self.buf, code, reason, None);
        self.close_sent = true;
        self.close_started = Some((code, reason.to_owned()));
        self.leave_topics();
    }

    /// Queues the answer to the peer's close: its code echoed (RFC 6455
    /// 5.5.1), or an empty close frame when it sent none.
    pub(crate) fn answer_close(&mut self, code: Option<CloseCode>) {
        if self.close_sent {
            return;
        }
        match code {
            Some(code) => encode_close(&mut self.buf, code, "", None),
            None => encode_control(&mut self.buf, OpCode::Close, &[], None),
        }
        self.close_sent = true;
        self.leave_topics();
    }

    pub(crate) fn leave_topics(&mut self) {
        for topic in self.subscriptions.drain(..) {
            self.shared.topics.unsubscribe(&topic, self.id);
        }
    }

    /// The buffer is all written: free it (an idle connection holds none).
    pub(crate) fn written(&mut self) {
        self.buf = Vec::new();
        self.sent = 0;
    }
}

/// Runs one of the endpoint's callbacks on `out`'s connection. A panic
/// does not unwind into the worker loop: it is logged and the connection
/// closes with 1011 (internal error), as a panicking HTTP handler gets a
/// 500.
pub(crate) fn call_endpoint(out: &mut Outbound, f: impl FnOnce(&dyn Endpoint, &mut WsConn<'_>)) {
    let shared = out.shared.clone();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        f(&*shared.endpoint, &mut WsConn { out: &mut *out })
    }));
    if caught.is_err() {
        log::error!("{}: websocket endpoint panicked", out.peer);
        out.start_close(CloseCode::Internal, "");
    }
}

/// One connection, as the endpoint's callbacks see it: send, close,
/// subscribe, publish, per-connection data.
pub struct WsConn<'a> {
    pub(crate) out: &'a mut Outbound,
}

impl WsConn<'_> {
    /// Queues a whole message (compressed if permessage-deflate is on and
    /// it is worth it).
    pub fn send(&mut self, msg: Message<'_>) -> SendStatus {
        self.out.send(msg)
    }

    /// [`WsConn::send`] of a text message.
    pub fn send_text(&mut self, text: &str) -> SendStatus {
        self.out.send(Message::Text(text))
    }

    /// [`WsConn::send`] of a binary message.
    pub fn send_binary(&mut self, data: &[u8]) -> SendStatus {
        self.out.send(Message::Binary(data))
    }

    /// Starts the closing handshake (the reason is cut to fit 123 bytes).
    pub fn close(&mut self, code: CloseCode, reason: &str) {
        self.out.start_close(code, reason);
    }

    /// Subscribes this connection to `topic`; `false` if it already was.
    pub fn subscribe(&mut self, topic: &str) -> bool {
        if self.out.close_sent {
            return false;
        }
        let added = self
            .out
            .shared
            .topics
            .subscribe(topic, self.out.id, &self.out.sender);
        if added {
            self.out.subscriptions.push(topic.to_owned());
        }
        added
    }

    /// Unsubscribes; `false` if it was not subscribed.
    pub fn unsubscribe(&mut self, topic: &str) -> bool {
        self.out.subscriptions.retain(|t| t != topic);
        self.out.shared.topics.unsubscribe(topic, self.out.id)
    }

    /// Publishes to every subscriber of `topic` on this endpoint (this
    /// connection included if subscribed); how many it reached.
    pub fn publish(&self, topic: &str, msg: Message<'_>) -> usize {
        self.out.shared.topics.publish(topic, msg)
    }

    /// A handle to send to this connection from any thread.
    pub fn sender(&self) -> WsSender {
        self.out.sender.clone()
    }

    /// Bytes queued and not yet written.
    pub fn buffered_amount(&self) -> usize {
        self.out.pending()
    }

    /// The client's address (from the PROXY header when there is one).
    pub fn peer_addr(&self) -> SocketAddr {
        self.out.peer
    }

    /// The subprotocol chosen in [`super::Endpoint::handshake`].
    pub fn protocol(&self) -> Option<&str> {
        self.out.protocol.as_deref()
    }

    /// A number unique to this connection within the process.
    pub fn id(&self) -> u64 {
        self.out.id
    }

    /// Stores the application's per-connection state.
    pub fn set_data<T: Any + Send>(&mut self, data: T) {
        self.out.user = Some(Box::new(data));
    }

    /// The per-connection state, if set and of type `T`.
    pub fn data<T: Any + Send>(&mut self) -> Option<&mut T> {
        self.out.user.as_mut()?.downcast_mut()
    }
}
