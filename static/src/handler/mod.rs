//! [`StaticFiles`]: the handler that serves a directory.
//!
//! One request goes through these steps, each delegated to a pure module
//! where it can be:
//!
//! ```text
//! auth (--auth: 401 without valid Basic credentials)
//! webdav (--webdav: ../webdav/ answers OPTIONS and the DAV methods, checks PUT's
//!         If header and locks; GET, HEAD and a checked PUT go on below)
//! method (OPTIONS -> 204, PUT -> upload.rs when uploads are on, not GET/HEAD -> 405)
//!   -> resolve::normalize (400 / 404 for dotfiles)
//!   -> resolve::open_inside (404 / 403; --spa falls back to /index.html)
//!   -> directory: 301 to the slash form, ?download= archive (archive.rs),
//!                 index.html, listing or 403
//!   -> file: encoding::preferred picks a .br/.gz sibling
//!            else compressed::on_the_fly picks br/zstd/gzip for a
//!            compressible type (variant cache, or sliced streaming)
//!            conditional::evaluate (304 / 412)
//!            range::evaluate, behind conditional::if_range (206 / 416 / 200)
//! ```
//!
//! Every answer gets the extra headers (`-H`), which replace a default of
//! the same name.

use std::borrow::Cow;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use brisk_core::{Method, StatusCode};
use brisk_server::{Compression, Handler, Request, Response};

mod archive;
mod compressed;
mod directory;
mod file;
mod upload;

use file::Found;
use upload::UploadOptions;

use crate::auth::Auth;
use crate::cache::{self, OpenFileCache};
use crate::conditional;
use crate::content_type;
use crate::encoding::Encoding;
use crate::error_page;
use crate::resolve::{self, OpenError, OpenOptionsInside, Opened, ResolveError};
use crate::variants::VariantCache;
use crate::webdav::{self, WebDav};

/// The methods a static directory answers.
pub const ALLOW: &str = "GET, HEAD, OPTIONS";
/// The methods when uploads are on.
pub const ALLOW_WITH_UPLOAD: &str = "GET, HEAD, OPTIONS, PUT";

/// The default `Cache-Control`: caches may store, but must revalidate
/// (cheap with the validators: a 304 without body).
pub const DEFAULT_CACHE_CONTROL: &str = "no-cache";

/// The slash redirect's `Cache-Control` under [`DEFAULT_CACHE_CONTROL`]: a
/// redirect has no validator to revalidate with (a `no-cache` one could
/// never be reused), so caches keep it for a minute instead; a directory
/// later replaced by a file is redirected for at most that long.
pub const REDIRECT_CACHE_CONTROL: &str = "max-age=60";

const INDEX_FILE: &str = "index.html";

/// Files up to this size are read (one `pread`) and sent as bytes rather
/// than with `sendfile`: the head and the body then leave in one write, and
/// the server can flush many pipelined small responses at once. It bounds
/// the memory a response holds; bigger files always go out as file regions.
pub const SMALL_FILE_BYTES: u64 = 16 * 1024;

/// Serves the files under one directory. Build it with [`StaticFiles::new`]
/// and the option setters; it implements [`Handler`], and
/// [`StaticFiles::serve_under`] mounts it under a path prefix in an app
/// with other routes.
///
/// ```no_run
/// use brisk_static::StaticFiles;
///
/// let files = StaticFiles::new("./public")?.spa(true).header("X-Frame-Options", "DENY");
/// brisk_server::Server::bind("127.0.0.1:8080")?.serve(files)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct StaticFiles {
    /// Canonical: absolute, no symlinks, a directory.
    root: PathBuf,
    /// `root` opened, for `openat2` beneath it (shared by clones).
    root_dir: Arc<fs::File>,
    /// Files recently served, revalidated on each use (shared by clones).
    cache: Arc<OpenFileCache>,
    listing: bool,
    spa: bool,
    dotfiles: bool,
    follow_symlinks: bool,
    cache_control: String,
    /// Extra headers in order, and their names once each (lowercase), to
    /// remove the defaults they replace.
    extra_headers: Vec<(String, String)>,
    extra_names: Vec<String>,
    /// On-the-fly compression settings; `None` turns it off.
    compression: Option<Compression>,
    /// Compressed variants of small files (shared by clones).
    variants: Arc<VariantCache>,
    variants_on: bool,
    /// `PUT` uploads; `None`: off.
    upload: Option<UploadOptions>,
    auth: Auth,
    /// `?download=tar|tar_gz|zip` on directories.
    archives: bool,
    /// WebDAV (`--webdav`); `None`: off.
    webdav: Option<WebDav>,
}

