//! The walk behind an archive: depth first, what the listing shows at
//! each level, every path opened through the safe resolver.
//!
//! The [`Tree`] gives the two things the walk needs, with the same rules
//! as a request: the names a listing of a directory shows (dotfiles,
//! symlinks the resolver refuses, upload temporaries and anything neither
//! file nor directory left out), and an open of a path under the root
//! (`resolve::open_inside`). A name is listed, then opened: whatever
//! changed in between, only what the resolver opens is archived.
//!
//! Memory: one level per directory being walked, holding that
//! directory's names; no descriptor stays open but the current file's.
//! A directory whose device and inode are already on the way down (a
//! symlink to an ancestor) is a loop: left out and logged. An entry that
//! cannot be opened (permissions, or gone since the listing) is left out
//! and logged; a directory that cannot be read is archived empty.

use std::fs::{File, Metadata};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::Entry;
use crate::listing;
use crate::resolve::{OpenError, Opened};
use crate::timefmt;

/// The served tree, as requests see it.
pub trait Tree: Send + 'static {
    /// Opens `ROOT/rel` with the resolver's checks.
    fn open(&self, rel: &Path) -> Result<Opened, OpenError>;
    /// What the listing of `dir`, opened at `ROOT/rel`, shows.
    fn list(&self, dir: &File, rel: &Path) -> io::Result<Vec<listing::Entry>>;
}

/// One step of the walk.
#[derive(Debug)]
pub enum Item {
    Dir(Entry),
    /// A regular file, open, with its size at open time.
    File(Entry, File),
}

/// A directory on the way down.
struct Level {
    /// Its path under the root.
    rel: PathBuf,
    /// Its path in the archive, ending with `/`.
    path: String,
    /// Device and inode: a directory met again below itself is a loop.
    id: (u64, u64),
    names: std::vec::IntoIter<String>,
}

/// Depth-first walk from one directory; an iterator of [`Item`]s.
pub struct Walker<T> {
    tree: T,
    /// The starting directory, until the first step lists it.
    start: Option<(PathBuf, String, File, Metadata)>,
    stack: Vec<Level>,
}

impl<T: Tree> Walker<T> {
    /// A walk of `dir` (opened at `ROOT/rel`), archived under the folder
    /// `top`.
    pub fn new(tree: T, rel: PathBuf, top: &str, dir: File, meta: Metadata) -> Walker<T> {
        Walker {
            tree,
            start: Some((rel, format!("{top}/"), dir, meta)),
            stack: Vec::new(),
        }
    }

    /// Lists `dir` and goes down into it; its entry.
    fn enter(&mut self, rel: PathBuf, path: String, dir: &File, meta: &Metadata) -> Item {
        let names = match self.tree.list(dir, &rel) {
            Ok(mut entries) => {
                // The listing's default order: directories first, by name.
                listing::sort_entries(&mut entries, listing::Sort::default());
                entries.into_iter().map(|e| e.name).collect()
            }
            Err(e) => {
                log::warn!("static: archive: {path} left empty, cannot list it: {e}");
                Vec::new()
            }
        };
        let entry = Entry::new(path.clone(), true, meta);
        self.stack.push(Level {
            rel,
            path,
            id: (meta.dev(), meta.ino()),
            names: names.into_iter(),
        });
        Item::Dir(entry)
    }

    /// Whether a directory with this device and inode is already being walked.
    fn on_the_way(&self, meta: &Metadata) -> bool {
        let id = (meta.dev(), meta.ino());
        self.stack.iter().any(|level| level.id == id)
    }
}

impl<T: Tree> Iterator for Walker<T> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if let Some((rel, path, dir, meta)) = self.start.take() {
            return Some(self.enter(rel, path, &dir, &meta));
        }
        loop {
            let level = self.stack.last_mut()?;
            let Some(name) = level.names.next() else {
                self.stack.pop();
                continue;
            };
            let rel = level.rel.join(&name);
            let path = format!("{}{name}", level.path);
            let opened = match self.tree.open(&rel) {
                Ok(opened) => opened,
                Err(e) => {
                    log::warn!("static: archive: {path} left out: {}", describe(&e));
                    continue;
                }
            };
            if opened.meta.is_dir() {
                if self.on_the_way(&opened.meta) {
                    log::warn!("static: archive: {path} left out: a symlink loop");
                    continue;
                }
                return Some(self.enter(rel, format!("{path}/"), &opened.file, &opened.meta));
            }
            return Some(Item::File(
                Entry::new(path, false, &opened.meta),
                opened.file,
            ));
        }
    }
}

fn describe(e: &OpenError) -> String {
    match e {
        OpenError::NotFound => "gone since it was listed".to_string(),
        OpenError::Forbidden => "not readable".to_string(),
        OpenError::Refused => "refused by the resolver".to_string(),
        OpenError::Io(e) => e.to_string(),
    }
}

impl Entry {
    fn new(path: String, is_dir: bool, meta: &Metadata) -> Entry {
        Entry {
            path,
            is_dir,
            size: if is_dir { 0 } else { meta.len() },
            mode: meta.mode() & 0o777, // no setuid, setgid or sticky bits in archives
            mtime: meta.modified().map_or(0, timefmt::unix_seconds),
        }
    }
}
