//! Fan-out across processes through Redis pub/sub (the `redis` cargo
//! feature): every publish on an endpoint's topics also goes to the Redis
//! channel `PREFIX + topic`, and what other processes publish there is
//! delivered to this process's subscribers. Clients connected to
//! different processes behind a load balancer then see each other's
//! messages.
//!
//! Two threads per relay: one publishes (fed through a bounded queue, so
//! a publish never blocks a worker loop; when the queue is full or Redis
//! is away, the message reaches local subscribers only), one subscribes
//! (`PSUBSCRIBE PREFIX*`). Both reconnect with backoff (100 ms doubling to
//! 2 s) and say in the log when Redis goes away and when it is back;
//! local delivery never stops. Each message carries the id of the process
//! that published it, so a process ignores its own when Redis echoes them.
//! The threads end when the endpoint's topics are dropped.

use super::endpoint::Message;
use super::topics::{Relay, Topics};
use super::WebSocket;
use redis::{Client, Connection, RedisError};
use std::io;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Weak};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Messages waiting for the publishing thread; beyond, they stay local.
const QUEUE_MESSAGES: usize = 10_000;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How often a blocked subscriber wakes to see whether it should end.
const POLL_INTERVAL: Duration = Duration::from_millis(500);
const BACKOFF_FIRST: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);
/// Payload: the publishing process's id, the opcode, the message.
const ID_BYTES: usize = 16;
const OP_TEXT: u8 = 1;
const OP_BINARY: u8 = 2;

/// The relay of one endpoint's topics through Redis.
pub struct RedisRelay {
    prefix: String,
    id: [u8; ID_BYTES],
    queue: SyncSender<(String, Vec<u8>)>,
}

impl RedisRelay {
    /// Relays `ws`'s topics through the Redis at `url`
    /// (`redis://HOST:PORT/`) on channels named `prefix` + topic. Fails
    /// only on a malformed URL: an unreachable Redis is retried.
    pub fn start(ws: &WebSocket, url: &str, prefix: &str) -> io::Result<Arc<RedisRelay>> {
        let client =
            Client::open(url).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let (queue, rx) = mpsc::sync_channel(QUEUE_MESSAGES);
        let relay = Arc::new(RedisRelay {
            prefix: prefix.to_owned(),
            id: process_id(),
            queue,
        });
        let topics = Arc::downgrade(ws.topics());
        let (c, url_owned) = (client.clone(), url.to_owned());
        thread::Builder::new()
            .name("redis-publish".into())
            .spawn(move || publish_loop(c, &url_owned, rx))?;
        let (prefix, id, url) = (prefix.to_owned(), relay.id, url.to_owned());
        thread::Builder::new()
            .name("redis-subscribe".into())
            .spawn(move || subscribe_loop(client, &url, &prefix, id, topics))?;
        ws.topics().set_relay(relay.clone());
        Ok(relay)
    }
}

impl Relay for RedisRelay {
    fn relay(&self, topic: &str, msg: Message<'_>) {
        let (op, payload) = match msg {
            Message::Text(t) => (OP_TEXT, t.as_bytes()),
            Message::Binary(b) => (OP_BINARY, b),
        };
        let mut bytes = Vec::with_capacity(ID_BYTES + 1 + payload.len());
        bytes.extend_from_slice(&self.id);
        bytes.push(op);
        bytes.extend_from_slice(payload);
        match self
            .queue
            .try_send((format!("{}{topic}", self.prefix), bytes))
        {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                log::warn!("redis relay: queue full, a publish on {topic:?} stays local")
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }
}

/// An id for this relay: the process id and the start time in nanoseconds.
fn process_id() -> [u8; ID_BYTES] {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut id = [0u8; ID_BYTES];
    id[..8].copy_from_slice(&u64::from(std::process::id()).to_be_bytes());
    id[8..].copy_from_slice(&nanos.to_be_bytes());
    id
}

/// Reconnection state: backoff, and whether the outage was logged.
struct Link {
    url: String,
    role: &'static str,
    backoff: Duration,
    next_try: Instant,
    away: bool,
}

impl Link {
    fn new(url: &str, role: &'static str) -> Link {
        Link {
            url: url.to_owned(),
            role,
            backoff: BACKOFF_FIRST,
            next_try: Instant::now(),
            away: false,
        }
    }