impl StaticFiles {
    /// Serves `root`, which must be an existing directory. Defaults:
    /// listings on, no SPA fallback, dotfiles hidden, symlinks followed
    /// only inside the root, `Cache-Control: no-cache`, on-the-fly
    /// compression on.
    pub fn new(root: impl AsRef<Path>) -> io::Result<StaticFiles> {
        let root = fs::canonicalize(root.as_ref())?;
        let root_dir = fs::File::open(&root)?;
        if !root_dir.metadata()?.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                "not a directory",
            ));
        }
        Ok(StaticFiles {
            root,
            root_dir: Arc::new(root_dir),
            cache: Arc::default(),
            listing: true,
            spa: false,
            dotfiles: false,
            follow_symlinks: false,
            cache_control: DEFAULT_CACHE_CONTROL.to_string(),
            extra_headers: Vec::new(),
            extra_names: Vec::new(),
            compression: Some(Compression::default()),
            variants: Arc::default(),
            variants_on: true,
            upload: None,
            auth: Auth::default(),
            archives: false,
            webdav: None,
        })
    }

    /// On-the-fly compression of compressible types (on by default, at
    /// [`Compression`]'s default levels: gzip 6, brotli 5, zstd 3). A
    /// precompressed sibling is preferred when the client accepts it.
    pub fn compress(mut self, on: bool) -> StaticFiles {
        self.compression = on.then(Compression::default);
        self
    }

    /// Keep compressed variants of small files in memory (on by default);
    /// off compresses on every request, as nginx does.
    pub fn compress_cache(mut self, on: bool) -> StaticFiles {
        self.variants_on = on;
        self
    }

    /// On-the-fly compression with these settings.
    pub fn compression(mut self, compression: Compression) -> StaticFiles {
        self.compression = Some(compression);
        self
    }

    /// Directory listings (on by default); off answers 403 for a directory
    /// without `index.html`.
    pub fn listing(mut self, on: bool) -> StaticFiles {
        self.listing = on;
        self
    }

    /// Single-page apps: a path that matches no file gets the root
    /// `index.html` (200) instead of a 404.
    pub fn spa(mut self, on: bool) -> StaticFiles {
        self.spa = on;
        self
    }

    /// Serve and list names starting with `.` (hidden by default).
    pub fn dotfiles(mut self, on: bool) -> StaticFiles {
        self.dotfiles = on;
        self
    }

    /// Follow symlinks whose target lies outside the root (by default such
    /// links answer 404 and are not listed).
    pub fn follow_symlinks(mut self, on: bool) -> StaticFiles {
        self.follow_symlinks = on;
        self
    }

    /// `Cache-Control: public, max-age=N` on files instead of `no-cache`;
    /// `None` restores the default.
    pub fn max_age(mut self, max_age: Option<Duration>) -> StaticFiles {
        self.cache_control = match max_age {
            Some(d) => format!("public, max-age={}", d.as_secs()),
            None => DEFAULT_CACHE_CONTROL.to_string(),
        };
        self
    }

    /// Adds a header to every response (repeatable). It replaces a default
    /// header of the same name (`Cache-Control`, for instance); two extra
    /// headers with one name are both sent.
    pub fn header(mut self, name: &str, value: &str) -> StaticFiles {
        let lower = name.to_ascii_lowercase();
        if !self.extra_names.contains(&lower) {
            self.extra_names.push(lower);
        }
        self.extra_headers
            .push((name.to_string(), value.to_string()));
        self
    }

    /// `PUT /path/name` uploads (off by default): the body streams into a
    /// temporary file beside the target, renamed into place when complete
    /// (201 with `Location`; 204 when it replaced a file), so a broken
    /// upload leaves nothing. The path is resolved as reads are; the
    /// parent directory must exist (409 otherwise). Needs a handler pool
    /// ([`brisk_server::Server::handler_threads`]) to stream; without one
    /// the body is limited to the server's body limit.
    pub fn upload(mut self, on: bool) -> StaticFiles {
        self.upload = on.then(|| self.upload.unwrap_or_default());
        self
    }

    /// Uploads may replace existing files (409 otherwise).
    pub fn overwrite(mut self, on: bool) -> StaticFiles {
        if let Some(u) = &mut self.upload {
            u.overwrite = on;
        }
        self
    }

    /// The largest upload accepted: a larger `Content-Length` gets 413
    /// before any byte is read, a chunked body once it grows past it.
    pub fn max_upload(mut self, max: Option<u64>) -> StaticFiles {
        if let Some(u) = &mut self.upload {
            u.max_bytes = max;
        }
        self
    }

    /// HTTP Basic authentication for every request (or only uploads,
    /// [`Auth::uploads_only`]).
    pub fn auth(mut self, auth: Auth) -> StaticFiles {
        self.auth = auth;
        self
    }

    /// WebDAV class 1 and 2 on the tree (RFC 4918): `PROPFIND`,
    /// `PROPPATCH`, `MKCOL`, `DELETE`, `COPY`, `MOVE`, `LOCK`, `UNLOCK`,
    /// and `PUT` (turns uploads on, with overwrite: DAV clients replace
    /// files). `read_only` serves `PROPFIND` and the reads, and refuses
    /// every write with 403 (uploads are then left as they were set).
    /// Paths go through the same resolver as reads; with writes on, macOS
    /// Finder's `._NAME` and `.DS_Store` files are reachable by their exact
    /// path (never listed) even while dotfiles are hidden, because a Finder
    /// copy fails without them (`resolve/finder_names.rs`).
    pub fn webdav(mut self, on: bool, read_only: bool) -> StaticFiles {
        self.webdav = on.then(|| WebDav::new(read_only));
        if on && !read_only {
            self = self.upload(true).overwrite(true);
        }
        self
    }

    /// Whether WebDAV writes are on (the listing's folder actions).
    fn webdav_writes(&self) -> bool {
        self.webdav.as_ref().is_some_and(|dav| !dav.read_only())
    }

    fn allow(&self) -> &'static str {
        if let Some(dav) = &self.webdav {
            return dav.allow();
        }
        if self.upload.is_some() {
            ALLOW_WITH_UPLOAD
        } else {
            ALLOW
        }
    }

    /// 405, with the methods that are (`Allow`, which `refuse_early` reads).
    fn method_not_allowed(&self) -> Response {
        error(StatusCode::METHOD_NOT_ALLOWED).header("Allow", self.allow())
    }

    /// The canonical root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Answers `req` with the request path taken as a path under the root.
    pub fn serve(&self, req: &Request) -> Response {
        // Without credentials configured, not even the method is looked at.
        if self.auth.is_on() {
            if let Some(refused) = self.auth.check(req, is_upload(req)) {
                return self.finish(req, refused);
            }
        }
        let resp = self.respond(req, "", req.raw_path());
        self.finish(req, resp)
    }

    /// Answers `req` for an app that mounts the files at `prefix` (like
    /// `/assets`): `/assets/a.css` serves `ROOT/a.css`, redirects and
    /// listing links keep the prefix, `/assets` redirects to `/assets/`,
    /// and a path outside the prefix is a 404.
    pub fn serve_under(&self, prefix: &str, req: &Request) -> Response {
        let prefix = prefix.trim_end_matches('/');
        if let Some(refused) = self.auth.check(req, is_upload(req)) {
            return self.finish(req, refused);
        }
        let resp = match req.raw_path().strip_prefix(prefix) {
            Some("") if matches!(req.method(), Method::Get | Method::Head) => {
                self.redirect(&format!("{prefix}/"), req.query())
            }
            // OPTIONS and other methods on the bare prefix: as on the root.
            Some("") => self.respond(req, prefix, "/"),
            Some(rest) if rest.starts_with('/') => self.respond(req, prefix, rest),
            _ => error(StatusCode::NOT_FOUND),
        };
        self.finish(req, resp)
    }

    /// An error line dressed as a page for a client that asks for HTML
    /// (`error_page`), then the extra headers, replacing defaults of the
    /// same name.
    #[inline]
    fn finish(&self, req: &Request, resp: Response) -> Response {
        // The usual answer is neither an error nor given extra headers.
        if resp.status().as_u16() < 400 && self.extra_headers.is_empty() {
            return resp;
        }
        self.dress_and_add(req, resp)
    }

    /// [`StaticFiles::finish`] for an error or with extra headers.
    fn dress_and_add(&self, req: &Request, resp: Response) -> Response {
        let mut resp = error_page::dress(resp, req);
        if self.extra_headers.is_empty() {
            return resp;
        }
        let headers = resp.headers_mut();
        for name in &self.extra_names {
            headers.remove(name);
        }
        for (name, value) in &self.extra_headers {
            headers.append(name, value);
        }
        resp
    }

    /// 301 to `location` (already percent-encoded), keeping the query, with
    /// the site's cache policy (the `Cache-Control` files get, or
    /// [`REDIRECT_CACHE_CONTROL`] for the default `no-cache`): without one,
    /// caches would guess a lifetime for a permanent redirect, and a
    /// directory later replaced by a file would stay redirected.
    fn redirect(&self, location: &str, query: Option<&str>) -> Response {
        let location = match query {
            Some(q) => format!("{location}?{q}"),
            None => location.to_string(),
        };
        let cache_control = match self.cache_control.as_str() {
            DEFAULT_CACHE_CONTROL => REDIRECT_CACHE_CONTROL,
            site => site,
        };
        Response::text(
            StatusCode::MOVED_PERMANENTLY,
            format!("301 Moved Permanently: {location}\n"),
        )
        .header("Location", location)
        .header("Cache-Control", cache_control)
    }

    fn open_options(&self) -> OpenOptionsInside {
        OpenOptionsInside {
            follow_symlinks: self.follow_symlinks,
            dotfiles: self.dotfiles,
            // Finder's metadata files, by exact path, with WebDAV writes
            // (resolve/finder_names.rs says why).
            finder_files: self.webdav_writes(),
        }
    }

    fn respond(&self, req: &Request, prefix: &str, path: &str) -> Response {
        if let Some(dav) = &self.webdav {
            let tree = webdav::Tree {
                root: &self.root,
                root_dir: &self.root_dir,
                opts: self.open_options(),
            };
            if let Some(answered) = dav.respond(tree, req, prefix, path) {
                return answered;
            }
        }
        match req.method() {
            Method::Get | Method::Head => {}
            Method::Options => {
                return Response::new(StatusCode::NO_CONTENT).header("Allow", self.allow())
            }
            Method::Put if self.upload.is_some() => {
                let opts = self.upload.unwrap_or_default();
                return self.put(req, prefix, path, opts);
            }
            _ => return self.method_not_allowed(),
        }
        // The common case first, without allocating: a path that is its own
        // cache key (see `resolve::plain_key`) and a file in the cache.
        if let Some(key) = resolve::plain_key(path) {
            if let Some(entry) = self.cache.get(&self.root_dir, key) {
                return self.file(req, Path::new(key), Found::Cached(entry));
            }
        }
        let lexical = match resolve::normalize_for(path, self.open_options()) {
            Ok(lexical) => lexical,
            Err(ResolveError::Hidden) => return self.not_found(req),
            Err(ResolveError::NotAbsolute | ResolveError::BadSegment | ResolveError::AboveRoot) => {
                return error(StatusCode::BAD_REQUEST)
            }
        };
        let rel = lexical.rel_path();
        // The cache holds files only: a path with a trailing slash names a
        // directory, the root is one.
        let key = (!lexical.trailing_slash && !lexical.segments.is_empty())
            .then(|| lexical.segments.join("/"));
        if let Some(key) = &key {
            if let Some(entry) = self.cache.get(&self.root_dir, key) {
                return self.file(req, &rel, Found::Cached(entry));
            }
        }
        match resolve::open_inside(&self.root, Some(&self.root_dir), &rel, self.open_options()) {
            Ok(opened) if opened.meta.is_dir() => {
                self.directory(req, prefix, &lexical, &rel, &opened.file)
            }
            // "/file.txt/" names a directory that is not there.
            Ok(_) if lexical.trailing_slash => self.not_found(req),
            Ok(opened) => {
                let found = match &key {
                    Some(key) => self.remember(key, &rel, opened),
                    None => Found::from(opened),
                };
                self.file(req, &rel, found)
            }
            Err(e) => self.open_failed(req, e),
        }
    }

    /// Puts a file just opened into the cache when it qualifies (a regular
    /// file reached beneath the root without a symlink).
    fn remember(&self, key: &str, rel: &Path, opened: Opened) -> Found {
        if !opened.beneath || !opened.meta.is_file() {
            return Found::from(opened);
        }
        let last_modified =
            conditional::last_modified(&opened.meta).map(|t| (t, brisk_core::fmt_http_date(t)));
        let entry = Arc::new(cache::Entry::new(
            Arc::new(opened.file),
            opened.meta.clone(),
            content_type::for_path(rel),
            conditional::etag(&opened.meta, Encoding::Identity),
            last_modified,
        ));
        self.cache.insert(key, Arc::clone(&entry));
        Found::Cached(entry)
    }

    fn open_failed(&self, req: &Request, e: OpenError) -> Response {
        match e {
            OpenError::NotFound | OpenError::Refused => self.not_found(req),
            OpenError::Forbidden => error(StatusCode::FORBIDDEN),
            OpenError::Io(e) => {
                log::warn!("static: {} {}: {e}", req.method(), req.raw_path());
                error(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    /// 404, or the root `index.html` for single-page apps.
    fn not_found(&self, req: &Request) -> Response {
        if self.spa {
            let index = Path::new(INDEX_FILE);
            if let Ok(opened) =
                resolve::open_inside(&self.root, Some(&self.root_dir), index, self.open_options())
            {
                if opened.meta.is_file() {
                    return self.file(req, index, Found::from(opened));
                }
            }
        }
        error(StatusCode::NOT_FOUND)
    }
}

impl Handler for StaticFiles {
    fn call(&self, req: &Request) -> Response {
        self.serve(req)
    }

    /// Uploads stream to disk as they arrive.
    fn streams_body(&self, req: &Request) -> bool {
        self.upload.is_some() && matches!(req.method(), Method::Put)
    }

    /// What needs no body to refuse, so that a client waiting for
    /// `100 Continue` is not made to send one for nothing: credentials
    /// (401) and a method the directory does not take (405, as `serve`
    /// answers: the same checks, made first).
    fn refuse_early(&self, req: &Request) -> Option<Response> {
        if let Some(refused) = self.auth.check(req, is_upload(req)) {
            return Some(self.finish(req, refused));
        }
        let method = req.method().as_str();
        if !self.allow().split(", ").any(|allowed| allowed == method) {
            return Some(self.finish(req, self.method_not_allowed()));
        }
        None
    }
}

/// A request that changes the tree: what `--auth-uploads-only` guards.
fn is_upload(req: &Request) -> bool {
    webdav::is_write(req.method())
}

/// A request header, with repeated lines joined by ", " (RFC 9110 5.3).
fn field<'a>(req: &'a Request, name: &'a str) -> Option<Cow<'a, str>> {
    let mut values = req
        .headers()
        .get_all(name)
        .filter_map(|v| std::str::from_utf8(v).ok());
    let first = values.next()?;
    match values.next() {
        None => Some(Cow::Borrowed(first)),
        Some(second) => {
            let mut joined = format!("{first}, {second}");
            for v in values {
                joined.push_str(", ");
                joined.push_str(v);
            }
            Some(Cow::Owned(joined))
        }
    }
}

/// A short plain-text error page: "404 Not Found".
fn error(status: StatusCode) -> Response {
    Response::text(status, error_page::text(status, None))
}

/// [`error`] with what to do about it after the reason.
fn error_with(status: StatusCode, detail: &str) -> Response {
    Response::text(status, error_page::text(status, Some(detail)))
}

/// Turns `resp` (validators already set) into a short plain-text error.
fn into_error(mut resp: Response, status: StatusCode) -> Response {
    resp.set_status(status);
    resp.headers_mut()
        .insert("Content-Type", "text/plain; charset=utf-8");
    resp.bytes(error_page::text(status, None))
}

#[cfg(test)]
mod tests;
