//! Compressed variants of small, hot files, kept in memory so that a busy
//! site compresses each version of a file once per coding, not once per
//! request (nginx recompresses every time).
//!
//! Contract:
//!
//! - Keyed by the file's path under the root, its identity `ETag` (size,
//!   mtime to the nanosecond, inode: a changed file is a new key) and the
//!   coding. Inserting a key drops the entries of the same path with
//!   another tag (an older version of the file).
//! - Only files up to [`MAX_FILE_BYTES`] are kept, and only once left
//!   alone for [`crate::cache::SETTLE`] (the caller checks): a write
//!   within the timestamp tick of the read could otherwise keep stale
//!   bytes under a tag that did not change.
//! - Bounded: at most [`MAX_TOTAL_BYTES`] of encoded bytes; over that the
//!   least recently used entries go first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use brisk_core::accept_encoding::Coding;

/// Files up to this size have their compressed variants cached; bigger
/// ones are compressed as they are sent, in bounded slices.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// The encoded bytes the cache holds at most.
pub const MAX_TOTAL_BYTES: usize = 32 * 1024 * 1024;

/// One coding of one version of a file.
#[derive(Debug)]
pub enum Variant {
    Encoded(Vec<u8>),
    /// The coding would not make it smaller: send identity.
    NotSmaller,
}

impl Variant {
    fn bytes(&self) -> usize {
        match self {
            Variant::Encoded(b) => b.len(),
            Variant::NotSmaller => 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    path: String,
    etag: String,
    coding: Coding,
}

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<Key, (Arc<Variant>, u64)>,
    bytes: usize,
    clock: u64,
}

/// The cache (shared by a handler's clones and all workers).
#[derive(Debug, Default)]
pub struct VariantCache {
    inner: Mutex<Inner>,
}

impl VariantCache {
    pub fn get(&self, path: &str, etag: &str, coding: Coding) -> Option<Arc<Variant>> {
        let key = Key {
            path: path.to_string(),
            etag: etag.to_string(),
            coding,
        };
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        let (variant, used) = inner.map.get_mut(&key)?;
        *used = now;
        Some(Arc::clone(variant))
    }

    pub fn insert(&self, path: &str, etag: &str, coding: Coding, variant: Arc<Variant>) {
        let size = variant.bytes();
        if size > MAX_TOTAL_BYTES {
            return;
        }
        let mut inner = self.lock();
        let stale: Vec<Key> = inner
            .map
            .keys()
            .filter(|k| k.path == path && k.etag != etag)
            .cloned()
            .collect();
        for k in stale {
            inner.remove(&k);
        }
        while inner.bytes + size > MAX_TOTAL_BYTES {
            let Some(oldest) = inner
                .map
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            inner.remove(&oldest);
        }
        inner.clock += 1;
        let now = inner.clock;
        let key = Key {
            path: path.to_string(),
            etag: etag.to_string(),
            coding,
        };
        if let Some((old, _)) = inner.map.insert(key, (variant, now)) {
            inner.bytes -= old.bytes();
        }
        inner.bytes += size;
    }

    /// Encoded bytes held now.
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent data (every
        // update is one step): go on with it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    fn remove(&mut self, key: &Key) {
        if let Some((old, _)) = self.map.remove(key) {
            self.bytes -= old.bytes();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(n: usize) -> Arc<Variant> {
        Arc::new(Variant::Encoded(vec![0; n]))
    }

    #[test]
    fn keyed_by_path_tag_and_coding() {
        let c = VariantCache::default();
        c.insert("a.js", "\"1\"", Coding::Gzip, enc(10));
        assert!(c.get("a.js", "\"1\"", Coding::Gzip).is_some());
        assert!(c.get("a.js", "\"1\"", Coding::Brotli).is_none());
        assert!(c.get("a.js", "\"2\"", Coding::Gzip).is_none());
        assert!(c.get("b.js", "\"1\"", Coding::Gzip).is_none());
    }

    #[test]
    fn a_new_version_drops_the_old_one() {
        let c = VariantCache::default();
        c.insert("a.js", "\"1\"", Coding::Gzip, enc(10));
        c.insert("a.js", "\"1\"", Coding::Brotli, enc(10));
        c.insert("a.js", "\"2\"", Coding::Gzip, enc(7));
        assert!(c.get("a.js", "\"1\"", Coding::Brotli).is_none());
        assert_eq!(c.bytes(), 7);
    }

    #[test]
    fn bounded_least_recently_used_first() {
        let c = VariantCache::default();
        let third = MAX_TOTAL_BYTES / 3;
        c.insert("a", "t", Coding::Gzip, enc(third));
        c.insert("b", "t", Coding::Gzip, enc(third));
        c.insert("c", "t", Coding::Gzip, enc(third));
        assert!(c.get("a", "t", Coding::Gzip).is_some()); // a is now the newest
        c.insert("d", "t", Coding::Gzip, enc(third));
        assert!(c.get("b", "t", Coding::Gzip).is_none());
        assert!(c.get("a", "t", Coding::Gzip).is_some());
        assert!(c.bytes() <= MAX_TOTAL_BYTES);
        c.insert("huge", "t", Coding::Gzip, enc(MAX_TOTAL_BYTES + 1));
        assert!(c.get("huge", "t", Coding::Gzip).is_none());
    }
}
