//! Regular files: validators, preconditions, ranges and the body, from
//! the file itself or its precompressed sibling.

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::fs;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use brisk_core::{Method, StatusCode};
use brisk_server::{compress, Body, BodyPart, FileRegion, Request, Response};

use super::{field, into_error, StaticFiles, SMALL_FILE_BYTES};
use crate::cache;
use crate::conditional::{self, Conditions, Precondition};
use crate::content_type;
use crate::encoding::{self, Encoding};
use crate::range::{self, ByteRange, RangeOutcome};
use crate::resolve::{self, Opened};

impl StaticFiles {
    /// Serves the regular file `opened` (found at `rel`, which names its
    /// type) or one of its precompressed siblings: validators, then the
    /// preconditions (304 / 412), then the range (206 / 416 / 200).
    pub(super) fn file(&self, req: &Request, rel: &Path, found: Found) -> Response {
        // Borrowed from the cache entry when there is one: no allocation.
        let entry = found.cached.clone();
        let content_type: Cow<'_, str> = match &entry {
            Some(entry) => Cow::Borrowed(&entry.content_type),
            None => Cow::Owned(content_type::for_path(rel)),
        };
        let (found, coding, has_siblings) = self.negotiate(req, rel, found);
        let mut v = Validators::of(&found, coding);
        let compressible = self.compression.is_some()
            && match &entry {
                Some(entry) => entry.compressible,
                None => compress::is_compressible(&content_type),
            };
        let on_the_fly = match coding {
            Encoding::Identity if compressible => self.on_the_fly(req, rel, &found, &v.etag),
            _ => None,
        };
        if let Some(how) = &on_the_fly {
            v.etag = Cow::Owned(compress::variant_etag(&v.etag, how.coding()));
        }
        // One response, its status and body decided below.
        let mut resp = Response::new(StatusCode::OK);
        let headers = resp.headers_mut();
        headers.append("ETag", &*v.etag);
        if let Some(lm) = &v.last_modified_text {
            headers.append("Last-Modified", &**lm);
        }
        headers.append("Cache-Control", &self.cache_control);
        if has_siblings || compressible {
            headers.append("Vary", "Accept-Encoding");
        }
        let mut resp = match answer_preconditions(req, &v, resp) {
            Ok(resp) => resp,
            Err(answered) => return answered,
        };
        if let Some(how) = on_the_fly {
            resp.headers_mut().append("Content-Type", &*content_type);
            return self.compressed_body(resp, &found, how);
        }
        let size = found.meta.len();
        let range = requested_range(req, &v, size);
        if range == RangeOutcome::Unsatisfiable {
            resp.headers_mut()
                .append("Content-Range", format!("bytes */{size}"));
            return into_error(resp, StatusCode::RANGE_NOT_SATISFIABLE);
        }
        let headers = resp.headers_mut();
        headers.append("Accept-Ranges", "bytes");
        if coding != Encoding::Identity {
            headers.append("Content-Encoding", coding.token());
        }
        with_body(req, resp, &found, range, &content_type)
    }

    /// Picks the sibling `FILE.br` or `FILE.gz` the client prefers, if one
    /// exists (and passes the same checks as the file itself). Returns the
    /// file to send, its coding, and whether any sibling exists (for Vary).
    fn negotiate(&self, req: &Request, rel: &Path, found: Found) -> (Found, Encoding, bool) {
        let Some(accept) = req.header("Accept-Encoding") else {
            return (found, Encoding::Identity, false);
        };
        let mut chosen: Option<(Opened, Encoding)> = None;
        let mut has_siblings = false;
        let wanted = encoding::preferred(Some(accept));
        for coding in [Encoding::Brotli, Encoding::Gzip] {
            let mut name = rel.as_os_str().to_owned();
            name.push(coding.extension());
            let Ok(sibling) = resolve::open_inside(
                &self.root,
                Some(&self.root_dir),
                Path::new(&name),
                self.open_options(),
            ) else {
                continue;
            };
            if !sibling.meta.is_file() {
                continue;
            }
            has_siblings = true;
            let rank = wanted.iter().position(|&c| c == coding);
            let better = match (&chosen, rank) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some((_, current)), Some(rank)) => {
                    wanted.iter().position(|c| c == current) > Some(rank)
                }
            };
            if better {
                chosen = Some((sibling, coding));
            }
        }
        match chosen {
            Some((sibling, coding)) => (Found::from(sibling), coding, true),
            None => (found, Encoding::Identity, has_siblings),
        }
    }
}

