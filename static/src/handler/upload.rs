//! `PUT` uploads (`--upload`): the body streams into a temporary file in
//! the target directory, renamed into place once complete.
//!
//! ```text
//! PUT /dir/name
//!   -> resolve::normalize (400; dotfiles 403 unless allowed)
//!   -> the parent through resolve::open_inside (same rules as reads; 409 when missing)
//!   -> an existing name: 409 unless overwrite (a directory: always 409)
//!   -> Content-Length (or Finder's X-Expected-Entity-Length) over the limit: 413 before
//!      any byte is read (no 100 Continue)
//!   -> body -> .upload-*.part beside the target (413 once over the limit while streaming)
//!   -> with WebDAV, a replaced file's dead properties copied to the part (RFC 4918 9.7.1)
//!   -> renameat into place (RENAME_NOREPLACE without overwrite) -> 201 + Location, or 204 replaced
//! ```
//!
//! Every failure after the temporary file exists removes it (a drop guard),
//! so a broken, refused or timed-out upload leaves nothing. All file system
//! calls are relative to the opened parent directory, so a directory swapped
//! for a symlink during the upload cannot redirect the file.

use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use brisk_core::StatusCode;
use brisk_server::{Request, Response};
use rustix::fs::{AtFlags, Mode, OFlags, RenameFlags};

use super::{error, error_with, StaticFiles};
use crate::resolve::{self, Lexical, OpenError, ResolveError};

/// The upload settings ([`StaticFiles::upload`]).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct UploadOptions {
    pub(super) overwrite: bool,
    pub(super) max_bytes: Option<u64>,
}

/// Body bytes moved per read and write (bytes).
const COPY_BUF_BYTES: usize = 256 << 10;

/// Where an upload goes: the opened parent and the final name in it.
struct Target {
    dir: File,
    name: String,
    exists: bool,
}

impl StaticFiles {
    /// Answers a `PUT` when uploads are on.
    pub(super) fn put(
        &self,
        req: &Request,
        prefix: &str,
        path: &str,
        opts: UploadOptions,
    ) -> Response {
        let lexical = match resolve::normalize_for(path, self.open_options()) {
            Ok(l) if !l.trailing_slash && !l.segments.is_empty() => l,
            Ok(_) => return self.method_not_allowed(),
            Err(ResolveError::Hidden) => return error(StatusCode::FORBIDDEN),
            Err(_) => return error(StatusCode::BAD_REQUEST),
        };
        let target = match self.upload_target(&lexical, opts) {
            Ok(t) => t,
            Err(resp) => return resp,
        };
        if too_large(declared_length(req), opts.max_bytes) {
            return error(StatusCode::PAYLOAD_TOO_LARGE);
        }
        let keep_props = self.webdav.is_some().then_some(&*self.root_dir);
        match receive(req, &target, opts, keep_props) {
            Ok(replaced) if replaced => Response::new(StatusCode::NO_CONTENT),
            Ok(_) => {
                let location = format!("{prefix}{}", lexical.url_path());
                Response::text(StatusCode::CREATED, format!("201 Created: {location}\n"))
                    .header("Location", location)
            }
            Err(status) => error(status),
        }
    }

    /// The parent directory, opened as reads open it, and the name's state.
    fn upload_target(&self, lexical: &Lexical, opts: UploadOptions) -> Result<Target, Response> {
        let (name, parents) = match lexical.segments.split_last() {
            Some(split) => split,
            None => return Err(error(StatusCode::BAD_REQUEST)),
        };
        let parent: std::path::PathBuf = parents.iter().collect();
        let dir = match resolve::open_inside(
            &self.root,
            Some(&self.root_dir),
            &parent,
            self.open_options(),
        ) {
            Ok(opened) if opened.meta.is_dir() => opened.file,
            Ok(_) | Err(OpenError::NotFound | OpenError::Refused) => {
                return Err(error_with(
                    StatusCode::CONFLICT,
                    "the folder does not exist (uploads create no folders)",
                ))
            }
            Err(OpenError::Forbidden) => return Err(error(StatusCode::FORBIDDEN)),
            Err(OpenError::Io(e)) => {
                log::warn!("static: PUT {}: {e}", lexical.url_path());
                return Err(error(StatusCode::INTERNAL_SERVER_ERROR));
            }
        };
        let exists = match rustix::fs::statat(&dir, name.as_str(), AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) if rustix::fs::FileType::from_raw_mode(st.st_mode).is_dir() => {
                return Err(error_with(
                    StatusCode::CONFLICT,
                    "a folder has this name (uploads replace files only)",
                ))
            }
            Ok(_) if !opts.overwrite => {
                return Err(error_with(
                    StatusCode::CONFLICT,
                    "a file has this name; the server replaces files only when started with --overwrite",
                ))
            }
            Ok(_) => true,
            Err(_) => false,
        };
        Ok(Target {
            dir,
            name: name.clone(),
            exists,
        })
    }
}

