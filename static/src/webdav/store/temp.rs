//! Hidden temporary names (upload temporaries' form, never visible to a
//! request) and their removal when an operation fails half way.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::fs::Mode;
use rustix::io::Errno;

use super::remove::remove_name;
use crate::resolve;

/// Temporary names of copies; they start far above the upload counter's
/// values, so the two never pick the same name (a clash would only retry).
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(1 << 40);

/// Tries before giving up on a free temporary name.
pub(super) const TEMP_TRIES: u32 = 8;

pub(super) fn temp_name() -> String {
    resolve::upload_part_name(
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed),
    )
}

pub(super) fn temp_dir(dir: &File) -> io::Result<String> {
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
pub(super) struct TempGuard<'a> {
    dir: &'a File,
    name: &'a str,
    kept: bool,
}

impl<'a> TempGuard<'a> {
    /// Guards `name` in `dir`.
    pub(super) fn new(dir: &'a File, name: &'a str) -> TempGuard<'a> {
        TempGuard {
            dir,
            name,
            kept: false,
        }
    }

    /// The operation succeeded: the name stays.
    pub(super) fn keep(mut self) {
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