/// The validators of the representation being served: borrowed from the
/// open-file cache's entry when it is one.
pub(super) struct Validators<'a> {
    pub(super) etag: Cow<'a, str>,
    pub(super) last_modified: Option<std::time::SystemTime>,
    pub(super) last_modified_text: Option<Cow<'a, str>>,
}

impl Validators<'static> {
    /// An entity tag and, if known, the modification time.
    pub(super) fn new(
        etag: String,
        last_modified: Option<std::time::SystemTime>,
    ) -> Validators<'static> {
        Validators {
            etag: Cow::Owned(etag),
            last_modified,
            last_modified_text: last_modified.map(|t| Cow::Owned(brisk_core::fmt_http_date(t))),
        }
    }
}

impl Validators<'_> {
    fn of(found: &Found, coding: Encoding) -> Validators<'_> {
        // A cached entry is the identity coding (a sibling comes uncached).
        match &found.cached {
            Some(entry) => Validators {
                etag: Cow::Borrowed(&entry.etag),
                last_modified: entry.last_modified.as_ref().map(|(t, _)| *t),
                last_modified_text: entry
                    .last_modified
                    .as_ref()
                    .map(|(_, text)| Cow::Borrowed(text.as_str())),
            },
            None => {
                let t = conditional::last_modified(&found.meta);
                Validators {
                    etag: Cow::Owned(conditional::etag(&found.meta, coding)),
                    last_modified: t,
                    last_modified_text: t.map(|t| Cow::Owned(brisk_core::fmt_http_date(t))),
                }
            }
        }
    }
}

/// Evaluates the preconditions for `resp` (its validators already set):
/// `Ok(resp)` to go on, or `Err` with the 304 or 412 to send instead.
pub(super) fn answer_preconditions(
    req: &Request,
    v: &Validators<'_>,
    mut resp: Response,
) -> Result<Response, Response> {
    match preconditions(req, v) {
        Precondition::Proceed => Ok(resp),
        Precondition::NotModified => {
            resp.set_status(StatusCode::NOT_MODIFIED);
            Err(resp)
        }
        Precondition::Failed => Err(into_error(resp, StatusCode::PRECONDITION_FAILED)),
    }
}

/// RFC 9110 13.2.2, for a GET or HEAD of an existing representation.
fn preconditions(req: &Request, v: &Validators<'_>) -> Precondition {
    if !has_conditionals(req) {
        return Precondition::Proceed;
    }
    let if_match = field(req, "If-Match");
    let if_none_match = field(req, "If-None-Match");
    let conditions = Conditions {
        if_match: if_match.as_deref(),
        if_none_match: if_none_match.as_deref(),
        if_modified_since: req.header("If-Modified-Since"),
        if_unmodified_since: req.header("If-Unmodified-Since"),
    };
    conditional::evaluate(&conditions, true, &v.etag, v.last_modified)
}

/// Whether a field name starts with `If-`: one pass over the fields, where
/// most requests carry no condition, instead of four lookups.
fn has_conditionals(req: &Request) -> bool {
    req.headers()
        .iter_bytes()
        .any(|(name, _)| name.len() > 3 && name[..3].eq_ignore_ascii_case(b"if-"))
}

/// The part of the file to send: Range is defined for GET only, and
/// If-Range decides whether it still applies.
fn requested_range(req: &Request, v: &Validators<'_>, size: u64) -> RangeOutcome {
    match (req.method(), req.header("Range")) {
        (Method::Get, Some(range)) => match req.header("If-Range") {
            Some(value) if !conditional::if_range(value, &v.etag, v.last_modified) => {
                RangeOutcome::Full
            }
            _ => range::evaluate(range, size),
        },
        _ => RangeOutcome::Full,
    }
}

