//! From a request path to a file under the root, safe by construction.
//!
//! Two steps, each one small function:
//!
//! 1. [`normalize`] is pure and lexical (the fuzz target): the raw path as
//!    sent is split on `/` *first*, then each segment is percent-decoded
//!    exactly once, so `%2F` can never become a separator and `%252e%252e`
//!    stays the literal name `%2e%2e`. A decoded segment with NUL, `/` or
//!    invalid UTF-8 is refused (a backslash is an ordinary byte of a Unix
//!    file name, never a separator: `..\x` names a file called that); `.` and `..` are collapsed; a `..` that
//!    would climb above the root is refused (not clamped); dotfiles are
//!    refused unless allowed.
//! 2. [`open_inside`] opens `root/segments`. Fast path: `openat2(2)` from
//!    the root's descriptor with `RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH`,
//!    one system call that the kernel guarantees stays under the root and
//!    crosses no symlink, so the lexical checks of step 1 are all there is
//!    to check (where `openat2` is missing, `beneath.rs` walks the path
//!    with `O_NOFOLLOW`, to the same effect). When a symlink is on the
//!    way, the slow path opens the path and then asks the kernel which
//!    file it really opened (`/proc/self/fd/N`), so symlinks are checked on
//!    the file actually opened, not on a path that could change in between:
//!    a real path that leaves the root is refused unless `follow_symlinks`;
//!    a real path with a dot component (a symlink to `.env`) is refused
//!    unless dotfiles are allowed.

use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::{Component, Path, PathBuf};

use brisk_core::encode_segment;
use percent_encoding::percent_decode_str;
use rustix::io::Errno;

mod beneath;
mod finder_names;
use beneath::open_beneath;
pub use finder_names::is_finder_name;

/// Why a request path names no servable file. Each maps to one status in
/// the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolveError {
    /// Not an origin-form path (does not start with `/`): 400.
    NotAbsolute,
    /// A segment decodes to NUL, `/` or invalid UTF-8: 400.
    BadSegment,
    /// A `..` would climb above the root: 400.
    AboveRoot,
    /// A dotfile or dot directory while dotfiles are hidden: 404.
    Hidden,
}

/// A request path after [`normalize`]: decoded segments, none empty, none
/// `.` or `..`, and whether the path names a directory (ends with `/`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lexical {
    pub segments: Vec<String>,
    pub trailing_slash: bool,
}

impl Lexical {
    /// The segments as a relative filesystem path (empty for the root).
    pub fn rel_path(&self) -> PathBuf {
        self.segments.iter().collect()
    }

    /// The normalized path, percent-encoded for a URL, starting with `/`
    /// and ending with `/` when `trailing_slash`.
    pub fn url_path(&self) -> String {
        let mut out = String::with_capacity(64);
        for s in &self.segments {
            out.push('/');
            out.push_str(&encode_segment(s));
        }
        if self.trailing_slash || self.segments.is_empty() {
            out.push('/');
        }
        out
    }
}

/// Lexically normalizes a raw request path (as sent, before any decoding).
pub fn normalize(raw_path: &str, dotfiles: bool) -> Result<Lexical, ResolveError> {
    normalize_for(
        raw_path,
        OpenOptionsInside {
            dotfiles,
            ..OpenOptionsInside::default()
        },
    )
}

/// [`normalize`] with all of the resolver's options: with `finder_files`,
/// a last segment that [`is_finder_name`] is let through even while
/// dotfiles are hidden (a `._x` before a `/` or a `..` is not).
pub fn normalize_for(raw_path: &str, opts: OpenOptionsInside) -> Result<Lexical, ResolveError> {
    let rest = raw_path
        .strip_prefix('/')
        .ok_or(ResolveError::NotAbsolute)?;
    let mut out = Lexical::default();
    let mut raws = rest.split('/').peekable();
    while let Some(raw) = raws.next() {
        let last = raws.peek().is_none();
        // Decode once, after splitting: "%2F" is a byte of a name, never a separator.
        let bytes: Vec<u8> = percent_decode_str(raw).collect();
        if bytes.iter().any(|&b| b == 0 || b == b'/') {
            return Err(ResolveError::BadSegment);
        }
        let segment = String::from_utf8(bytes).map_err(|_| ResolveError::BadSegment)?;
        // Every segment but the last is followed by a '/': only the last one
        // decides `trailing_slash`, which the loop overwrites each time.
        out.trailing_slash = matches!(segment.as_str(), "" | "." | "..");
        match segment.as_str() {
            "" | "." => {}
            ".." => {
                if out.segments.pop().is_none() {
                    return Err(ResolveError::AboveRoot);
                }
            }
            // An upload in progress is never served, listed or overwritten.
            s if is_reserved(s) => return Err(ResolveError::Hidden),
            s if s.starts_with('.') && !opts.dotfiles && !finder_file(s, last, opts) => {
                return Err(ResolveError::Hidden)
            }
            _ => out.segments.push(segment),
        }
    }
    Ok(out)
}

/// Whether `name`, the last segment when `last`, is a Finder file the
/// options let through.
fn finder_file(name: &str, last: bool, opts: OpenOptionsInside) -> bool {
    opts.finder_files && last && is_finder_name(name)
}

/// The relative path `raw_path` names, borrowed, when [`normalize`] would
/// leave it as it is and it names a file: `/a/b.txt` gives `a/b.txt`.
/// `None` (normalize it) for anything else: a `%`, an empty segment, a
/// segment starting with `.` (dot segments, dotfiles, reserved names), a
/// trailing `/`, the root. What it returns equals
/// `normalize(raw_path, _).segments.join("/")`, the open-file cache's key.
pub fn plain_key(raw_path: &str) -> Option<&str> {
    let rest = raw_path.strip_prefix('/')?;
    // Each byte against the one before it (the leading `/` for the
    // first): no branch per byte, where the usual path has no bad byte.
    let bytes = raw_path.as_bytes();
    let mut bad = false;
    for (&prev, &b) in bytes.iter().zip(&bytes[1..]) {
        bad |= (b == b'%') | (b == 0) | ((prev == b'/') & ((b == b'/') | (b == b'.')));
    }
    (!bad && !raw_path.ends_with('/')).then_some(rest)
}

