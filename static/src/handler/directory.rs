//! Directories: the redirect to the slash form, `index.html`, or the
//! listing of what a request could open.

use std::fs;
use std::io;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use http_core::StatusCode;
use http_server::{Request, Response};

use super::{error, redirect, Found, StaticFiles, INDEX_FILE};
use crate::listing;
use crate::resolve::{self, Lexical, OpenError};

impl StaticFiles {
    /// Answers a request that resolved to the directory `dir` at `rel`.
    pub(super) fn directory(
        &self,
        req: &Request,
        prefix: &str,
        lexical: &Lexical,
        rel: &Path,
        dir: &fs::File,
    ) -> Response {
        if !lexical.trailing_slash {
            let slashed = Lexical {
                segments: lexical.segments.clone(),
                trailing_slash: true,
            };
            return redirect(&format!("{prefix}{}", slashed.url_path()), req.query());
        }
        let index = rel.join(INDEX_FILE);
        match resolve::open_inside(
            &self.root,
            Some(&self.root_dir),
            &index,
            self.open_options(),
        ) {
            Ok(opened) if opened.meta.is_file() => {
                return self.file(req, &index, Found::from(opened))
            }
            Ok(_) | Err(OpenError::NotFound | OpenError::Refused) => {}
            Err(e) => return self.open_failed(req, e),
        }
        if !self.listing {
            return error(StatusCode::FORBIDDEN);
        }
        let mut entries = match self.list(dir, rel) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                return error(StatusCode::FORBIDDEN)
            }
            Err(e) => {
                log::warn!("static: listing {}: {e}", req.raw_path());
                return error(StatusCode::INTERNAL_SERVER_ERROR);
            }
        };
        let sort = listing::Sort::from_query(req.query());
        listing::sort_entries(&mut entries, sort);
        let display = format!("{prefix}/{}", display_path(lexical));
        let has_parent = !lexical.segments.is_empty();
        let page = listing::render(&display, &entries, sort, has_parent);
        Response::new(StatusCode::OK)
            .header("Content-Type", "text/html; charset=utf-8")
            .header("Cache-Control", "no-cache")
            .bytes(page)
    }

    /// The entries of the directory `dir` (opened and checked at `ROOT/rel`)
    /// that a request could open: names that are valid UTF-8, no dotfiles
    /// unless enabled, no symlinks that the resolver would refuse, nothing
    /// that is neither file nor directory.
    ///
    /// The entries are read from the open descriptor (through its
    /// `/proc/self/fd` link, and stat'ed relative to it), not by path again,
    /// so a directory swapped for a symlink after the checks cannot list
    /// somewhere else. Without /proc, the path is read.
    fn list(&self, dir: &fs::File, rel: &Path) -> io::Result<Vec<listing::Entry>> {
        use std::os::unix::io::AsRawFd;
        let by_fd = PathBuf::from(format!("/proc/self/fd/{}", dir.as_raw_fd()));
        let reader = match fs::read_dir(&by_fd) {
            Ok(reader) => reader,
            Err(_) => fs::read_dir(self.root.join(rel))?,
        };
        let mut entries = Vec::new();
        for dirent in reader {
            let Ok(dirent) = dirent else { continue };
            let Ok(name) = dirent.file_name().into_string() else {
                continue; // not UTF-8: no request could name it
            };
            if name.starts_with('.') && !self.dotfiles {
                continue;
            }
            let Ok(file_type) = dirent.file_type() else {
                continue;
            };
            let meta = if file_type.is_symlink() || file_type.is_fifo() {
                // Follow it the way a request would, refusals included.
                match resolve::open_inside(
                    &self.root,
                    Some(&self.root_dir),
                    &rel.join(&name),
                    self.open_options(),
                ) {
                    Ok(opened) => opened.meta,
                    Err(_) => continue,
                }
            } else {
                match dirent.metadata() {
                    Ok(meta) => meta,
                    Err(_) => continue,
                }
            };
            if !meta.is_file() && !meta.is_dir() {
                continue;
            }
            entries.push(listing::Entry {
                name,
                is_dir: meta.is_dir(),
                size: meta.len(),
                modified: meta.modified().ok(),
            });
        }
        Ok(entries)
    }
}

/// The decoded directory path for the listing's title, ending with `/`.
fn display_path(lexical: &Lexical) -> String {
    let mut out = String::new();
    for s in &lexical.segments {
        out.push_str(s);
        out.push('/');
    }
    out
}