/// Gives `resp` its status, `Content-Type` and body for `range` (any
/// outcome but `Unsatisfiable`, which the caller answered).
fn with_body(
    req: &Request,
    mut resp: Response,
    found: &Found,
    range: RangeOutcome,
    content_type: &str,
) -> Response {
    let size = found.meta.len();
    let file = Arc::clone(&found.file);
    match range {
        RangeOutcome::Single(r) => {
            resp.set_status(StatusCode::PARTIAL_CONTENT);
            resp.headers_mut().append("Content-Type", content_type);
            resp.headers_mut()
                .append("Content-Range", r.content_range(size));
            resp.file(region(&file, r))
        }
        RangeOutcome::Multiple(ranges) => {
            let boundary = boundary();
            resp.set_status(StatusCode::PARTIAL_CONTENT);
            resp.headers_mut().append(
                "Content-Type",
                format!("multipart/byteranges; boundary={boundary}"),
            );
            resp.with_body(multipart(&file, &ranges, size, content_type, &boundary))
        }
        RangeOutcome::Full | RangeOutcome::Unsatisfiable => {
            resp.headers_mut().append("Content-Type", content_type);
            match small_body(req, found, size) {
                Some(SmallBody::Cached(bytes)) => resp.shared_bytes(bytes),
                Some(SmallBody::Read(bytes)) => resp.bytes(bytes),
                None => resp.file(FileRegion {
                    file,
                    offset: 0,
                    len: size,
                }),
            }
        }
    }
}

/// A regular file to serve: just opened, or from the open-file cache.
pub(super) struct Found {
    pub(super) file: Arc<fs::File>,
    pub(super) meta: fs::Metadata,
    /// The cache entry it is (its precomputed fields and maybe its bytes).
    pub(super) cached: Option<Arc<cache::Entry>>,
}

impl Found {
    pub(super) fn cached(entry: Arc<cache::Entry>) -> Found {
        Found {
            file: Arc::clone(&entry.file),
            meta: entry.meta.clone(),
            cached: Some(entry),
        }
    }
}

impl From<Opened> for Found {
    fn from(opened: Opened) -> Found {
        Found {
            file: Arc::new(opened.file),
            meta: opened.meta,
            cached: None,
        }
    }
}

/// A small file's bytes: the cache's (shared, not copied) or read now.
enum SmallBody {
    Cached(Arc<[u8]>),
    Read(Vec<u8>),
}

/// The whole body of a small file for a GET: the cached bytes, or read
/// now; `None` (send the file region) for HEAD, big files, or when the
/// read comes up short (the file changed: the server's file path handles
/// that).
fn small_body(req: &Request, found: &Found, size: u64) -> Option<SmallBody> {
    use std::os::unix::fs::FileExt;
    if size > SMALL_FILE_BYTES || *req.method() != Method::Get {
        return None;
    }
    if let Some(content) = found.cached.as_ref().and_then(|e| e.content.as_ref()) {
        return Some(SmallBody::Cached(Arc::clone(content)));
    }
    let mut buf = vec![0; usize::try_from(size).ok()?];
    found.file.read_exact_at(&mut buf, 0).ok()?;
    Some(SmallBody::Read(buf))
}

fn region(file: &Arc<std::fs::File>, r: ByteRange) -> FileRegion {
    FileRegion {
        file: Arc::clone(file),
        offset: r.first,
        len: r.len(),
    }
}

/// A boundary no file is likely to contain: 32 hex digits from a
/// randomly keyed hash of a counter.
fn boundary() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let state = RandomState::new();
    let mut a = state.build_hasher();
    a.write_u64(n);
    let mut b = state.build_hasher();
    b.write_u64(!n);
    format!("{:016x}{:016x}", a.finish(), b.finish())
}

/// `multipart/byteranges` (RFC 9110 14.6): part heads as bytes, part
/// bodies as file regions, sent in order.
fn multipart(
    file: &Arc<std::fs::File>,
    ranges: &[ByteRange],
    size: u64,
    content_type: &str,
    boundary: &str,
) -> Body {
    let mut parts = Vec::with_capacity(ranges.len() * 2 + 1);
    for r in ranges {
        let head = format!(
            "\r\n--{boundary}\r\nContent-Type: {content_type}\r\nContent-Range: {}\r\n\r\n",
            r.content_range(size)
        );
        parts.push(BodyPart::Bytes(head.into_bytes()));
        parts.push(BodyPart::File(region(file, *r)));
    }
    parts.push(BodyPart::Bytes(
        format!("\r\n--{boundary}--\r\n").into_bytes(),
    ));
    Body::Parts(parts)
}