/// The temporary name an upload is written under before its rename into
/// place: `.upload-PID-N.part`, `PID` and `N` in decimal.
pub fn upload_part_name(pid: u32, n: u64) -> String {
    format!(".upload-{pid}-{n}.part")
}

/// Whether `name` is one [`upload_part_name`] makes: hidden even with
/// dotfiles shown, so a half-written upload is never served, listed or
/// overwritten by a request.
pub fn is_upload_part(name: &str) -> bool {
    let Some(middle) = name
        .strip_prefix(".upload-")
        .and_then(|rest| rest.strip_suffix(".part"))
    else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    middle
        .split_once('-')
        .is_some_and(|(pid, n)| digits(pid) && digits(n))
}

/// The hidden directory at the root where WebDAV keeps dead properties
/// when the file system has no extended attributes for them.
pub const SIDE_STORE: &str = ".static-webdav-props";

/// Names no request may reach, even with dotfiles shown: upload
/// temporaries and the WebDAV side store.
pub fn is_reserved(name: &str) -> bool {
    is_upload_part(name) || name == SIDE_STORE
}

/// Why [`open_inside`] gives no file.
#[derive(Debug)]
pub enum OpenError {
    /// Nothing there (or a path through a non-directory, or a symlink loop): 404.
    NotFound,
    /// Refused by the filesystem permissions, or not a regular file or a
    /// directory (FIFO, socket, device): 403.
    Forbidden,
    /// The real path leaves the root or has a dot component: 404, so that
    /// nothing is revealed about what lies outside.
    Refused,
    /// Any other I/O error: 500.
    Io(io::Error),
}

/// A file or directory opened under the root.
#[derive(Debug)]
pub struct Opened {
    pub file: File,
    pub meta: Metadata,
    /// Opened by the fast path: beneath the root, no symlink crossed.
    pub beneath: bool,
}

/// Options of [`open_inside`].
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenOptionsInside {
    pub follow_symlinks: bool,
    pub dotfiles: bool,
    /// Finder's `._NAME` and `.DS_Store` reachable by exact path while
    /// dotfiles are hidden (WebDAV writes on; see `finder_names.rs`).
    pub finder_files: bool,
}

/// Opens `root.join(rel)` and checks the file really opened. `root` must be
/// canonical (absolute, no symlinks), as `StaticFiles::new` makes it;
/// `root_dir`, when given, is that directory opened (for the fast path).
/// `rel` must come from [`normalize`] (no `..`, no dotfiles unless allowed).
pub fn open_inside(
    root: &Path,
    root_dir: Option<&File>,
    rel: &Path,
    opts: OpenOptionsInside,
) -> Result<Opened, OpenError> {
    if let Some(dir) = root_dir {
        if let Some(done) = open_beneath(dir, rel) {
            return done;
        }
    }
    let path = root.join(rel);
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
    // writer and stall the worker. It changes nothing for regular files.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags((rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::CLOEXEC).bits() as i32)
        .open(&path)
        .map_err(open_error)?;
    let meta = file.metadata().map_err(OpenError::Io)?;
    if !meta.is_file() && !meta.is_dir() {
        return Err(OpenError::Forbidden);
    }
    if !opts.follow_symlinks || !opts.dotfiles {
        let real = real_path(&file, &path)?;
        match real.strip_prefix(root) {
            Ok(inside) => {
                if !opts.dotfiles && has_hidden_component(inside, opts) {
                    return Err(OpenError::Refused);
                }
            }
            Err(_) if !opts.follow_symlinks => return Err(OpenError::Refused),
            // Outside the root by an allowed symlink: the lexical path was
            // already checked for dotfiles by `normalize`.
            Err(_) => {}
        }
    }
    Ok(Opened {
        file,
        meta,
        beneath: false,
    })
}

/// The path of the file behind an open descriptor, from the kernel; falls
/// back to resolving `path` again where /proc is not mounted.
fn real_path(file: &File, path: &Path) -> Result<PathBuf, OpenError> {
    let link = format!("/proc/self/fd/{}", file.as_raw_fd());
    match std::fs::read_link(link) {
        Ok(real) => Ok(real),
        Err(_) => std::fs::canonicalize(path).map_err(open_error),
    }
}

/// Whether a real path under the root has a dot component the options
/// hide (a Finder file counts only as the last component, as in
/// [`normalize_for`]).
fn has_hidden_component(p: &Path, opts: OpenOptionsInside) -> bool {
    let count = p.components().count();
    p.components().enumerate().any(|(i, c)| match c {
        Component::Normal(name) => {
            let last = i + 1 == count;
            let finder = name.to_str().is_some_and(|n| finder_file(n, last, opts));
            name.as_encoded_bytes().first() == Some(&b'.') && !finder
        }
        _ => true, // cannot happen in a stripped canonical path; refuse anyway
    })
}

fn open_error(e: io::Error) -> OpenError {
    match Errno::from_io_error(&e) {
        Some(Errno::NOENT | Errno::NOTDIR | Errno::LOOP | Errno::NAMETOOLONG) => {
            OpenError::NotFound
        }
        Some(Errno::ACCESS | Errno::PERM) => OpenError::Forbidden,
        _ => OpenError::Io(e),
    }
}

#[cfg(test)]
mod tests;
