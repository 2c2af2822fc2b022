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

use std::fs::{File, Metadata};
use std::io;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustix::fs::{AtFlags, Mode, OFlags, RenameFlags};
use rustix::io::Errno;

use super::props_store;
use crate::resolve::{self, OpenError, OpenOptionsInside, Opened};

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

/// What PROPFIND shows of a resource: from one `statx` for a member (a
/// listing of 10,000 files is mostly these calls), or from the metadata of
/// a file the resolver opened.
#[derive(Debug, Clone)]
pub(super) struct Stat {
    pub is_dir: bool,
    pub len: u64,
    pub mtime: i64,
    pub mtime_nsec: i64,
    pub ino: u64,
    /// The birth time where the file system records it.
    pub created: Option<SystemTime>,
}

impl Stat {
    pub fn from_metadata(meta: &Metadata) -> Stat {
        use std::os::unix::fs::MetadataExt;
        Stat {
            is_dir: meta.is_dir(),
            len: meta.len(),
            mtime: meta.mtime(),
            mtime_nsec: meta.mtime_nsec(),
            ino: meta.ino(),
            created: meta.created().ok(),
        }
    }

    fn from_statx(st: &rustix::fs::Statx) -> Stat {
        let born = (st.stx_mask & rustix::fs::StatxFlags::BTIME.bits()) != 0;
        Stat {
            is_dir: rustix::fs::FileType::from_raw_mode(st.stx_mode.into()).is_dir(),
            len: st.stx_size,
            mtime: st.stx_mtime.tv_sec,
            mtime_nsec: i64::from(st.stx_mtime.tv_nsec),
            ino: st.stx_ino,
            created: born.then(|| time_of(st.stx_btime.tv_sec, st.stx_btime.tv_nsec)),
        }
    }

    /// The modification time.
    pub fn modified(&self) -> SystemTime {
        time_of(self.mtime, self.mtime_nsec.clamp(0, 999_999_999) as u32)
    }
}

fn time_of(secs: i64, nanos: u32) -> SystemTime {
    let since = Duration::new(secs.unsigned_abs(), nanos);
    if secs >= 0 {
        UNIX_EPOCH + since
    } else {
        UNIX_EPOCH - since
    }
}

/// Temporary names of copies; they start far above the upload counter's
/// values, so the two never pick the same name (a clash would only retry).
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(1 << 40);

/// Tries before giving up on a free temporary name.
const TEMP_TRIES: u32 = 8;

/// Collections nested deeper than this are not copied or removed (bytes
/// on the stack per level are small, but a bound keeps it so).
const MAX_TREE_DEPTH: usize = 256;

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

/// Removes what is at `slot`, a whole collection with what it holds
/// (hidden names included: the collection goes). Members that could not
/// be removed are returned with their paths relative to the slot; the
/// collections holding them stay.
pub(super) fn remove(slot: &Slot) -> Vec<(PathBuf, io::Error)> {
    let mut failed = Vec::new();
    remove_name(&slot.dir, &slot.name, Path::new(""), 0, &mut failed);
    failed
}

fn remove_name(
    dir: &File,
    name: &str,
    rel: &Path,
    depth: usize,
    failed: &mut Vec<(PathBuf, io::Error)>,
) {
    let here = rel.join(name);
    let st = match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => st,
        Err(Errno::NOENT) => return,
        Err(e) => return failed.push((here, e.into())),
    };
    if !rustix::fs::FileType::from_raw_mode(st.st_mode).is_dir() {
        if let Err(e) = rustix::fs::unlinkat(dir, name, AtFlags::empty()) {
            failed.push((here, e.into()));
        }
        return;
    }
    if depth >= MAX_TREE_DEPTH {
        return failed.push((here, io::Error::other("too deep")));
    }
    let sub = match open_dir(dir, name) {
        Ok(sub) => sub,
        Err(e) => return failed.push((here, e)),
    };
    let before = failed.len();
    match list_names(&sub) {
        Ok(names) => {
            for child in names {
                remove_name(&sub, &child, &here, depth + 1, failed);
            }
        }
        Err(e) => failed.push((here.clone(), e)),
    }
    if failed.len() == before {
        if let Err(e) = rustix::fs::unlinkat(dir, name, AtFlags::REMOVEDIR) {
            failed.push((here, e.into()));
        }
    }
}

