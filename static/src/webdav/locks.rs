//! WebDAV write locks (RFC 4918 sections 6 and 7): exclusive and shared,
//! depth 0 and infinity, with timeouts. The table is in memory, shared by
//! the handler's clones; a restart forgets the locks (clients see their
//! tokens refused and lock again).
//!
//! A resource is named by its key: its normalized segments joined with
//! `/` (the root is the empty key). A lock *covers* its root, and with
//! depth infinity everything below. Time is passed in, so tests control it.
//! Expired locks are dropped whenever the table is looked at.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The longest timeout granted: a client asking for more (or `Infinite`)
/// gets this, so a forgotten lock does not outlive a week.
pub(super) const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

/// The timeout when the client names none (RFC 4918 leaves it to us).
pub(super) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    Exclusive,
    Shared,
}

#[derive(Debug, Clone)]
pub(super) struct Lock {
    /// `opaquelocktoken:` and a UUID.
    pub token: String,
    /// The lock root's key.
    pub root: String,
    /// The lock root as the client named it (for `lockroot`).
    pub root_href: String,
    pub infinity: bool,
    pub scope: Scope,
    /// The `owner` element as the client sent it, written back verbatim.
    pub owner: Option<String>,
    pub timeout: Duration,
    pub expires: Instant,
}

impl Lock {
    /// Whether this lock covers the resource `key`.
    pub fn covers(&self, key: &str) -> bool {
        self.root == key || (self.infinity && is_below(&self.root, key))
    }
}

/// Whether `key` is strictly below `ancestor`.
pub(super) fn is_below(ancestor: &str, key: &str) -> bool {
    if ancestor.is_empty() {
        return !key.is_empty();
    }
    key.len() > ancestor.len()
        && key.starts_with(ancestor)
        && key.as_bytes()[ancestor.len()] == b'/'
}

/// The locks of one server.
#[derive(Debug, Default)]
pub(crate) struct LockTable {
    locks: Mutex<Vec<Lock>>,
}

/// Why a `LOCK` is refused.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum LockError {
    /// Another lock conflicts: 423.
    Conflict,
}

/// A new lock's request.
pub(super) struct NewLock {
    pub root: String,
    pub root_href: String,
    pub infinity: bool,
    pub scope: Scope,
    pub owner: Option<String>,
    pub timeout: Duration,
}

impl LockTable {
    fn live(&self, now: Instant) -> std::sync::MutexGuard<'_, Vec<Lock>> {
        // A panic while holding the lock leaves a Vec that is still whole.
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.retain(|l| l.expires > now);
        locks
    }

    /// The locks that cover `key`.
    pub fn covering(&self, key: &str, now: Instant) -> Vec<Lock> {
        self.live(now)
            .iter()
            .filter(|l| l.covers(key))
            .cloned()
            .collect()
    }

    /// The locks a write to `key` must hold a token of: those covering it,
    /// those below it when `subtree` (a collection removed or moved as a
    /// whole), and a depth-0 lock on its parent when `membership` (a member
    /// added or removed, RFC 4918 7.4).
    pub fn affecting(&self, key: &str, subtree: bool, membership: bool, now: Instant) -> Vec<Lock> {
        let parent = parent_key(key);
        self.live(now)
            .iter()
            .filter(|l| {
                l.covers(key)
                    || (subtree && is_below(key, &l.root))
                    || (membership && parent.as_deref() == Some(l.root.as_str()))
            })
            .cloned()
            .collect()
    }

    /// Grants a new lock, or says what conflicts.
    pub fn lock(&self, new: NewLock, now: Instant) -> Result<Lock, LockError> {
        let mut locks = self.live(now);
        let conflicts = locks.iter().any(|l| {
            let overlaps = l.covers(&new.root) || (new.infinity && is_below(&new.root, &l.root));
            overlaps && (l.scope == Scope::Exclusive || new.scope == Scope::Exclusive)
        });
        if conflicts {
            return Err(LockError::Conflict);
        }
        let lock = Lock {
            token: new_token(),
            root: new.root,
            root_href: new.root_href,
            infinity: new.infinity,
            scope: new.scope,
            owner: new.owner,
            timeout: new.timeout,
            expires: now + new.timeout,
        };
        locks.push(lock.clone());
        Ok(lock)
    }

    /// Refreshes the lock `token` if it covers `key`.
    pub fn refresh(&self, token: &str, key: &str, timeout: Duration, now: Instant) -> Option<Lock> {
        let mut locks = self.live(now);
        let lock = locks
            .iter_mut()
            .find(|l| l.token == token && l.covers(key))?;
        lock.timeout = timeout;
        lock.expires = now + timeout;
        Some(lock.clone())
    }

    /// Removes the lock `token` if it covers `key`; whether it did.
    pub fn unlock(&self, token: &str, key: &str, now: Instant) -> bool {
        let mut locks = self.live(now);
        let before = locks.len();
        locks.retain(|l| !(l.token == token && l.covers(key)));
        locks.len() != before
    }

    /// Forgets the locks rooted at `key` or below (the resource is gone).
    pub fn remove_tree(&self, key: &str, now: Instant) {
        self.live(now)
            .retain(|l| l.root != key && !is_below(key, &l.root));
    }
}

