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
    /// Serves the regular file `found` (found at `rel`, which names its
    /// type) or one of its precompressed siblings: validators, then the
    /// preconditions (304 / 412), then the range (206 / 416 / 200).
    pub(super) fn file(&self, req: &Request, rel: &Path, found: Found) -> Response {
        let asks = Asks::of(req);
        // Borrowed from the cache entry when there is one: no allocation.
        let content_type: Cow<'_, str> = match found.entry() {
            Some(entry) => Cow::Borrowed(&entry.content_type),
            None => Cow::Owned(content_type::for_path(rel)),
        };
        let sibling = match asks.accept_encoding {
            Some(accept) => self.negotiate(accept, rel),
            None => Sibling::default(),
        };
        let (found, coding) = match &sibling.chosen {
            Some((sibling, coding)) => (sibling, *coding),
            None => (&found, Encoding::Identity),
        };
        let mut v = Validators::of(found, coding);
        let compressible = self.compression.is_some()
            && match found.entry() {
                Some(entry) => entry.compressible,
                None => compress::is_compressible(&content_type),
            };
        let on_the_fly = match coding {
            Encoding::Identity if compressible && asks.accept_encoding.is_some() => {
                self.on_the_fly(req, &asks, rel, found, &v.etag)
            }
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
        if sibling.exists || compressible {
            headers.append("Vary", "Accept-Encoding");
        }
        if asks.conditional && answer_preconditions(req, &v, &mut resp) {
            return resp;
        }
        if let Some(how) = on_the_fly {
            resp.headers_mut().append("Content-Type", &*content_type);
            return self.compressed_body(resp, found, how);
        }
        let size = found.meta().len();
        let range = requested_range(req, &asks, &v, size);
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
        with_body(req, &mut resp, found, range, &content_type);
        resp
    }

    /// Picks the sibling `FILE.br` or `FILE.gz` the client prefers (its
    /// `Accept-Encoding` is `accept`), if one exists (and passes the same
    /// checks as the file itself).
    fn negotiate(&self, accept: &str, rel: &Path) -> Sibling {
        let mut chosen: Option<(Found, Encoding)> = None;
        let mut exists = false;
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
            exists = true;
            let rank = wanted.iter().position(|&c| c == coding);
            let better = match (&chosen, rank) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some((_, current)), Some(rank)) => {
                    wanted.iter().position(|c| c == current) > Some(rank)
                }
            };
            if better {
                chosen = Some((Found::from(sibling), coding));
            }
        }
        Sibling { chosen, exists }
    }
}

/// The precompressed siblings of a file: the one to send instead, with
/// its coding, and whether any exists (for `Vary`).
#[derive(Default)]
struct Sibling {
    chosen: Option<(Found, Encoding)>,
    exists: bool,
}

/// What a request asks of a file beyond its bytes, from one pass over its
/// fields: most ask for nothing (no coding, no range, no condition), and
/// then each step below is one branch, not a search of the fields.
pub(super) struct Asks<'a> {
    /// `Accept-Encoding`, `Range`, `If-Range`: the first field of each
    /// name, as [`Request::header`] finds it.
    pub(super) accept_encoding: Option<&'a str>,
    pub(super) range: Option<&'a str>,
    if_range: Option<&'a str>,
    /// A field named `If-...`: the preconditions are evaluated.
    pub(super) conditional: bool,
}

