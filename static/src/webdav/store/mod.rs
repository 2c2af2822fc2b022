//! The storage below WebDAV (mod_dav_fs's place): the file system's
//! stats, listings, collections, removals, copies and renames, reached only
//! through static's safe resolver.
//!
//! A resource is named by its normalized segments ([`crate::resolve::Lexical`]).
//! A resource itself is opened with [`resolve::open_inside`] (symlinks
//! followed only inside the root, as reads follow them); a resource to be
//! created, removed or renamed is reached as a name in its parent, and the
//! parent is opened with the resolver too. Everything after that is a call
//! relative to the opened parent (`openat`, `mkdirat`, `unlinkat`,
//! `renameat2`) with a plain name, so a symlink swapped in on the way
//! cannot take a write outside the root: a name that is a symlink is
//! removed or renamed as a link, never followed.
//!
//! A copy is built under an upload temporary name (hidden from every
//! request, [`resolve::is_upload_part`]) and renamed into place in one
//! step; replacing an existing collection swaps the two with
//! `RENAME_EXCHANGE` and then removes the old one from its hidden name.
//!
//! Files: `stat.rs` (what PROPFIND shows of a resource), `remove.rs`
//! (DELETE's recursive removal), `copy.rs` (COPY: a hidden copy renamed
//! into place), `rename.rs` (MOVE), `move_across.rs` (MOVE to another
//! file system: a clone, put in place, then the source removed), `temp.rs` (hidden temporary names and
//! their cleanup).

use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;

use crate::resolve::{self, OpenError, OpenOptionsInside, Opened};

mod copy;
mod move_across;
mod remove;
mod rename;
mod stat;
mod temp;
#[cfg(test)]
mod tests;

pub(super) use copy::{copy, Depth};
pub(super) use remove::remove;
pub(super) use rename::rename;
pub(super) use stat::Stat;

/// The served tree and the resolver's options.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tree<'a> {
    pub root: &'a Path,
    pub root_dir: &'a File,
    pub opts: OpenOptionsInside,
}

/// A name in an opened parent directory.
#[derive(Debug)]
pub(super) struct Slot {
    pub dir: File,
    pub name: String,
}

/// A visible member of a collection.
#[derive(Debug)]
pub(super) struct Member {
    pub name: String,
    pub stat: Stat,
}

/// Collections nested deeper than this are not copied or removed (bytes
/// on the stack per level are small, but a bound keeps it so).
pub(super) const MAX_TREE_DEPTH: usize = 256;

impl Tree<'_> {
    /// Opens the resource as reads do; `Ok(None)` when nothing is there.
    pub(super) fn open(&self, segs: &[String]) -> Result<Option<Opened>, OpenError> {
        let rel: PathBuf = segs.iter().collect();
        match resolve::open_inside(self.root, Some(self.root_dir), &rel, self.opts) {
            Ok(o) => Ok(Some(o)),
            Err(OpenError::NotFound | OpenError::Refused) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The parent of `segs` opened through the resolver, and the last
    /// name. `Ok(None)` when the parent is missing or not a collection
    /// (409 for the methods that create).
    pub(super) fn slot(&self, segs: &[String]) -> Result<Option<Slot>, OpenError> {
        let Some((name, parents)) = segs.split_last() else {
            return Ok(None); // the root has no parent
        };
        match self.open(parents)? {
            Some(o) if o.meta.is_dir() => Ok(Some(Slot {
                dir: o.file,
                name: name.clone(),
            })),
            _ => Ok(None),
        }
    }

    /// The members of the collection `dir` (at `segs`) that a listing
    /// shows: no hidden dotfiles, no upload temporaries, no symlinks that
    /// leave the root (unless allowed). Symlinks appear as their targets.
    pub(super) fn members(&self, segs: &[String], dir: &File) -> io::Result<Vec<Member>> {
        let mut out = Vec::new();
        let names = list_names(dir)?;
        for name in names {
            if !self.visible(&name) {
                continue;
            }
            // One statx relative to the opened directory, not following a
            // final symlink: a symlink is then followed the way a request
            // would follow it, through the resolver.
            let want = rustix::fs::StatxFlags::BASIC_STATS | rustix::fs::StatxFlags::BTIME;
            let st = match rustix::fs::statx(dir, name.as_str(), AtFlags::SYMLINK_NOFOLLOW, want) {
                Ok(st) => st,
                Err(_) => continue, // gone since the listing
            };
            let kind = rustix::fs::FileType::from_raw_mode(st.stx_mode.into());
            let stat = if kind.is_symlink() {
                let mut child = segs.to_vec();
                child.push(name.clone());
                match self.open(&child) {
                    Ok(Some(o)) => Stat::from_metadata(&o.meta),
                    _ => continue, // leaves the root, dangling, or refused
                }
            } else if kind.is_file() || kind.is_dir() {
                Stat::from_statx(&st)
            } else {
                continue; // FIFOs, sockets, devices: never served
            };
            out.push(Member { name, stat });
        }
        Ok(out)
    }

    /// Whether a member name is shown at all.
    pub(super) fn visible(&self, name: &str) -> bool {
        !resolve::is_reserved(name) && (self.opts.dotfiles || !name.starts_with('.'))
    }
}

/// What is at a slot, without following a final symlink.
pub(super) fn kind_at(slot: &Slot) -> io::Result<Option<Kind>> {
    match rustix::fs::statat(&slot.dir, slot.name.as_str(), AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => {
            let ft = rustix::fs::FileType::from_raw_mode(st.st_mode);
            Ok(Some(if ft.is_dir() { Kind::Dir } else { Kind::Other }))
        }
        Err(Errno::NOENT) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Dir,
    /// A file, a symlink (removed and renamed as a link) or anything else.
    Other,
}

/// `MKCOL`: a new empty collection.
pub(super) fn make_collection(slot: &Slot) -> io::Result<()> {
    rustix::fs::mkdirat(&slot.dir, slot.name.as_str(), Mode::from_raw_mode(0o755))?;
    Ok(())
}

/// Creates an empty file (a `LOCK` on an unmapped URL, RFC 4918 7.3).
pub(super) fn create_empty(slot: &Slot) -> io::Result<()> {
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC;
    rustix::fs::openat(
        &slot.dir,
        slot.name.as_str(),
        flags,
        Mode::from_raw_mode(0o644),
    )?;
    Ok(())
}

/// A directory under `dir` by name, never through a symlink.
pub(super) fn open_dir(dir: &File, name: &str) -> io::Result<File> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    Ok(File::from(rustix::fs::openat(
        dir,
        name,
        flags,
        Mode::empty(),
    )?))
}

/// The names in a directory (not `.` and `..`), read through a fresh
/// descriptor so the caller's position is untouched.
pub(super) fn list_names(dir: &File) -> io::Result<Vec<String>> {
    let fd = rustix::fs::openat(
        dir.as_fd(),
        ".",
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let mut names = Vec::new();
    let mut d = rustix::fs::Dir::new(fd)?;
    while let Some(entry) = d.read() {
        let entry = entry?;
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        // A name that is not UTF-8 cannot be named by a request; skip it.
        if let Ok(name) = std::str::from_utf8(name) {
            names.push(name.to_string());
        }
    }
    Ok(names)
}

pub(super) fn open_io(e: OpenError) -> io::Error {
    match e {
        OpenError::Io(e) => e,
        OpenError::Forbidden => io::ErrorKind::PermissionDenied.into(),
        OpenError::NotFound | OpenError::Refused => io::ErrorKind::NotFound.into(),
    }
}
