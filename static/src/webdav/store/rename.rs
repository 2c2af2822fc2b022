//! MOVE: one `renameat2` on the same file system; across file systems a
//! copy, then the source removed.

use std::io;

use rustix::fs::RenameFlags;
use rustix::io::Errno;

use super::copy::{copy, Depth};
use super::remove::remove;
use super::{kind_at, open_io, Slot, Tree};

/// `MOVE`: renames `src` to `dst`, replacing what is there (the caller has
/// checked `Overwrite`). Across file systems: copy, then remove.
pub(in crate::webdav) fn rename(
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
