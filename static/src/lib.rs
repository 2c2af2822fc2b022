//! # http-static: serve a directory over HTTP/1.1
//!
//! [`StaticFiles`] is an [`brisk_server::Handler`] that serves the files
//! under one directory; the `static` binary wraps it in a command line.
//! Embed it as the whole app, or mount it under a prefix next to other
//! routes with [`StaticFiles::serve_under`].
//!
//! ```
//! use brisk_server::{Headers, Method, Request, StatusCode, Version};
//! use brisk_static::StaticFiles;
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("hello.txt"), "Hello!")?;
//! let files = StaticFiles::new(dir.path())?.header("X-Content-Type-Options", "nosniff");
//!
//! // A request built by hand; the server builds them from the wire.
//! let mut headers = Headers::new();
//! headers.append("Host", "example.com");
//! let peer = "127.0.0.1:50000".parse().unwrap(); // ok: a literal
//! let req = Request::new(Method::Get, "/static/hello.txt", Version::Http11, headers, vec![], peer);
//!
//! // Mounted at /static in an app with other routes:
//! let resp = if req.raw_path().starts_with("/static/") {
//!     files.serve_under("/static", &req)
//! } else {
//!     brisk_server::Response::text(StatusCode::OK, "other routes")
//! };
//! assert_eq!(resp.status(), StatusCode::OK);
//! assert_eq!(resp.headers().get_str("Content-Type"), Some("text/plain; charset=utf-8"));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Serving a whole directory takes one line:
//!
//! ```no_run
//! let files = brisk_static::StaticFiles::new("public")?.spa(true);
//! brisk_server::Server::bind("127.0.0.1:8080")?.serve(files)?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # What it does
//!
//! - **Resolution, safe by construction** ([`resolve`]): the path is
//!   split on `/`, then each segment percent-decoded once (`%2F` is never a
//!   separator); NUL and invalid UTF-8 are refused; `.` and `..` collapse
//!   lexically and a path that would climb above the root is refused;
//!   symlinks are checked on the file actually opened and followed only
//!   inside the root ([`StaticFiles::follow_symlinks`] lifts that);
//!   dotfiles are hidden ([`StaticFiles::dotfiles`] shows them).
//! - **Directories**: 301 to the slash form (query kept), `index.html`,
//!   else a listing ([`listing`]) or 403 ([`StaticFiles::listing`]).
//! - **Files**: `Content-Type` from the name, `charset=utf-8` on text
//!   ([`content_type`]); `ETag`, `Last-Modified` and `Cache-Control:
//!   no-cache` ([`StaticFiles::max_age`]); preconditions in RFC 9110 order
//!   ([`conditional`]); single and multiple ranges with the
//!   anti-amplification rule ([`range`]); precompressed `FILE.br` /
//!   `FILE.gz` siblings with a distinct ETag each ([`encoding`]). Bodies
//!   are file regions, sent by the server with `sendfile(2)`.
//! - **Methods**: GET and HEAD; OPTIONS answers `Allow`; PUT uploads when
//!   [`StaticFiles::upload`] is on (streamed to a temporary file, renamed
//!   into place); others 405.
//! - **WebDAV** ([`StaticFiles::webdav`]): class 1 and 2 (RFC 4918), so
//!   rclone, davfs2, Windows and macOS can mount the tree; litmus passes.
//!   Every path, `Destination` included, goes through the same resolver;
//!   with writes on, Finder's `._NAME` and `.DS_Store` are reachable by
//!   exact path (never listed), since a Finder copy fails without them.
//! - **Basic authentication** ([`Auth`], [`StaticFiles::auth`]): for
//!   every request or only uploads; constant-time comparison, 401 with
//!   `WWW-Authenticate`.
//! - **SPA** ([`StaticFiles::spa`]): a missing path gets the root
//!   `index.html`.
//! - **Archives** ([`StaticFiles::archives`], [`archive`]):
//!   `?download=tar|tar_gz|zip` on a directory streams what its listing
//!   shows, recursively, as one archive, in bounded memory.
//! - **Access log** ([`access_log`]): the combined log format line for a
//!   completed request, for the server's completion hook.
//!
//! The library never prints; problems it cannot answer with a status go to
//! the `log` crate.
#![forbid(unsafe_code)]

pub mod access_log;
pub mod archive;
pub mod auth;
mod cache;
pub mod conditional;
pub mod content_type;
pub mod encoding;
mod error_page;
mod handler;
pub mod listing;
mod listing_actions;
pub mod live_reload;
pub mod range;
pub mod resolve;
mod timefmt;
mod variants;
mod webdav;

/// Internals reached only by the fuzz targets (`fuzz/`); not an API.
#[doc(hidden)]
pub mod fuzzing {
    /// Every WebDAV parser of untrusted input (XML bodies, `If`,
    /// `Timeout`) on `bytes`; panics on a broken invariant.
    pub fn webdav_input(bytes: &[u8]) {
        crate::webdav::fuzz_input(bytes)
    }
}

pub use auth::Auth;
pub use handler::{StaticFiles, ALLOW, ALLOW_WITH_UPLOAD, DEFAULT_CACHE_CONTROL};
pub use webdav::{ALLOW_WEBDAV, ALLOW_WEBDAV_READ_ONLY};
