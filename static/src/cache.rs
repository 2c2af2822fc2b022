//! The open-file cache: the hot path of a small file costs one `statx`
//! instead of `openat2` + `fstat` + `pread` + `close` (nginx's
//! `open_file_cache`, made exact).
//!
//! Contract:
//!
//! - Only regular files opened by the resolver's fast path (`openat2` with
//!   `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS`: under the root, no symlink
//!   crossed) are cached, keyed by their normalized relative path. The
//!   lexical rules (dot segments, dotfiles) run on every request before the
//!   cache is asked.
//! - Every hit is revalidated with one `statx` of the path (relative to the
//!   root's descriptor, not following a final symlink), compared with the
//!   open file on (dev, ino, size, mode, mtime, ctime). Anything else at that
//!   path (a replaced file, a symlink put in its place, a changed mode, a
//!   write, a missing or unreadable path) is a miss: the entry is dropped
//!   and the request goes through the resolver again, with all its checks.
//!   A path that still reaches the same inode serves that inode, which was
//!   checked to be under the root.
//! - A small file's bytes are kept only once the file has been left alone
//!   for [`SETTLE`]: a later write then moves its ctime past the one kept
//!   (timestamps have a coarse granularity, so a write within the same tick
//!   as the read could otherwise go unnoticed). Until then its bytes are
//!   read on each request from the cached descriptor.
//! - Bounded: at most [`MAX_ENTRIES`] descriptors and [`MAX_ENTRIES`] x
//!   [`MAX_CONTENT_BYTES`] bytes; a full shard drops an arbitrary entry.

use std::collections::HashMap;
use std::fs::{File, Metadata};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustix::fs::{statx, AtFlags, StatxFlags};

/// Open descriptors the cache holds at most.
pub const MAX_ENTRIES: usize = 256;
/// Files up to this size have their bytes kept in memory.
pub const MAX_CONTENT_BYTES: u64 = 16 * 1024;
/// How long a file must have been left alone before its bytes are kept.
pub const SETTLE: Duration = Duration::from_secs(2);
/// Independent locks, so that workers rarely wait for each other.
const SHARDS: usize = 8;

