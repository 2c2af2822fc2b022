//! `--stderr FILE`: every later write to stderr (errors, `-v`, the
//! progress bar) goes to FILE instead, or to stdout for "-", as curl's
//! global error stream. The descriptor itself is replaced, so nothing
//! that writes to stderr needs to know.

use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::path::Path;

/// Points stderr at `path` (created or truncated, as curl opens it) or
/// at stdout for "-". A file that cannot be opened leaves stderr as it
/// is, with curl's warning unless `silent`.
pub fn redirect_stderr(path: &Path, silent: bool) {
    let result = if path.as_os_str() == "-" {
        rustix::stdio::dup2_stderr(io::stdout().as_fd()).map_err(io::Error::from)
    } else {
        File::create(path)
            .and_then(|f| rustix::stdio::dup2_stderr(f.as_fd()).map_err(io::Error::from))
    };
    if let Err(e) = result {
        if !silent {
            eprintln!("Warning: Failed to open {}: {e}", path.display());
        }
    }
}