/// The body into a temporary file, then renamed into place. Ok(replaced).
/// `keep_props` (WebDAV on: the root directory, where the side store is):
/// a replaced file's dead properties go to its replacement.
fn receive(
    req: &Request,
    target: &Target,
    opts: UploadOptions,
    keep_props: Option<&File>,
) -> Result<bool, StatusCode> {
    let mut part = Part::create(&target.dir).map_err(|e| {
        log::warn!("static: PUT: cannot create a temporary file: {e}");
        write_status(&e)
    })?;
    copy_body(req, &mut part.file, opts.max_bytes)?;
    if let (Some(root_dir), true) = (keep_props, target.exists) {
        crate::webdav::carry_dead_props(root_dir, &target.dir, &target.name, &part.file);
    }
    let flags = if opts.overwrite {
        RenameFlags::empty()
    } else {
        RenameFlags::NOREPLACE
    };
    match rustix::fs::renameat_with(
        &target.dir,
        part.name.as_str(),
        &target.dir,
        target.name.as_str(),
        flags,
    ) {
        Ok(()) => {
            part.kept = true;
            Ok(target.exists)
        }
        Err(rustix::io::Errno::EXIST) => Err(StatusCode::CONFLICT),
        Err(e) => {
            log::warn!("static: PUT: rename failed: {e}");
            Err(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// Copies the request body into `file`, within `max` bytes.
fn copy_body(req: &Request, file: &mut File, max: Option<u64>) -> Result<u64, StatusCode> {
    let mut body = req.body_reader();
    let mut buf = vec![0u8; COPY_BUF_BYTES];
    let mut total = 0u64;
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_status(&e)),
        };
        total += n as u64;
        if too_large(Some(total), max) {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        file.write_all(&buf[..n]).map_err(|e| {
            log::warn!("static: PUT: write failed: {e}");
            write_status(&e)
        })?;
    }
}

/// The body's length as the client announced it: `Content-Length`, or
/// for a chunked body `X-Expected-Entity-Length` (macOS Finder sends files
/// chunked, their size in that header), so that an upload over the limit
/// is refused before its body either way.
fn declared_length(req: &Request) -> Option<u64> {
    let announced = |name| req.header(name).and_then(|v| v.trim().parse().ok());
    announced("content-length").or_else(|| announced("x-expected-entity-length"))
}

fn too_large(len: Option<u64>, max: Option<u64>) -> bool {
    matches!((len, max), (Some(len), Some(max)) if len > max)
}

/// The status for a body that could not be read (the client will rarely
/// see it: it stalled or went away).
fn read_status(e: &io::Error) -> StatusCode {
    match e.kind() {
        io::ErrorKind::TimedOut => StatusCode::REQUEST_TIMEOUT,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn write_status(e: &io::Error) -> StatusCode {
    match e.raw_os_error() {
        Some(code) if code == rustix::io::Errno::NOSPC.raw_os_error() => {
            StatusCode::INSUFFICIENT_STORAGE
        }
        Some(code) if code == rustix::io::Errno::DQUOT.raw_os_error() => {
            StatusCode::INSUFFICIENT_STORAGE
        }
        _ if e.kind() == io::ErrorKind::PermissionDenied => StatusCode::FORBIDDEN,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A temporary file beside the target, removed on drop unless kept.
struct Part<'a> {
    dir: &'a File,
    name: String,
    file: File,
    kept: bool,
}

/// Distinguishes temporary names made by one process.
static PART_COUNTER: AtomicU64 = AtomicU64::new(0);

impl<'a> Part<'a> {
    fn create(dir: &'a File) -> io::Result<Part<'a>> {
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC;
        let mut tries = 0;
        loop {
            let n = PART_COUNTER.fetch_add(1, Ordering::Relaxed);
            let name = crate::resolve::upload_part_name(std::process::id(), n);
            match rustix::fs::openat(dir, name.as_str(), flags, Mode::from_raw_mode(0o644)) {
                Ok(fd) => {
                    return Ok(Part {
                        dir,
                        name,
                        file: File::from(fd),
                        kept: false,
                    })
                }
                Err(rustix::io::Errno::EXIST) if tries < 8 => tries += 1,
                Err(e) => return Err(e.into()),
            }
        }
    }
}

impl Drop for Part<'_> {
    fn drop(&mut self) {
        if !self.kept {
            if let Err(e) = rustix::fs::unlinkat(self.dir, self.name.as_str(), AtFlags::empty()) {
                log::warn!("static: cannot remove {}: {e}", self.name);
            }
        }
    }
}
