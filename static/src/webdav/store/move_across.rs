//! MOVE across file systems (rename(2) says EXDEV): what `mv` does, built
//! so that a failure leaves the source whole.
//!
//! The source is cloned under a hidden temporary name next to the target
//! (every name in it, hidden dotfiles too: a rename would carry them;
//! symlinks as links, never followed; modes, modification times and dead
//! properties kept), the clone is put in place in one rename, and only
//! then is the source removed. A failure before the rename removes the
//! partial clone and leaves the source untouched; the reserved names
//! (upload temporaries, the side store) are neither cloned nor visible.

use std::fs::File;
use std::io;

use rustix::fs::{AtFlags, FileType, Mode, OFlags, Timespec, Timestamps};
use rustix::io::Errno;

use super::super::props_store;
use super::copy::place;
use super::remove::remove;
use super::temp::{temp_name, TempGuard, TEMP_TRIES};
use super::{list_names, open_dir, Slot, MAX_TREE_DEPTH};
use crate::resolve;

/// Moves what is at `src` (a file, a symlink or a whole collection) onto
/// `dst` on another file system, replacing what is there.
pub(super) fn move_across(root_dir: &File, src: &Slot, dst: &Slot) -> io::Result<()> {
    let mut tries = 0;
    let temp = loop {
        let temp = temp_name();
        match clone_name(root_dir, &src.dir, &src.name, &dst.dir, &temp, 0) {
            Ok(()) => break temp,
            Err(Clone::Exists) if tries < TEMP_TRIES => tries += 1,
            Err(Clone::Exists) => return Err(Errno::EXIST.into()),
            Err(Clone::Failed(e)) => {
                // Removes what the clone had made so far (if anything).
                drop(TempGuard::new(&dst.dir, &temp));
                return Err(e);
            }
        }
    };
    place(&dst.dir, &temp, dst)?;
    match remove(src).into_iter().next() {
        None => Ok(()),
        // The target is complete; what of the source stayed is reported.
        Some((_, e)) => Err(e),
    }
}

/// Why a clone stopped.
enum Clone {
    /// The temporary name was taken (before anything was made): retry.
    Exists,
    Failed(io::Error),
}

impl From<io::Error> for Clone {
    fn from(e: io::Error) -> Clone {
        Clone::Failed(e)
    }
}

impl From<Errno> for Clone {
    fn from(e: Errno) -> Clone {
        Clone::Failed(e.into())
    }
}

/// Clones `name` in `from` as `to_name` in `to`, without following a
/// symlink; `depth` bounds the recursion.
fn clone_name(
    root_dir: &File,
    from: &File,
    name: &str,
    to: &File,
    to_name: &str,
    depth: usize,
) -> Result<(), Clone> {
    let st = rustix::fs::statat(from, name, AtFlags::SYMLINK_NOFOLLOW)?;
    let mode = Mode::from_raw_mode(st.st_mode & 0o7777);
    let times = Timestamps {
        last_access: Timespec {
            tv_sec: st.st_atime,
            tv_nsec: st.st_atime_nsec as _,
        },
        last_modification: Timespec {
            tv_sec: st.st_mtime,
            tv_nsec: st.st_mtime_nsec as _,
        },
    };
    let created = |r: Result<(), Errno>| match r {
        Ok(()) => Ok(()),
        Err(Errno::EXIST) if depth == 0 => Err(Clone::Exists),
        Err(e) => Err(Clone::from(e)),
    };
    match FileType::from_raw_mode(st.st_mode) {
        FileType::Symlink => {
            let target = rustix::fs::readlinkat(from, name, Vec::new())?;
            created(rustix::fs::symlinkat(&target, to, to_name))?;
            // A link's own times are not worth a failure.
            let _ = rustix::fs::utimensat(to, to_name, &times, AtFlags::SYMLINK_NOFOLLOW);
        }
        FileType::RegularFile => {
            let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let src = File::from(rustix::fs::openat(from, name, flags, Mode::empty())?);
            let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC;
            let out = match rustix::fs::openat(to, to_name, flags, mode) {
                Ok(fd) => File::from(fd),
                Err(e) => return created(Err(e)),
            };
            io::copy(&mut &src, &mut &out)?;
            props_store::copy(root_dir, &src, &out);
            // The creation mode passed through the umask: set it exactly.
            rustix::fs::fchmod(&out, mode)?;
            rustix::fs::futimens(&out, &times)?;
        }
        FileType::Directory => {
            if depth >= MAX_TREE_DEPTH {
                return Err(io::Error::other("too deep").into());
            }
            created(rustix::fs::mkdirat(to, to_name, Mode::from_raw_mode(0o700)))?;
            let src = open_dir(from, name)?;
            let out = open_dir(to, to_name)?;
            for child in list_names(&src)? {
                if resolve::is_reserved(&child) {
                    continue;
                }
                clone_name(root_dir, &src, &child, &out, &child, depth + 1)?;
            }
            props_store::copy(root_dir, &src, &out);
            rustix::fs::fchmod(&out, mode)?;
            // Last: adding the members changed the directory's times.
            rustix::fs::futimens(&out, &times)?;
        }
        _ => {
            // A FIFO, socket or device is never served; it is not moved
            // either, and the move fails rather than lose it.
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("{name}: a FIFO, socket or device cannot be moved across file systems"),
            )
            .into());
        }
    }
    Ok(())
}