/// How much of a collection a copy takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Depth {
    /// The collection and its properties, no members.
    Zero,
    Infinity,
}

/// Copies the opened resource `src` (at `src_segs`) to `dst`, replacing
/// what is there when `replace`. The copy is complete before it appears.
pub(super) fn copy(
    tree: &Tree<'_>,
    src_segs: &[String],
    src: &Opened,
    dst: &Slot,
    depth: Depth,
) -> io::Result<()> {
    let temp = if src.meta.is_dir() {
        let temp = temp_dir(&dst.dir)?;
        let guard = TempGuard {
            dir: &dst.dir,
            name: &temp,
            kept: false,
        };
        let new = open_dir(&dst.dir, &temp)?;
        props_store::copy(tree.root_dir, &src.file, &new);
        if depth == Depth::Infinity {
            copy_members(tree, src_segs, &src.file, &new, &mut Vec::new())?;
        }
        guard.keep();
        temp
    } else {
        copy_file_to_temp(tree.root_dir, &src.file, &dst.dir)?
    };
    place(&dst.dir, &temp, dst)
}

/// Copies the visible members of `from` (at `segs`) into `to`.
/// `ancestors`: the (device, inode) of every source collection on the way
/// down, so a symlink back to one of them (a loop) is skipped, not copied
/// without end.
fn copy_members(
    tree: &Tree<'_>,
    segs: &[String],
    from: &File,
    to: &File,
    ancestors: &mut Vec<(u64, u64)>,
) -> io::Result<()> {
    if ancestors.len() >= MAX_TREE_DEPTH {
        return Err(io::Error::other("too deep"));
    }
    ancestors.push(identity(from)?);
    for m in tree.members(segs, from)? {
        let mut child = segs.to_vec();
        child.push(m.name.clone());
        // Opened through the resolver: a member symlink is copied as what
        // it shows (its target inside the root), never as a link out.
        let Some(opened) = tree.open(&child).map_err(open_io)? else {
            continue;
        };
        if opened.meta.is_dir() {
            if ancestors.contains(&identity(&opened.file)?) {
                continue;
            }
            rustix::fs::mkdirat(to, m.name.as_str(), Mode::from_raw_mode(0o755))?;
            let new = open_dir(to, &m.name)?;
            props_store::copy(tree.root_dir, &opened.file, &new);
            copy_members(tree, &child, &opened.file, &new, ancestors)?;
        } else {
            let temp = copy_file_to_temp(tree.root_dir, &opened.file, to)?;
            rustix::fs::renameat(to, temp.as_str(), to, m.name.as_str())?;
        }
    }
    ancestors.pop();
    Ok(())
}

/// A file's (device, inode).
fn identity(file: &File) -> io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = file.metadata()?;
    Ok((meta.dev(), meta.ino()))
}

/// A file's bytes and properties into a new temporary file in `dir`.
fn copy_file_to_temp(root_dir: &File, src: &File, dir: &File) -> io::Result<String> {
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC;
    let mut tries = 0;
    let (name, fd) = loop {
        let name = temp_name();
        match rustix::fs::openat(dir, name.as_str(), flags, Mode::from_raw_mode(0o644)) {
            Ok(fd) => break (name, fd),
            Err(Errno::EXIST) if tries < TEMP_TRIES => tries += 1,
            Err(e) => return Err(e.into()),
        }
    };
    let guard = TempGuard {
        dir,
        name: &name,
        kept: false,
    };
    let mut out = File::from(fd);
    // `src` was opened for this request (by the resolver): its offset is 0
    // and nobody else reads through it.
    io::copy(&mut &*src, &mut out)?;
    props_store::copy(root_dir, src, &out);
    guard.keep();
    Ok(name)
}