/// What must not change for a cached file to still be the file at its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Identity {
    dev: u64,
    ino: u64,
    size: u64,
    mode: u32,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Identity {
    fn of_meta(m: &Metadata) -> Identity {
        Identity {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mode: m.mode(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
        }
    }

    /// `root_dir/rel` now, without following a final symlink; `None` when
    /// it cannot be looked at (gone, not permitted, ...).
    fn of_path(root_dir: &File, rel: &str) -> Option<Identity> {
        let mask = StatxFlags::TYPE
            | StatxFlags::MODE
            | StatxFlags::INO
            | StatxFlags::SIZE
            | StatxFlags::MTIME
            | StatxFlags::CTIME;
        let s = statx(root_dir, rel, AtFlags::SYMLINK_NOFOLLOW, mask).ok()?;
        if s.stx_mask & mask.bits() != mask.bits() {
            return None; // the filesystem did not fill in what we compare
        }
        Some(Identity {
            dev: rustix::fs::makedev(s.stx_dev_major, s.stx_dev_minor),
            ino: s.stx_ino,
            size: s.stx_size,
            mode: u32::from(s.stx_mode),
            mtime: (s.stx_mtime.tv_sec, i64::from(s.stx_mtime.tv_nsec)),
            ctime: (s.stx_ctime.tv_sec, i64::from(s.stx_ctime.tv_nsec)),
        })
    }

    /// Unchanged for [`SETTLE`] at `now`.
    fn settled(&self, now: SystemTime) -> bool {
        let Ok(now) = now.duration_since(UNIX_EPOCH) else {
            return false;
        };
        let last = self.mtime.max(self.ctime);
        let Ok(last_secs) = u64::try_from(last.0) else {
            return false;
        };
        let last = Duration::from_secs(last_secs) + Duration::from_nanos(last.1.max(0) as u64);
        now.checked_sub(last).is_some_and(|age| age > SETTLE)
    }
}

/// One cached file and what the handler derives from it.
#[derive(Debug)]
pub struct Entry {
    pub file: Arc<File>,
    pub meta: Metadata,
    identity: Identity,
    /// The whole file, when small and settled.
    pub content: Option<Arc<[u8]>>,
    /// Response fields computed once: `Content-Type`, `ETag` (identity
    /// coding) and `Last-Modified` with its time.
    pub content_type: String,
    pub etag: String,
    pub last_modified: Option<(SystemTime, String)>,
    /// Whether `content_type` is one compression applies to.
    pub compressible: bool,
}

impl Entry {
    /// An entry for `file`, which the resolver opened beneath the root
    /// without crossing a symlink and whose metadata is `meta`.
    pub fn new(
        file: Arc<File>,
        meta: Metadata,
        content_type: String,
        etag: String,
        last_modified: Option<(SystemTime, String)>,
    ) -> Entry {
        let identity = Identity::of_meta(&meta);
        let mut entry = Entry {
            file,
            meta,
            identity,
            content: None,
            compressible: brisk_server::compress::is_compressible(&content_type),
            content_type,
            etag,
            last_modified,
        };
        entry.content = entry.read_content(SystemTime::now());
        entry
    }

    /// The file's bytes, when it is small and settled and reads whole.
    fn read_content(&self, now: SystemTime) -> Option<Arc<[u8]>> {
        if self.identity.size > MAX_CONTENT_BYTES || !self.identity.settled(now) {
            return None;
        }
        let mut buf = vec![0; usize::try_from(self.identity.size).ok()?];
        self.file.read_exact_at(&mut buf, 0).ok()?;
        Some(buf.into())
    }

    fn with_content(&self, content: Arc<[u8]>) -> Entry {
        Entry {
            file: Arc::clone(&self.file),
            meta: self.meta.clone(),
            identity: self.identity,
            content: Some(content),
            content_type: self.content_type.clone(),
            compressible: self.compressible,
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
        }
    }
}

/// A word-at-a-time hash, not std's keyed SipHash: only files that exist
/// are inserted, at most [`MAX_ENTRIES`] / [`SHARDS`] per shard, so keys
/// chosen to collide cannot grow a chain past that. SipHash cost 8% of a
/// cached request; FNV-1a, a byte at a time, about 90 of its 3,100
/// instructions for the shard and the map's two hashes of a short path.
type Hash = BuildHasherDefault<PathHasher>;

/// rustc's FxHash step over 8-byte words: a multiply per word, where
/// FNV-1a takes one per byte. A path shorter than a word is read as two
/// overlapping 4-byte words (or its first, middle and last bytes), not
/// byte by byte; a longer one's tail as the word where it ends.
#[derive(Default, Clone, Copy)]
pub(crate) struct PathHasher(u64);

impl PathHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

/// The `N` bytes of `bytes` at `at`, little-endian (`bytes` holds them).
#[inline]
fn read_le<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut w = [0u8; N];
    w.copy_from_slice(&bytes[at..at + N]);
    w
}

impl Hasher for PathHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let len = bytes.len();
        let word = match len {
            0 => 0,
            1..=3 => {
                let byte = |i: usize| u64::from(bytes[i]);
                byte(0) << 16 | byte(len / 2) << 8 | byte(len - 1)
            }
            4..=7 => {
                let first = u32::from_le_bytes(read_le(bytes, 0));
                let last = u32::from_le_bytes(read_le(bytes, len - 4));
                u64::from(first) << 32 | u64::from(last)
            }
            _ => {
                let mut chunks = bytes.chunks_exact(8);
                for chunk in &mut chunks {
                    self.add(u64::from_le_bytes(read_le(chunk, 0)));
                }
                match chunks.remainder().is_empty() {
                    true => 0,
                    false => u64::from_le_bytes(read_le(bytes, len - 8)),
                }
            }
        };
        self.add(word);
        // The length tells apart what the overlapping reads would not.
        self.add(len as u64);
    }

    #[inline]
    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

