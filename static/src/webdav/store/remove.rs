//! DELETE's removal: a whole tree, relative to opened directories, never
//! following a symlink.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use rustix::fs::AtFlags;
use rustix::io::Errno;

use super::{list_names, open_dir, Slot, MAX_TREE_DEPTH};

/// Removes what is at `slot`, a whole collection with what it holds
/// (hidden names included: the collection goes). Members that could not
/// be removed are returned with their paths relative to the slot; the
/// collections holding them stay.
pub(in crate::webdav) fn remove(slot: &Slot) -> Vec<(PathBuf, io::Error)> {
    let mut failed = Vec::new();
    remove_name(&slot.dir, &slot.name, Path::new(""), 0, &mut failed);
    failed
}

pub(super) fn remove_name(
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