/// Renames the hidden `temp` in `dir` onto `dst`, atomically: a missing
/// target is created (never replacing one that appeared meanwhile), a file
/// replaced, a collection swapped out and then removed.
fn place(dir: &File, temp: &str, dst: &Slot) -> io::Result<()> {
    let guard = TempGuard {
        dir,
        name: temp,
        kept: false,
    };
    match kind_at(dst)? {
        None => {
            rustix::fs::renameat_with(
                dir,
                temp,
                &dst.dir,
                dst.name.as_str(),
                RenameFlags::NOREPLACE,
            )?;
        }
        Some(_) => {
            rustix::fs::renameat_with(
                dir,
                temp,
                &dst.dir,
                dst.name.as_str(),
                RenameFlags::EXCHANGE,
            )?;
            // `temp` now names what was replaced; the guard removes it.
            return Ok(());
        }
    }
    guard.keep();
    Ok(())
}

/// `MOVE`: renames `src` to `dst`, replacing what is there (the caller has
/// checked `Overwrite`). Across file systems: copy, then remove.
pub(super) fn rename(
    tree: &Tree<'_>,
    src_segs: &[String],
    src: &Slot,
    dst: &Slot,
) -> io::Result<()> {
    let exists = kind_at(dst)?.is_some();
    let flags = if exists {
        RenameFlags::EXCHANGE
    } else {
        RenameFlags::NOREPLACE
    };
    match rustix::fs::renameat_with(
        &src.dir,
        src.name.as_str(),
        &dst.dir,
        dst.name.as_str(),
        flags,
    ) {
        Ok(()) if exists => {
            // The source name now holds the replaced resource.
            let failed = remove(src);
            match failed.into_iter().next() {
                None => Ok(()),
                Some((_, e)) => Err(e),
            }
        }
        Ok(()) => Ok(()),
        Err(Errno::XDEV) => {
            let Some(opened) = tree.open(src_segs).map_err(open_io)? else {
                return Err(io::ErrorKind::NotFound.into());
            };
            copy(tree, src_segs, &opened, dst, Depth::Infinity)?;
            match remove(src).into_iter().next() {
                None => Ok(()),
                Some((_, e)) => Err(e),
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn temp_name() -> String {
    resolve::upload_part_name(
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed),
    )
}

fn temp_dir(dir: &File) -> io::Result<String> {
    let mut tries = 0;
    loop {
        let name = temp_name();
        match rustix::fs::mkdirat(dir, name.as_str(), Mode::from_raw_mode(0o755)) {
            Ok(()) => return Ok(name),
            Err(Errno::EXIST) if tries < TEMP_TRIES => tries += 1,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Removes a temporary name (file or tree) on drop unless kept.
struct TempGuard<'a> {
    dir: &'a File,
    name: &'a str,
    kept: bool,
}

impl TempGuard<'_> {
    fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for TempGuard<'_> {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        let mut failed = Vec::new();
        remove_name(self.dir, self.name, Path::new(""), 0, &mut failed);
        for (path, e) in failed {
            log::warn!(
                "static: webdav: cannot remove temporary {}: {e}",
                path.display()
            );
        }
    }
}

/// A directory under `dir` by name, never through a symlink.
fn open_dir(dir: &File, name: &str) -> io::Result<File> {
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
fn list_names(dir: &File) -> io::Result<Vec<String>> {
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

fn open_io(e: OpenError) -> io::Error {
    match e {
        OpenError::Io(e) => e,
        OpenError::Forbidden => io::ErrorKind::PermissionDenied.into(),
        OpenError::NotFound | OpenError::Refused => io::ErrorKind::NotFound.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    struct Fixture {
        _dir: tempfile::TempDir,
        root: PathBuf,
        root_dir: File,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir"); // ok: test setup
        let root = fs::canonicalize(dir.path()).expect("canonical"); // ok: test setup
        fs::create_dir_all(root.join("src/sub")).expect("mkdir"); // ok: test setup
        fs::write(root.join("src/a.txt"), "a").expect("write"); // ok: test setup
        fs::write(root.join("src/sub/b.txt"), "b").expect("write"); // ok: test setup
        fs::write(root.join("src/.hidden"), "h").expect("write"); // ok: test setup
        std::os::unix::fs::symlink("..", root.join("src/sub/up")).expect("symlink"); // ok: test setup
        let root_dir = File::open(&root).expect("open root"); // ok: test setup
        Fixture {
            _dir: dir,
            root,
            root_dir,
        }
    }

    fn segs(path: &str) -> Vec<String> {
        path.split('/').map(str::to_string).collect()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut out: Vec<String> = fs::read_dir(dir)
            .expect("read_dir") // ok: test
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()) // ok: test
            .collect();
        out.sort();
        out
    }

    #[test]
    fn copy_depths_and_replacing_a_collection() {
        let f = fixture();
        let tree = Tree {
            root: &f.root,
            root_dir: &f.root_dir,
            opts: OpenOptionsInside::default(),
        };
        let src = tree.open(&segs("src")).expect("open").expect("there"); // ok: test
        let dst = tree.slot(&segs("deep")).expect("slot").expect("parent"); // ok: test
        copy(&tree, &segs("src"), &src, &dst, Depth::Infinity).expect("copy"); // ok: test
                                                                               // What a listing shows, no hidden file; the link up to an ancestor
                                                                               // (a loop) is not followed into a copy without end.
        assert_eq!(names(&f.root.join("deep")), vec!["a.txt", "sub"]);
        assert_eq!(names(&f.root.join("deep/sub")), vec!["b.txt"]);
        let shallow = tree.slot(&segs("shallow")).expect("slot").expect("parent"); // ok: test
        copy(&tree, &segs("src"), &src, &shallow, Depth::Zero).expect("copy"); // ok: test
        assert!(names(&f.root.join("shallow")).is_empty());
        // Replacing a collection: the old one goes as a whole, nothing temporary stays.
        let file = tree.open(&segs("src/a.txt")).expect("open").expect("there"); // ok: test
        let deep = tree.slot(&segs("deep")).expect("slot").expect("parent"); // ok: test
        copy(&tree, &segs("src/a.txt"), &file, &deep, Depth::Infinity).expect("copy"); // ok: test
        assert_eq!(
            fs::read_to_string(f.root.join("deep")).expect("a file now"),
            "a"
        ); // ok: test
        assert!(
            names(&f.root).iter().all(|n| !resolve::is_reserved(n)),
            "{:?}",
            names(&f.root)
        );
    }

    #[test]
    fn rename_replaces_and_remove_takes_everything() {
        let f = fixture();
        let tree = Tree {
            root: &f.root,
            root_dir: &f.root_dir,
            opts: OpenOptionsInside::default(),
        };
        fs::create_dir(f.root.join("other")).expect("mkdir"); // ok: test setup
        fs::write(f.root.join("other/old.txt"), "old").expect("write"); // ok: test setup
        let src = tree.slot(&segs("src")).expect("slot").expect("parent"); // ok: test
        let dst = tree.slot(&segs("other")).expect("slot").expect("parent"); // ok: test
        rename(&tree, &segs("src"), &src, &dst).expect("rename"); // ok: test
        assert_eq!(names(&f.root), vec!["other"]);
        assert_eq!(
            names(&f.root.join("other")),
            vec![".hidden", "a.txt", "sub"]
        );
        let gone = tree.slot(&segs("other")).expect("slot").expect("parent"); // ok: test
        assert!(remove(&gone).is_empty());
        assert!(names(&f.root).is_empty());
        assert_eq!(kind_at(&gone).expect("stat"), None); // ok: test
    }
}