impl<'a> Asks<'a> {
    pub(super) fn of(req: &'a Request) -> Asks<'a> {
        let (mut accept_encoding, mut range, mut if_range) = (None, None, None);
        let mut conditional = false;
        // Only names of the right length are compared.
        let first = |slot: &mut Option<&'a [u8]>, value: &'a [u8]| {
            slot.get_or_insert(value);
        };
        for (name, value) in req.headers().iter_bytes() {
            let is = |want: &[u8]| name.eq_ignore_ascii_case(want);
            match name.len() {
                5 if is(b"range") => first(&mut range, value),
                8 if is(b"if-range") => first(&mut if_range, value),
                15 if is(b"accept-encoding") => first(&mut accept_encoding, value),
                _ => {}
            }
            conditional |= matches!(name, [b'i' | b'I', b'f' | b'F', b'-', _, ..]);
        }
        let text = |v: Option<&'a [u8]>| v.and_then(|v| std::str::from_utf8(v).ok());
        Asks {
            accept_encoding: text(accept_encoding),
            range: text(range),
            if_range: text(if_range),
            conditional,
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
        match found {
            Found::Cached(entry) => Validators {
                etag: Cow::Borrowed(&entry.etag),
                last_modified: entry.last_modified.as_ref().map(|(t, _)| *t),
                last_modified_text: entry
                    .last_modified
                    .as_ref()
                    .map(|(_, text)| Cow::Borrowed(text.as_str())),
            },
            Found::Opened { meta, .. } => {
                let t = conditional::last_modified(meta);
                Validators {
                    etag: Cow::Owned(conditional::etag(meta, coding)),
                    last_modified: t,
                    last_modified_text: t.map(|t| Cow::Owned(brisk_core::fmt_http_date(t))),
                }
            }
        }
    }
}

/// Evaluates the preconditions for `resp` (its validators already set):
/// `false` to go on, or `true` with `resp` made the 304 or 412 to send
/// instead.
pub(super) fn answer_preconditions(req: &Request, v: &Validators<'_>, resp: &mut Response) -> bool {
    match preconditions(req, v) {
        Precondition::Proceed => false,
        Precondition::NotModified => {
            resp.set_status(StatusCode::NOT_MODIFIED);
            true
        }
        Precondition::Failed => {
            let failed = std::mem::replace(resp, Response::new(StatusCode::OK));
            *resp = into_error(failed, StatusCode::PRECONDITION_FAILED);
            true
        }
    }
}

/// RFC 9110 13.2.2, for a GET or HEAD of an existing representation.
fn preconditions(req: &Request, v: &Validators<'_>) -> Precondition {
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

/// The part of the file to send: Range is defined for GET only, and
/// If-Range decides whether it still applies.
fn requested_range(req: &Request, asks: &Asks<'_>, v: &Validators<'_>, size: u64) -> RangeOutcome {
    match (req.method(), asks.range) {
        (Method::Get, Some(range)) => match asks.if_range {
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
    resp: &mut Response,
    found: &Found,
    range: RangeOutcome,
    content_type: &str,
) {
    let size = found.meta().len();
    let headers = resp.headers_mut();
    let body = match range {
        RangeOutcome::Single(r) => {
            headers.append("Content-Type", content_type);
            headers.append("Content-Range", r.content_range(size));
            resp.set_status(StatusCode::PARTIAL_CONTENT);
            Body::File(region(found.file(), r))
        }
        RangeOutcome::Multiple(ranges) => {
            let boundary = boundary();
            headers.append(
                "Content-Type",
                format!("multipart/byteranges; boundary={boundary}"),
            );
            resp.set_status(StatusCode::PARTIAL_CONTENT);
            multipart(found.file(), &ranges, size, content_type, &boundary)
        }
        RangeOutcome::Full | RangeOutcome::Unsatisfiable => {
            headers.append("Content-Type", content_type);
            match small_body(req, found, size) {
                Some(SmallBody::Cached(bytes)) => Body::Shared(bytes),
                Some(SmallBody::Read(bytes)) => Body::Bytes(bytes),
                None => Body::File(FileRegion {
                    file: Arc::clone(found.file()),
                    offset: 0,
                    len: size,
                }),
            }
        }
    };
    resp.set_body(body);
}

/// A regular file to serve: from the open-file cache (its entry holds
/// the descriptor, the metadata and maybe the bytes, borrowed from there),
/// or just opened.
pub(super) enum Found {
    Cached(Arc<cache::Entry>),
    Opened {
        file: Arc<fs::File>,
        meta: fs::Metadata,
    },
}

impl Found {
    pub(super) fn file(&self) -> &Arc<fs::File> {
        match self {
            Found::Cached(entry) => &entry.file,
            Found::Opened { file, .. } => file,
        }
    }

    pub(super) fn meta(&self) -> &fs::Metadata {
        match self {
            Found::Cached(entry) => &entry.meta,
            Found::Opened { meta, .. } => meta,
        }
    }

    /// The cache entry it is (its precomputed fields and maybe its bytes).
    pub(super) fn entry(&self) -> Option<&cache::Entry> {
        match self {
            Found::Cached(entry) => Some(entry),
            Found::Opened { .. } => None,
        }
    }
}

impl From<Opened> for Found {
    fn from(opened: Opened) -> Found {
        Found::Opened {
            file: Arc::new(opened.file),
            meta: opened.meta,
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
    if let Some(content) = found.entry().and_then(|e| e.content.as_ref()) {
        return Some(SmallBody::Cached(Arc::clone(content)));
    }
    let mut buf = vec![0; usize::try_from(size).ok()?];
    found.file().read_exact_at(&mut buf, 0).ok()?;
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