fn parent_key(key: &str) -> Option<String> {
    if key.is_empty() {
        return None;
    }
    Some(
        key.rsplit_once('/')
            .map_or(String::new(), |(p, _)| p.to_string()),
    )
}

/// A `Timeout` request header (RFC 4918 10.7): the first value we
/// understand, capped at [`MAX_TIMEOUT`]; the default when none.
pub(super) fn parse_timeout(value: Option<&str>) -> Duration {
    let Some(value) = value else {
        return DEFAULT_TIMEOUT;
    };
    for part in value.split(',') {
        let part = part.trim();
        if part.eq_ignore_ascii_case("Infinite") {
            return MAX_TIMEOUT;
        }
        if let Some(secs) = part
            .strip_prefix("Second-")
            .and_then(|s| s.parse::<u64>().ok())
        {
            return Duration::from_secs(secs).min(MAX_TIMEOUT);
        }
    }
    DEFAULT_TIMEOUT
}

static TOKEN_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A lock token unique to this process and this run: a version-4-shaped
/// UUID from the process id, the start time and a counter, mixed by a
/// keyed hash (tokens need to be unique, not secret: lockdiscovery shows them).
fn new_token() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let n = TOKEN_COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let state = RandomState::new();
    let mut a = state.build_hasher();
    a.write_u128(nanos);
    a.write_u64(n);
    a.write_u32(std::process::id());
    let hi = a.finish();
    let mut b = state.build_hasher();
    b.write_u64(hi);
    b.write_u64(n);
    let lo = b.finish();
    format!(
        "opaquelocktoken:{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xfff,
        (lo >> 48) & 0x3fff | 0x8000,
        lo & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(root: &str, infinity: bool, scope: Scope) -> NewLock {
        NewLock {
            root: root.into(),
            root_href: format!("/{root}"),
            infinity,
            scope,
            owner: None,
            timeout: Duration::from_secs(10),
        }
    }

    #[test]
    fn conflicts_and_coverage() {
        let t = LockTable::default();
        let now = Instant::now();
        let a = t.lock(new("a", true, Scope::Exclusive), now).unwrap();
        assert_eq!(
            t.lock(new("a/b", false, Scope::Shared), now).unwrap_err(),
            LockError::Conflict
        );
        assert_eq!(
            t.lock(new("", true, Scope::Shared), now).unwrap_err(),
            LockError::Conflict
        );
        assert!(t.lock(new("", false, Scope::Exclusive), now).is_ok());
        assert!(t.lock(new("ab", false, Scope::Exclusive), now).is_ok());
        assert_eq!(t.covering("a/b/c", now)[0].token, a.token);
        assert!(t.covering("ab/c", now).is_empty());
        let s1 = t.lock(new("s", false, Scope::Shared), now).unwrap();
        let s2 = t.lock(new("s", false, Scope::Shared), now).unwrap();
        assert_ne!(s1.token, s2.token);
        assert!(t
            .affecting("x", false, true, now)
            .iter()
            .any(|l| l.root.is_empty()));
        assert!(t.affecting("", true, false, now).len() >= 4);
    }

    #[test]
    fn expiry_refresh_unlock() {
        let t = LockTable::default();
        let now = Instant::now();
        let l = t.lock(new("f", false, Scope::Exclusive), now).unwrap();
        let later = now + Duration::from_secs(9);
        assert!(t
            .refresh(&l.token, "f", Duration::from_secs(10), later)
            .is_some());
        assert_eq!(t.covering("f", now + Duration::from_secs(15)).len(), 1);
        assert!(t.covering("f", now + Duration::from_secs(20)).is_empty());
        let l = t.lock(new("f", false, Scope::Exclusive), now).unwrap();
        assert!(!t.unlock(&l.token, "g", now));
        assert!(t.unlock(&l.token, "f", now));
        assert!(t.covering("f", now).is_empty());
    }

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout(None), DEFAULT_TIMEOUT);
        assert_eq!(parse_timeout(Some("Second-30")), Duration::from_secs(30));
        assert_eq!(
            parse_timeout(Some("Infinite, Second-4100000000")),
            MAX_TIMEOUT
        );
        assert_eq!(parse_timeout(Some("Second-99999999999")), MAX_TIMEOUT);
        assert_eq!(parse_timeout(Some("bogus")), DEFAULT_TIMEOUT);
    }

    #[test]
    fn tokens_are_distinct_uris() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(
            a.starts_with("opaquelocktoken:") && a.len() == 16 + 36,
            "{a}"
        );
    }
}
