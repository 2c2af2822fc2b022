//! Directories: the redirect to the slash form, `index.html`, or the
//! listing of what a request could open.

use std::fs;
use std::io;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use brisk_core::StatusCode;
use brisk_server::{Request, Response};

use super::file::{answer_preconditions, Asks, Validators};
use super::{error, Found, StaticFiles, INDEX_FILE};
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
            return self.redirect(&format!("{prefix}{}", slashed.url_path()), req.query());
        }
        if let Some(asked) = self.archive_asked(req) {
            return self.archive(asked, lexical, rel, dir);
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
        let mut page = listing::render(&display, &entries, sort, has_parent);
        if self.upload.is_some() {
            listing::add_upload_control(&mut page);
        }
        if self.archives {
            listing::add_archive_links(&mut page);
        }
        if self.webdav_writes() {
            crate::listing_actions::add_folder_actions(&mut page);
        }
        let newest = dir.metadata().ok().and_then(|m| m.modified().ok());
        let mut v = listing_validators(page.as_bytes(), newest, &entries);
        // Listings change as files come and go: always revalidate, but
        // cheaply (a 304 instead of the page when nothing changed).
        let mut resp = Response::new(StatusCode::OK)
            .header("ETag", &*v.etag)
            .header("Cache-Control", "no-cache");
        if let Some(lm) = &v.last_modified_text {
            resp = resp.header("Last-Modified", &**lm);
        }
        let resp = resp
            .header("Content-Type", "text/html; charset=utf-8")
            .bytes(page);
        // Compressed like any text (with Vary and the variant's own ETag),
        // so the preconditions are answered for the tag actually sent.
        let resp = match &self.compression {
            Some(compression) => compression.apply(req, resp),
            None => resp,
        };
        if let Some(tag) = resp.headers().get_str("ETag") {
            v.etag = tag.to_string().into();
        }
        let mut resp = resp;
        if Asks::of(req).conditional
            && answer_preconditions(req, &v, &mut resp)
            && resp.status() == StatusCode::NOT_MODIFIED
        {
            // A 304 carries the validators and Vary, never the body.
            resp.set_body(brisk_server::Body::Empty);
            resp.headers_mut().remove("Content-Encoding");
        }
        resp
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
    pub(super) fn list(&self, dir: &fs::File, rel: &Path) -> io::Result<Vec<listing::Entry>> {
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
            if (name.starts_with('.') && !self.dotfiles) || resolve::is_reserved(&name) {
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

/// A listing's validators: an entity tag that is a hash of the page
/// itself (any change an entry shows changes it: names, sizes, dates, the
/// sort order), and as Last-Modified the newest of the directory's and its
/// entries' modification times.
fn listing_validators(
    page: &[u8],
    dir_modified: Option<SystemTime>,
    entries: &[listing::Entry],
) -> Validators<'static> {
    use std::hash::{DefaultHasher, Hasher};
    let mut hash = DefaultHasher::new();
    hash.write(page);
    let newest = entries
        .iter()
        .filter_map(|e| e.modified)
        .chain(dir_modified)
        .max()
        .and_then(crate::conditional::whole_seconds);
    Validators::new(format!("\"l-{:016x}\"", hash.finish()), newest)
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
