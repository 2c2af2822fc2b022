//! WebDAV class 1 and 2 (RFC 4918) on the served tree: `static --webdav`.
//!
//! The split is Apache's (mod_dav above mod_dav_fs): the protocol and its
//! XML here and in the method modules, the file system below in
//! [`store`] and [`props_store`], and the safe resolver
//! ([`crate::resolve`]) the only way from a request to a path.
//!
//! ```text
//! StaticFiles::respond --(--webdav)--> WebDav::respond
//!   OPTIONS                      DAV: 1, 2 and the methods
//!   GET, HEAD                    None: the static handler serves them
//!   PUT                          If header and locks checked here, then None: upload.rs writes
//!   PROPFIND                     propfind.rs   (Depth 0 and 1; infinity refused, 403)
//!   PROPPATCH                    proppatch.rs  (dead properties, atomic)
//!   MKCOL, DELETE, COPY, MOVE    write.rs      (collections, Destination, Overwrite)
//!   LOCK, UNLOCK                 lock.rs       (locks.rs: the table; 7.3 empty resources)
//! every write: --webdav-read-only -> 403; If header (if_header.rs) -> 412; a lock
//!              whose token was not submitted -> 423
//! ```
//!
//! Request bodies are parsed by [`xml`] (no DTD, bounded); responses are
//! written as text with every value escaped.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use brisk_core::{Method, StatusCode};
use brisk_server::{Request, Response};

mod if_header;
mod lock;
mod locks;
mod propfind;
mod proppatch;
mod props_store;
mod store;
mod write;
mod xml;

pub(crate) use props_store::carry_over as carry_dead_props;
pub(crate) use store::Tree;

use crate::conditional;
use crate::encoding::Encoding;
use crate::resolve::{self, Lexical, OpenError, ResolveError};
use locks::LockTable;

/// The methods with WebDAV on.
pub const ALLOW_WEBDAV: &str =
    "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK";
/// The methods with WebDAV read-only.
pub const ALLOW_WEBDAV_READ_ONLY: &str = "OPTIONS, GET, HEAD, PROPFIND";

/// WebDAV settings and state, shared by the handler's clones.
#[derive(Debug, Clone)]
pub(crate) struct WebDav {
    read_only: bool,
    locks: Arc<LockTable>,
}

impl WebDav {
    pub(crate) fn new(read_only: bool) -> WebDav {
        WebDav {
            read_only,
            locks: Arc::default(),
        }
    }

    pub(crate) fn read_only(&self) -> bool {
        self.read_only
    }

    pub(crate) fn allow(&self) -> &'static str {
        if self.read_only {
            ALLOW_WEBDAV_READ_ONLY
        } else {
            ALLOW_WEBDAV
        }
    }

    /// Answers a request for `path` (under `prefix`), or `None` to let the
    /// static handler answer it (reads, and `PUT` once checked).
    pub(crate) fn respond(
        &self,
        tree: Tree<'_>,
        req: &Request,
        prefix: &str,
        path: &str,
    ) -> Option<Response> {
        let method = req.method();
        if matches!(method, Method::Get | Method::Head) {
            return None;
        }
        if *method == Method::Options {
            return Some(
                Response::new(StatusCode::OK)
                    .header("DAV", "1, 2")
                    .header("MS-Author-Via", "DAV")
                    .header("Allow", self.allow())
                    .header("Content-Length", "0"),
            );
        }
        let name = method.as_str();
        let is_read = name == "PROPFIND";
        let known = is_read || is_write(method);
        if !known {
            return Some(error(StatusCode::METHOD_NOT_ALLOWED).header("Allow", self.allow()));
        }
        if self.read_only && !is_read {
            return Some(error(StatusCode::FORBIDDEN));
        }
        let lexical = match resolve::normalize_for(path, tree.opts) {
            Ok(l) => l,
            Err(ResolveError::Hidden) if is_read => return Some(error(StatusCode::NOT_FOUND)),
            Err(ResolveError::Hidden) => return Some(error(StatusCode::FORBIDDEN)),
            Err(_) => return Some(error(StatusCode::BAD_REQUEST)),
        };
        let ctx = Ctx {
            dav: self,
            tree,
            req,
            prefix,
            now: Instant::now(),
        };
        match name {
            "PROPFIND" => Some(propfind::propfind(&ctx, &lexical)),
            "PROPPATCH" => Some(proppatch::proppatch(&ctx, &lexical)),
            "MKCOL" => Some(write::mkcol(&ctx, &lexical)),
            "DELETE" => Some(write::delete(&ctx, &lexical)),
            "COPY" => Some(write::copy_or_move(&ctx, &lexical, false)),
            "MOVE" => Some(write::copy_or_move(&ctx, &lexical, true)),
            "LOCK" => Some(lock::lock(&ctx, &lexical)),
            "UNLOCK" => Some(lock::unlock(&ctx, &lexical)),
            // PUT: checked here, written by the upload code.
            _ => ctx.check_write(&lexical.segments, false, true).err(),
        }
    }
}