#[derive(Debug, Default)]
struct Shard {
    entries: HashMap<String, Arc<Entry>, Hash>,
}

/// The cache of one `StaticFiles` (shared by its clones and all workers).
#[derive(Debug)]
pub struct OpenFileCache {
    shards: Vec<Mutex<Shard>>,
}

impl Default for OpenFileCache {
    fn default() -> OpenFileCache {
        OpenFileCache {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }
}

impl OpenFileCache {
    fn shard(&self, rel: &str) -> MutexGuard<'_, Shard> {
        // The high bits: the map's own buckets use the low ones.
        let hash = Hash::default().hash_one(rel);
        let shard = &self.shards[(hash >> 32) as usize % self.shards.len()];
        // A panic while holding the lock leaves a map that is still whole.
        shard
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The entry for `rel` if the file at `root_dir/rel` is still the one
    /// cached; a stale entry is dropped.
    pub fn get(&self, root_dir: &File, rel: &str) -> Option<Arc<Entry>> {
        // An absolute path would make statx ignore `root_dir`; normalized
        // keys never are, but the check costs nothing.
        if rel.is_empty() || rel.starts_with('/') {
            return None;
        }
        let entry = self.shard(rel).entries.get(rel).cloned()?;
        if Identity::of_path(root_dir, rel) != Some(entry.identity) {
            let mut shard = self.shard(rel);
            if shard
                .entries
                .get(rel)
                .is_some_and(|e| Arc::ptr_eq(e, &entry))
            {
                shard.entries.remove(rel);
            }
            return None;
        }
        if entry.content.is_none() && entry.identity.size <= MAX_CONTENT_BYTES {
            // Settled since it was cached: keep its bytes from now on.
            if let Some(content) = entry.read_content(SystemTime::now()) {
                let upgraded = Arc::new(entry.with_content(content));
                self.shard(rel)
                    .entries
                    .insert(rel.to_string(), Arc::clone(&upgraded));
                return Some(upgraded);
            }
        }
        Some(entry)
    }

    /// Caches `entry` under `rel`, making room if needed.
    pub fn insert(&self, rel: &str, entry: Arc<Entry>) {
        let mut shard = self.shard(rel);
        if shard.entries.len() >= MAX_ENTRIES / SHARDS && !shard.entries.contains_key(rel) {
            if let Some(victim) = shard.entries.keys().next().cloned() {
                shard.entries.remove(&victim);
            }
        }
        shard.entries.insert(rel.to_string(), entry);
    }

    /// Entries held.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map_or(0, |s| s.entries.len()))
            .sum()
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn cache_file(dir: &std::path::Path, cache: &OpenFileCache, rel: &str) -> Arc<Entry> {
        let file = File::open(dir.join(rel)).expect("open"); // ok: test
        let meta = file.metadata().expect("meta"); // ok: test
        let entry = Arc::new(Entry::new(
            Arc::new(file),
            meta,
            "text/plain".into(),
            "\"e\"".into(),
            None,
        ));
        cache.insert(rel, Arc::clone(&entry));
        entry
    }

