//! The fast path of [`super::open_inside`]: open a normalized relative path
//! beneath the root's descriptor, crossing no symlink, so that the lexical
//! checks of `normalize` are all there is to check and the file may be
//! cached.
//!
//! `openat2(2)` with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS` does it in one
//! system call. Where it is missing (Linux before 5.6, valgrind, sandboxes
//! that refuse it), the same guarantee comes from a walk, one `openat` per
//! component, each relative to the directory just opened and with
//! `O_NOFOLLOW` (nginx's `disable_symlinks on` does the same): a symlink
//! anywhere fails the walk. The path has no `.` or `..` (normalized), so
//! the walk cannot leave the root.

use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Component, Path};
use std::sync::atomic::{AtomicBool, Ordering};

use rustix::fs::{openat, openat2, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

use super::{open_error, OpenError, Opened};

/// Set once `openat2` said ENOSYS: later opens walk without trying it
/// (the tests set it to run their tables through the walk too).
pub(super) static NO_OPENAT2: AtomicBool = AtomicBool::new(false);

const FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::NONBLOCK)
    .union(OFlags::CLOEXEC);

/// `None` when it cannot decide (a symlink on the way, or a walk that hit
/// anything but a plain directory), and the slow path must.
pub(super) fn open_beneath(root_dir: &File, rel: &Path) -> Option<Result<Opened, OpenError>> {
    let rel = if rel.as_os_str().is_empty() {
        Path::new(".")
    } else {
        rel
    };
    let fd = if NO_OPENAT2.load(Ordering::Relaxed) {
        walk(root_dir, rel)?
    } else {
        let resolve =
            ResolveFlags::NO_SYMLINKS | ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS;
        match openat2(root_dir, rel, FLAGS, Mode::empty(), resolve) {
            Ok(fd) => fd,
            Err(Errno::NOSYS) => {
                NO_OPENAT2.store(true, Ordering::Relaxed);
                walk(root_dir, rel)?
            }
            Err(Errno::PERM) => walk(root_dir, rel)?,
            Err(Errno::LOOP | Errno::XDEV | Errno::AGAIN) => return None,
            Err(e) => return Some(Err(open_error(io::Error::from(e)))),
        }
    };
    let file = File::from(fd);
    Some(match file.metadata() {
        Ok(meta) if meta.is_file() || meta.is_dir() => Ok(Opened {
            file,
            meta,
            beneath: true,
        }),
        Ok(_) => Err(OpenError::Forbidden),
        Err(e) => Err(OpenError::Io(e)),
    })
}

/// Opens `rel` one component at a time with `O_NOFOLLOW`; `None` on any
/// failure (a symlink, a missing name, a directory without read
/// permission...): the slow path then gives the answer, as it would have.
fn walk(root_dir: &File, rel: &Path) -> Option<OwnedFd> {
    let mut names = rel.components().peekable();
    let mut dir: Option<OwnedFd> = None;
    while let Some(component) = names.next() {
        let name = match component {
            Component::Normal(name) => name,
            Component::CurDir if rel == Path::new(".") => std::ffi::OsStr::new("."),
            _ => return None,
        };
        let last = names.peek().is_none();
        let flags = if last {
            FLAGS | OFlags::NOFOLLOW
        } else {
            FLAGS | OFlags::NOFOLLOW | OFlags::DIRECTORY
        };
        let opened = match &dir {
            Some(parent) => openat(parent, name, flags, Mode::empty()),
            None => openat(root_dir, name, flags, Mode::empty()),
        };
        dir = Some(opened.ok()?);
    }
    dir
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn the_walk_opens_plain_paths_and_refuses_symlinks_anywhere() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/f.txt"), "hi").unwrap();
        symlink(root.join("a"), root.join("link_dir")).unwrap();
        symlink(root.join("a/b/f.txt"), root.join("a/link_file")).unwrap();
        let root_dir = File::open(root).unwrap();
        let text = |rel: &str| {
            walk(&root_dir, Path::new(rel))
                .map(|fd| {
                    std::fs::read_to_string(format!("/proc/self/fd/{}", {
                        use std::os::fd::AsRawFd;
                        fd.as_raw_fd()
                    }))
                })
                .map(|r| r.unwrap_or_else(|_| "<dir>".into()))
        };
        assert_eq!(text("a/b/f.txt").as_deref(), Some("hi"));
        assert_eq!(text("a/b").as_deref(), Some("<dir>"));
        assert_eq!(text(".").as_deref(), Some("<dir>"));
        assert_eq!(text("link_dir/b/f.txt"), None);
        assert_eq!(text("a/link_file"), None);
        assert_eq!(text("a/missing"), None);
        assert_eq!(text("a/b/f.txt/x"), None);
    }
}