/// The fuzz target's entry (`fuzz/fuzz_targets/webdav_body.rs`): every
/// parser of untrusted WebDAV input on the same bytes. None may panic, and a
/// parsed element written back parses to itself.
pub(crate) fn fuzz_input(bytes: &[u8]) {
    if let Ok(Some(root)) = xml::parse(bytes) {
        let again = xml::parse(root.to_xml().as_bytes());
        assert_eq!(again, Ok(Some(root)), "to_xml round trip");
    }
    propfind::fuzz_body(bytes);
    proppatch::fuzz_body(bytes);
    lock::fuzz_body(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Ok(lists) = if_header::parse(text) {
            let _ = if_header::submitted(&lists);
            let _ = if_header::holds(&lists, |_| if_header::State {
                etag: Some("\"e\"".into()),
                tokens: vec!["t".into()],
            });
        }
        let _ = locks::parse_timeout(Some(text));
    }
}

/// Whether `method` changes the tree (what `--webdav-read-only` refuses and
/// `--auth-uploads-only` asks credentials for).
pub(crate) fn is_write(method: &Method) -> bool {
    matches!(
        method,
        Method::Put | Method::Delete | Method::Post | Method::Patch
    ) || matches!(
        method.as_str(),
        "PROPPATCH" | "MKCOL" | "COPY" | "MOVE" | "LOCK" | "UNLOCK"
    )
}

/// One request's context for the method modules.
pub(super) struct Ctx<'a> {
    pub dav: &'a WebDav,
    pub tree: Tree<'a>,
    pub req: &'a Request,
    pub prefix: &'a str,
    pub now: Instant,
}

impl Ctx<'_> {
    /// The URL path of a resource, percent-encoded, with the mount prefix;
    /// collections end with `/`.
    fn href(&self, segs: &[String], collection: bool) -> String {
        let lexical = Lexical {
            segments: segs.to_vec(),
            trailing_slash: collection,
        };
        format!("{}{}", self.prefix, lexical.url_path())
    }

    /// Checks a write to `segs` against the `If` header (412 when it does
    /// not hold) and the locks (423 when one's token was not submitted).
    /// `subtree`: the whole collection is changed (DELETE, MOVE, a replaced
    /// destination); `membership`: a member is added or removed.
    fn check_write(
        &self,
        segs: &[String],
        subtree: bool,
        membership: bool,
    ) -> Result<(), Response> {
        let lists = self.if_lists()?;
        if let Some(lists) = &lists {
            if !self.if_holds(lists, segs) {
                return Err(error(StatusCode::PRECONDITION_FAILED));
            }
        }
        let submitted = lists
            .as_deref()
            .map(if_header::submitted)
            .unwrap_or_default();
        let key = key(segs);
        let affecting = self
            .dav
            .locks
            .affecting(&key, subtree, membership, self.now);
        match affecting.iter().find(|l| !submitted.contains(&l.token)) {
            None => Ok(()),
            Some(l) => Err(lock_token_submitted(&l.root_href)),
        }
    }

    /// The parsed `If` header; `None` when absent; 400 when malformed.
    fn if_lists(&self) -> Result<Option<Vec<if_header::List>>, Response> {
        match self.req.header("if") {
            None => Ok(None),
            Some(v) => if_header::parse(v)
                .map(Some)
                .map_err(|_| error(StatusCode::BAD_REQUEST)),
        }
    }

    /// Whether the `If` lists hold, the untagged ones about `segs`.
    fn if_holds(&self, lists: &[if_header::List], segs: &[String]) -> bool {
        if_header::holds(lists, |tag| {
            let target = match tag {
                None => Some(segs.to_vec()),
                Some(url) => self.url_segments(url).ok().map(|l| l.segments),
            };
            match target {
                Some(t) => if_header::State {
                    etag: self.etag(&t),
                    tokens: self
                        .dav
                        .locks
                        .covering(&key(&t), self.now)
                        .into_iter()
                        .map(|l| l.token)
                        .collect(),
                },
                None => if_header::State {
                    etag: None,
                    tokens: Vec::new(),
                },
            }
        })
    }

    /// The entity tag a GET of the resource gives, if it exists.
    fn etag(&self, segs: &[String]) -> Option<String> {
        match self.tree.open(segs) {
            Ok(Some(o)) => Some(conditional::etag(&o.meta, Encoding::Identity)),
            _ => None,
        }
    }

    /// A URL of this server (absolute, or an absolute path) as a resource
    /// under the mount: the `Destination` header and `If` tags. An other
    /// host is a 502 (RFC 4918 9.8.5); a path outside the mount, or one
    /// the resolver refuses, a 403.
    fn url_segments(&self, url: &str) -> Result<Lexical, Response> {
        let path = match url.split_once("://") {
            Some((scheme, rest)) => {
                if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
                    return Err(error(StatusCode::BAD_GATEWAY));
                }
                let (authority, path) = match rest.find('/') {
                    Some(i) => rest.split_at(i),
                    None => (rest, "/"),
                };
                let host = self.req.header("host").unwrap_or("");
                if !same_authority(scheme, authority, host) {
                    return Err(error(StatusCode::BAD_GATEWAY));
                }
                path
            }
            None => url,
        };
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let Some(rest) = path.strip_prefix(self.prefix) else {
            return Err(error(StatusCode::FORBIDDEN));
        };
        let rest = if rest.is_empty() { "/" } else { rest };
        if !rest.starts_with('/') {
            return Err(error(StatusCode::FORBIDDEN));
        }
        resolve::normalize_for(rest, self.tree.opts).map_err(|_| error(StatusCode::FORBIDDEN))
    }
}