    #[test]
    fn a_hit_needs_the_same_file_at_the_path() {
        let dir = tempfile::tempdir().expect("tempdir"); // ok: test
        let root = File::open(dir.path()).expect("root"); // ok: test
        std::fs::write(dir.path().join("a.txt"), "one").expect("write"); // ok: test
        let cache = OpenFileCache::default();
        cache_file(dir.path(), &cache, "a.txt");
        assert!(cache.get(&root, "a.txt").is_some());

        // Same size, new content: a write changes mtime/ctime (or the
        // settle rule kept no bytes); either way nothing stale is served.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(dir.path().join("a.txt"), "two").expect("write"); // ok: test
        let hit = cache.get(&root, "a.txt");
        assert!(hit.is_none(), "a written file is a miss");
        assert!(cache.is_empty(), "the stale entry is dropped");

        // Replaced by rename: another inode.
        cache_file(dir.path(), &cache, "a.txt");
        std::fs::write(dir.path().join("b.txt"), "bbb").expect("write"); // ok: test
        std::fs::rename(dir.path().join("b.txt"), dir.path().join("a.txt")).expect("mv"); // ok: test
        assert!(cache.get(&root, "a.txt").is_none());

        // Replaced by a symlink (here to the very same file): a miss, the
        // resolver decides again.
        cache_file(dir.path(), &cache, "a.txt");
        std::fs::rename(dir.path().join("a.txt"), dir.path().join("c.txt")).expect("mv"); // ok: test
        symlink(dir.path().join("c.txt"), dir.path().join("a.txt")).expect("symlink"); // ok: test
        assert!(cache.get(&root, "a.txt").is_none());

        // Gone.
        cache_file(dir.path(), &cache, "c.txt");
        std::fs::remove_file(dir.path().join("c.txt")).expect("rm"); // ok: test
        assert!(cache.get(&root, "c.txt").is_none());
    }

    #[test]
    fn bytes_are_kept_only_for_settled_small_files() {
        let dir = tempfile::tempdir().expect("tempdir"); // ok: test
        std::fs::write(dir.path().join("new.txt"), "fresh").expect("write"); // ok: test
        let cache = OpenFileCache::default();
        let fresh = cache_file(dir.path(), &cache, "new.txt");
        assert!(fresh.content.is_none(), "written just now: not settled");

        let old = SystemTime::now() - Duration::from_secs(60);
        let id = Identity {
            mtime: (
                old.duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64),
                0,
            ),
            ctime: (
                old.duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64),
                0,
            ),
            ..fresh.identity
        };
        assert!(id.settled(SystemTime::now()));
        assert!(!fresh.identity.settled(SystemTime::now()));
        let big = Identity {
            size: MAX_CONTENT_BYTES + 1,
            ..id
        };
        let entry = Entry {
            identity: big,
            ..fresh.with_content(Arc::from(&b""[..]))
        };
        assert!(entry.read_content(SystemTime::now()).is_none());
    }

    /// Paths alike but for a byte or their length hash apart, and a run of
    /// numbered names spreads over the shards.
    #[test]
    fn path_hashes_tell_paths_apart() {
        let hash = |p: &str| Hash::default().hash_one(p);
        let mut names: Vec<String> = (0..64).map(|i| format!("img/{i:04}.png")).collect();
        names.extend(
            ["a", "a\0", "b", "1k.bin", "1k.txt", "abcdefgh", "abcdefghi"].map(String::from),
        );
        let mut hashes: Vec<u64> = names.iter().map(|n| hash(n)).collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), names.len());
        let shards: std::collections::HashSet<u64> = names[..64]
            .iter()
            .map(|n| (hash(n) >> 32) % SHARDS as u64)
            .collect();
        assert_eq!(shards.len(), SHARDS, "{shards:?}");
    }

    #[test]
    fn the_cache_is_bounded() {
        let dir = tempfile::tempdir().expect("tempdir"); // ok: test
        std::fs::write(dir.path().join("f"), "x").expect("write"); // ok: test
        let cache = OpenFileCache::default();
        for i in 0..MAX_ENTRIES * 3 {
            let file = File::open(dir.path().join("f")).expect("open"); // ok: test
            let meta = file.metadata().expect("meta"); // ok: test
            let entry = Entry::new(Arc::new(file), meta, String::new(), String::new(), None);
            cache.insert(&format!("f{i}"), Arc::new(entry));
        }
        assert!(cache.len() <= MAX_ENTRIES, "{}", cache.len());
    }
}