    fn connect(&mut self, client: &Client) -> Option<Connection> {
        match client.get_connection_with_timeout(CONNECT_TIMEOUT) {
            Ok(con) => {
                if self.away {
                    log::warn!("redis relay ({}): {} is back", self.role, self.url);
                }
                self.away = false;
                self.backoff = BACKOFF_FIRST;
                Some(con)
            }
            Err(e) => {
                self.failed(&e);
                None
            }
        }
    }

    /// Logs the first failure of an outage; schedules the next try.
    fn failed(&mut self, e: &RedisError) {
        if !self.away {
            log::warn!(
                "redis relay ({}): {} is away ({e}); retrying with backoff, local delivery goes on",
                self.role,
                self.url
            );
        }
        self.away = true;
        self.next_try = Instant::now() + self.backoff;
        self.backoff = (self.backoff * 2).min(BACKOFF_MAX);
    }
}

/// Publishes what the queue brings; while Redis is away, messages are
/// dropped (they were delivered locally already).
fn publish_loop(client: Client, url: &str, rx: Receiver<(String, Vec<u8>)>) {
    let mut link = Link::new(url, "publish");
    let mut con: Option<Connection> = None;
    while let Ok((channel, payload)) = rx.recv() {
        // A connection idle through a Redis restart fails on its first
        // use: one retry on a fresh connection, then the backoff.
        for _ in 0..2 {
            if con.is_none() && Instant::now() >= link.next_try {
                con = link.connect(&client);
            }
            let Some(c) = con.as_mut() else {
                break;
            };
            let sent: Result<i64, RedisError> =
                redis::cmd("PUBLISH").arg(&channel).arg(&payload).query(c);
            match sent {
                Ok(_) => break,
                Err(e) => {
                    con = None;
                    if e.is_io_error() || e.is_connection_dropped() {
                        continue;
                    }
                    link.failed(&e);
                    break;
                }
            }
        }
    }
}

/// Subscribes to `prefix*` and delivers other processes' publishes
/// locally, reconnecting as needed, until the topics are dropped.
fn subscribe_loop(
    client: Client,
    url: &str,
    prefix: &str,
    id: [u8; ID_BYTES],
    topics: Weak<Topics>,
) {
    let mut link = Link::new(url, "subscribe");
    while topics.strong_count() > 0 {
        let wait = link.next_try.saturating_duration_since(Instant::now());
        if !wait.is_zero() {
            thread::sleep(wait.min(POLL_INTERVAL));
            continue;
        }
        let Some(mut con) = link.connect(&client) else {
            continue;
        };
        if let Err(e) = listen(&mut con, prefix, id, &topics) {
            link.failed(&e);
        }
    }
}

/// One subscribed connection's life: `Ok` when the topics were dropped.
fn listen(
    con: &mut Connection,
    prefix: &str,
    id: [u8; ID_BYTES],
    topics: &Weak<Topics>,
) -> Result<(), RedisError> {
    let mut pubsub = con.as_pubsub();
    pubsub.set_read_timeout(Some(POLL_INTERVAL))?;
    pubsub.psubscribe(format!("{prefix}*"))?;
    loop {
        let msg = match pubsub.get_message() {
            Ok(msg) => msg,
            Err(e) if e.is_timeout() => {
                if topics.strong_count() == 0 {
                    return Ok(());
                }
                continue;
            }
            Err(e) => return Err(e),
        };
        let Some(topics) = topics.upgrade() else {
            return Ok(());
        };
        let Some(topic) = msg.get_channel_name().strip_prefix(prefix) else {
            continue;
        };
        deliver(&topics, topic, msg.get_payload_bytes(), id);
    }
}

/// A relayed publish: ignored when it is ours or malformed (anyone may
/// publish on the channel), else delivered locally.
fn deliver(topics: &Topics, topic: &str, payload: &[u8], own: [u8; ID_BYTES]) {
    if payload.len() < ID_BYTES + 1 || payload[..ID_BYTES] == own {
        return;
    }
    let body = &payload[ID_BYTES + 1..];
    let msg = match payload[ID_BYTES] {
        OP_TEXT => match std::str::from_utf8(body) {
            Ok(text) => Message::Text(text),
            Err(_) => return,
        },
        OP_BINARY => Message::Binary(body),
        _ => return,
    };
    topics.publish_local(topic, msg);
}
