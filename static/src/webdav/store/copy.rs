//! COPY: the copy is built under a hidden temporary name and renamed into
//! place in one step, so no half-written target is ever visible.

use std::fs::File;
use std::io;

use rustix::fs::{Mode, OFlags, RenameFlags};
use rustix::io::Errno;

use super::super::props_store;
use super::temp::{temp_dir, temp_name, TempGuard, TEMP_TRIES};
use super::{kind_at, open_dir, open_io, Slot, Tree, MAX_TREE_DEPTH};
use crate::resolve::Opened;

/// How much of a collection a copy takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::webdav) enum Depth {
    /// The collection and its properties, no members.
    Zero,
    Infinity,
}

/// Copies the opened resource `src` (at `src_segs`) to `dst`, replacing
/// what is there when `replace`. The copy is complete before it appears.
pub(in crate::webdav) fn copy(
    tree: &Tree<'_>,
    src_segs: &[String],
    src: &Opened,
    dst: &Slot,
    depth: Depth,
) -> io::Result<()> {
    let temp = if src.meta.is_dir() {
        let temp = temp_dir(&dst.dir)?;
        let guard = TempGuard::new(&dst.dir, &temp);
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
    let guard = TempGuard::new(dir, &name);
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
pub(super) fn place(dir: &File, temp: &str, dst: &Slot) -> io::Result<()> {
    let guard = TempGuard::new(dir, temp);
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
