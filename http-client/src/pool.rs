//! Keep-alive pool: idle connections keyed by origin and proxy.
//!
//! A connection is taken most-recently-used first, after two checks: its
//! idle time is under the expiry, and a nonblocking read probe would block
//! (the server has not closed it and sent nothing stray). Servers close
//! idle connections after 5-75 s, so the probe catches most stale ones; the
//! rest are caught by the replay rule in the client.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::net::Conn;
use crate::proxy::Proxy;
use crate::url::Host;

/// Idle connections kept per key.
pub const DEFAULT_MAX_IDLE_PER_HOST: usize = 8;
/// An idle connection older than this is closed rather than reused.
pub const DEFAULT_IDLE_EXPIRY: Duration = Duration::from_secs(30);

pub use crate::url::Scheme;

/// What a pooled connection can be reused for: the same origin (scheme,
/// host, port) through the same proxy (credentials included, as they
/// authenticate the connection).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PoolKey {
    /// Origin scheme.
    pub scheme: Scheme,
    /// Origin host.
    pub host: Host,
    /// Origin port.
    pub port: u16,
    /// The proxy, if any.
    pub proxy: Option<Proxy>,
}

struct Idle {
    conn: Conn,
    id: u64,
    since: Instant,
}

/// The pool. Shared by all clones of a `Client`.
pub struct Pool {
    idle: Mutex<HashMap<PoolKey, Vec<Idle>>>,
    max_per_host: usize,
    expiry: Duration,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Pool(max {} per host, expiry {:?})",
            self.max_per_host, self.expiry
        )
    }
}

impl Pool {
    /// An empty pool.
    pub fn new(max_per_host: usize, expiry: Duration) -> Pool {
        Pool {
            idle: Mutex::new(HashMap::new()),
            max_per_host,
            expiry,
        }
    }

    /// A live idle connection for `key`, with its id, or `None`.
    pub fn take(&self, key: &PoolKey) -> Option<(Conn, u64)> {
        let mut map = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let list = map.get_mut(key)?;
        while let Some(mut idle) = list.pop() {
            if idle.since.elapsed() > self.expiry {
                log::debug!("pool: connection #{} expired", idle.id);
                continue;
            }
            if !idle.conn.probe_alive() {
                log::debug!(
                    "pool: connection #{} failed the probe (closed by peer)",
                    idle.id
                );
                continue;
            }
            return Some((idle.conn, idle.id));
        }
        None
    }

    /// Returns a connection after a complete exchange.
    pub fn put(&self, key: PoolKey, conn: Conn, id: u64) {
        if self.max_per_host == 0 {
            return;
        }
        let mut map = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let list = map.entry(key).or_default();
        list.retain(|i| i.since.elapsed() <= self.expiry);
        if list.len() >= self.max_per_host {
            // Oldest out.
            list.remove(0);
        }
        list.push(Idle {
            conn,
            id,
            since: Instant::now(),
        });
    }

    /// Idle connections currently held (all keys).
    pub fn idle_count(&self) -> usize {
        let map = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        map.values().map(Vec::len).sum()
    }

    /// Closes every idle connection.
    pub fn clear(&self) {
        let mut map = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        map.clear();
    }
}
