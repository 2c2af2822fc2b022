//! MOVE: one `renameat2` on the same file system; across file systems a
//! clone, put in place, then the source removed (`move_across.rs`).

use std::io;

use rustix::fs::RenameFlags;
use rustix::io::Errno;

use super::move_across::move_across;
use super::remove::remove;
use super::{kind_at, Slot, Tree};

/// `MOVE`: renames `src` to `dst`, replacing what is there (the caller has
/// checked `Overwrite`). Across file systems: [`move_across`].
pub(in crate::webdav) fn rename(tree: &Tree<'_>, src: &Slot, dst: &Slot) -> io::Result<()> {
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
        Err(Errno::XDEV) => move_across(tree.root_dir, src, dst),
        Err(e) => Err(e.into()),
    }
}