/// Whether a URL's authority names the server the request's `Host` does
/// (case-insensitively; the scheme's default port may be left out).
fn same_authority(scheme: &str, authority: &str, host: &str) -> bool {
    let default = if scheme.eq_ignore_ascii_case("https") {
        ":443"
    } else {
        ":80"
    };
    let bare = |s: &str| -> String {
        let s = s.to_ascii_lowercase();
        s.strip_suffix(default).map_or(s.clone(), str::to_string)
    };
    bare(authority) == bare(host)
}

/// A resource's key in the lock table.
pub(super) fn key(segs: &[String]) -> String {
    segs.join("/")
}

/// A short plain-text error.
pub(super) fn error(status: StatusCode) -> Response {
    Response::text(status, format!("{} {}\n", status.as_u16(), status.reason()))
}

/// The status for a resolver refusal.
pub(super) fn open_status(e: &OpenError) -> StatusCode {
    match e {
        OpenError::NotFound | OpenError::Refused => StatusCode::NOT_FOUND,
        OpenError::Forbidden => StatusCode::FORBIDDEN,
        OpenError::Io(e) => io_status(e),
    }
}

/// The status for a failed file system call.
pub(super) fn io_status(e: &std::io::Error) -> StatusCode {
    use rustix::io::Errno;
    match Errno::from_io_error(e) {
        Some(Errno::NOSPC | Errno::DQUOT) => StatusCode::INSUFFICIENT_STORAGE,
        Some(Errno::ACCESS | Errno::PERM | Errno::ROFS) => StatusCode::FORBIDDEN,
        Some(Errno::NOENT | Errno::NOTDIR) => StatusCode::CONFLICT,
        Some(Errno::EXIST) => StatusCode::PRECONDITION_FAILED,
        _ => {
            log::warn!("static: webdav: {e}");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// An XML body with its type.
pub(super) fn xml_response(status: StatusCode, body: String) -> Response {
    Response::new(status)
        .header("Content-Type", "application/xml; charset=utf-8")
        .bytes(body)
}

/// The XML declaration and the start of a `DAV:` document.
pub(super) const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

/// An error body with one precondition element (RFC 4918 16).
pub(super) fn precondition(status: StatusCode, inner: &str) -> Response {
    xml_response(
        status,
        format!("{XML_HEAD}<D:error xmlns:D=\"DAV:\">{inner}</D:error>\n"),
    )
}

/// 423 naming the lock whose token was missing.
fn lock_token_submitted(root_href: &str) -> Response {
    precondition(
        StatusCode::LOCKED,
        &format!(
            "<D:lock-token-submitted><D:href>{}</D:href></D:lock-token-submitted>",
            xml::escape(root_href)
        ),
    )
}

/// A 207 body being written: one `response` element after another.
pub(super) struct Multistatus {
    body: String,
}

impl Multistatus {
    pub fn new() -> Multistatus {
        let mut body = String::with_capacity(4096);
        body.push_str(XML_HEAD);
        body.push_str("<D:multistatus xmlns:D=\"DAV:\">\n");
        Multistatus { body }
    }

    /// A `response` with one status for the resource.
    pub fn status(&mut self, href: &str, status: StatusCode) {
        let _ = writeln!(
            self.body,
            "<D:response><D:href>{}</D:href><D:status>HTTP/1.1 {} {}</D:status></D:response>",
            xml::escape(href),
            status.as_u16(),
            status.reason()
        );
    }

    /// A `response` with `propstat` groups: (status, the properties' XML).
    pub fn propstats(&mut self, href: &str, groups: &[(StatusCode, String)]) {
        let _ = write!(
            self.body,
            "<D:response><D:href>{}</D:href>",
            xml::escape(href)
        );
        for (status, props) in groups {
            let _ = write!(
                self.body,
                "<D:propstat><D:prop>{props}</D:prop><D:status>HTTP/1.1 {} {}</D:status></D:propstat>",
                status.as_u16(),
                status.reason()
            );
        }
        self.body.push_str("</D:response>\n");
    }

    pub fn finish(mut self) -> Response {
        self.body.push_str("</D:multistatus>\n");
        xml_response(StatusCode::MULTI_STATUS, self.body)
    }
}

#[cfg(test)]
mod tests;
