//! Topics: a connection subscribes, anyone publishes; the frame is
//! encoded once per publish and the same bytes go to every subscriber
//! (through its worker's channel, each worker woken once per publish).
//! A [`Relay`] (such as `ws::redis::RedisRelay`) also carries each
//! publish to other processes, which deliver it with
//! [`Topics::publish_local`].

use super::sender::{frame, WsSender};
use super::Message;
use brisk_core::ws::OpCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

/// Where the publishes of a process also go (other processes behind the
/// same load balancer).
pub trait Relay: Send + Sync + 'static {
    /// A publish made in this process (not one that came in through the
    /// relay): pass it on. Called on the publishing thread: must not block.
    fn relay(&self, topic: &str, msg: Message<'_>);
}

/// The subscribers of every topic of one [`super::WebSocket`] endpoint.
#[derive(Default)]
pub struct Topics {
    map: Mutex<HashMap<String, HashMap<u64, WsSender>>>,
    relay: RwLock<Option<Arc<dyn Relay>>>,
}

impl Topics {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, HashMap<u64, WsSender>>> {
        // A panic while holding the lock leaves the map consistent (every
        // change is one insert or remove): go on with it.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds connection `id`; `false` if it was subscribed already.
    pub(crate) fn subscribe(&self, topic: &str, id: u64, sender: &WsSender) -> bool {
        self.lock()
            .entry(topic.to_owned())
            .or_default()
            .insert(id, sender.clone())
            .is_none()
    }

    /// Removes connection `id`; `false` if it was not subscribed.
    pub(crate) fn unsubscribe(&self, topic: &str, id: u64) -> bool {
        let mut map = self.lock();
        let Some(subs) = map.get_mut(topic) else {
            return false;
        };
        let removed = subs.remove(&id).is_some();
        if subs.is_empty() {
            map.remove(topic);
        }
        removed
    }

    /// Passes every later publish to `relay` as well.
    pub fn set_relay(&self, relay: Arc<dyn Relay>) {
        *self.relay.write().unwrap_or_else(|e| e.into_inner()) = Some(relay);
    }

    /// Sends `msg` to every subscriber of `topic` in this process, encoded
    /// once, and to the relay if there is one; returns how many local
    /// subscribers it was handed to.
    pub fn publish(&self, topic: &str, msg: Message<'_>) -> usize {
        let sent = self.publish_local(topic, msg);
        let relay = self.relay.read().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(relay) = relay {
            relay.relay(topic, msg);
        }
        sent
    }

    /// Sends `msg` to the subscribers of `topic` in this process only (what
    /// a relay does with a publish from another process).
    pub fn publish_local(&self, topic: &str, msg: Message<'_>) -> usize {
        let (opcode, payload) = match msg {
            Message::Text(t) => (OpCode::Text, t.as_bytes()),
            Message::Binary(b) => (OpCode::Binary, b),
        };
        let bytes: Arc<[u8]> = Arc::from(frame(opcode, payload));
        let mut to_wake: Vec<WsSender> = Vec::new();
        let mut sent = 0;
        {
            let map = self.lock();
            let Some(subs) = map.get(topic) else {
                return 0;
            };
            for sender in subs.values() {
                if sender.send_frame(bytes.clone(), false) {
                    sent += 1;
                    if !to_wake.iter().any(|w| w.same_worker(sender)) {
                        to_wake.push(sender.clone());
                    }
                }
            }
        }
        for w in to_wake {
            w.wake();
        }
        sent
    }

    /// How many connections are subscribed to `topic`.
    pub fn subscribers(&self, topic: &str) -> usize {
        self.lock().get(topic).map_or(0, HashMap::len)
    }
}
