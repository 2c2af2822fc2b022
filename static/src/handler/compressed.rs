//! On-the-fly compression of a file that has no precompressed sibling
//! for the client's codings: small files from the variant cache (or
//! compressed once and put there), big ones compressed as they are sent,
//! in bounded slices ([`brisk_server::compress::SLICE_BYTES`]).

use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use brisk_core::accept_encoding::Coding;
use brisk_core::{Method, StatusCode};
use brisk_server::{FileRegion, Request, Response};

use super::file::{Asks, Found};
use super::{into_error, StaticFiles};
use crate::cache::SETTLE;
use crate::variants::{Variant, MAX_FILE_BYTES};

/// How a file is compressed for this request.
pub(super) enum OnTheFly {
    /// The encoded bytes, whole (a small file).
    Bytes(Coding, Arc<Variant>),
    /// Encoded as the socket takes it (a big file).
    Stream(Coding),
}

impl OnTheFly {
    pub(super) fn coding(&self) -> Coding {
        match self {
            OnTheFly::Bytes(c, _) | OnTheFly::Stream(c) => *c,
        }
    }
}

impl StaticFiles {
    /// The on-the-fly coding for `found` (identity tag `etag`), if any:
    /// compression on, the client accepts a coding, no range asked for
    /// (ranges come from the identity bytes), the file big enough, and
    /// (for a small file) the coding makes it smaller.
    pub(super) fn on_the_fly(
        &self,
        req: &Request,
        asks: &Asks<'_>,
        rel: &Path,
        found: &Found,
        etag: &str,
    ) -> Option<OnTheFly> {
        let compression = self.compression.as_ref()?;
        if *req.method() == Method::Get && asks.range.is_some() {
            return None;
        }
        let size = found.meta().len();
        if size < compression.current_min_bytes() {
            return None;
        }
        let coding = compression.negotiate(req)?;
        if size > MAX_FILE_BYTES {
            return Some(OnTheFly::Stream(coding));
        }
        let key = rel.to_string_lossy();
        let cached = match self.variants_on {
            true => self.variants.get(&key, etag, coding),
            false => None,
        };
        let variant = match cached {
            Some(v) => v,
            None => {
                let v = Arc::new(self.encode_small(found, coding)?);
                if self.variants_on && settled(found.meta()) {
                    self.variants.insert(&key, etag, coding, Arc::clone(&v));
                }
                v
            }
        };
        match *variant {
            Variant::Encoded(_) => Some(OnTheFly::Bytes(coding, variant)),
            Variant::NotSmaller => None,
        }
    }

    /// A small file encoded whole; `None` when it cannot be read in full
    /// (it changed under us: serve it as it is).
    fn encode_small(&self, found: &Found, coding: Coding) -> Option<Variant> {
        let compression = self.compression.as_ref()?;
        let cached = found.entry().and_then(|e| e.content.as_ref());
        let read;
        let identity: &[u8] = match cached {
            Some(content) => content,
            None => {
                let mut buf = vec![0; usize::try_from(found.meta().len()).ok()?];
                found.file().read_exact_at(&mut buf, 0).ok()?;
                read = buf;
                &read
            }
        };
        let encoded = compression.encode_bytes(coding, identity).ok()?;
        Some(if encoded.len() < identity.len() {
            Variant::Encoded(encoded)
        } else {
            Variant::NotSmaller
        })
    }

    /// `resp` with the compressed body: the same for GET and HEAD (the
    /// server drops HEAD's body), so both get one head.
    pub(super) fn compressed_body(&self, resp: Response, found: &Found, how: OnTheFly) -> Response {
        let mut resp = resp.header("Content-Encoding", how.coding().token());
        match how {
            OnTheFly::Bytes(_, variant) => match &*variant {
                Variant::Encoded(bytes) => resp.bytes(bytes.clone()),
                Variant::NotSmaller => resp, // not returned by on_the_fly
            },
            OnTheFly::Stream(coding) => {
                let region = FileRegion {
                    file: Arc::clone(found.file()),
                    offset: 0,
                    len: found.meta().len(),
                };
                let compression = self.compression.as_ref();
                match compression.map(|c| c.encode_file(coding, region)) {
                    Some(Ok(stream)) => resp.with_body(brisk_server::Body::Stream(stream)),
                    // Only deflate has no encoder, and it is never chosen.
                    _ => {
                        resp.headers_mut().remove("Content-Encoding");
                        into_error(resp, StatusCode::INTERNAL_SERVER_ERROR)
                    }
                }
            }
        }
    }
}

/// Whether the file was left alone for [`SETTLE`] (its mtime and ctime
/// older than that), so its tag names its bytes for sure.
fn settled(meta: &std::fs::Metadata) -> bool {
    let Ok(now) = SystemTime::now().duration_since(UNIX_EPOCH) else {
        return false;
    };
    let newest = meta.mtime().max(meta.ctime());
    let Ok(newest) = u64::try_from(newest) else {
        return false;
    };
    now.saturating_sub(Duration::from_secs(newest)) > SETTLE
}
