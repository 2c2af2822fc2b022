//! `MKCOL`, `DELETE`, `COPY` and `MOVE` (RFC 4918 9.3, 9.6, 9.8, 9.9).
//!
//! ```text
//! MKCOL   body -> 415; exists -> 405; no parent collection -> 409; -> 201
//! DELETE  missing -> 404; the root -> 403; members that fail -> 207 listing them; -> 204
//! COPY    Destination (same origin, under the mount, resolvable) else 502 / 403;
//! MOVE    same as source or inside it -> 403; no parent -> 409;
//!         exists and Overwrite: F -> 412; -> 201 created, 204 replaced
//! ```

use brisk_core::StatusCode;
use brisk_server::Response;

use super::store::{self, Depth};
use super::{error, io_status, key, open_status, Ctx, Multistatus};
use crate::resolve::Lexical;

pub(super) fn mkcol(ctx: &Ctx<'_>, lexical: &Lexical) -> Response {
    if !ctx.req.body().is_empty() || ctx.req.is_streamed() {
        return error(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
    let slot = match ctx.tree.slot(&lexical.segments) {
        Ok(Some(slot)) => slot,
        Ok(None) if lexical.segments.is_empty() => return error(StatusCode::METHOD_NOT_ALLOWED),
        Ok(None) => return error(StatusCode::CONFLICT),
        Err(e) => return error(open_status(&e)),
    };
    match store::kind_at(&slot) {
        Ok(None) => {}
        Ok(Some(_)) => return error(StatusCode::METHOD_NOT_ALLOWED),
        Err(e) => return error(io_status(&e)),
    }
    if let Err(refused) = ctx.check_write(&lexical.segments, false, true) {
        return refused;
    }
    match store::make_collection(&slot) {
        Ok(()) => Response::new(StatusCode::CREATED),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            error(StatusCode::METHOD_NOT_ALLOWED)
        }
        Err(e) => error(io_status(&e)),
    }
}

pub(super) fn delete(ctx: &Ctx<'_>, lexical: &Lexical) -> Response {
    if lexical.segments.is_empty() {
        return error(StatusCode::FORBIDDEN);
    }
    let is_dir = match ctx.tree.open(&lexical.segments) {
        Ok(Some(o)) => o.meta.is_dir(),
        Ok(None) => return error(StatusCode::NOT_FOUND),
        Err(e) => return error(open_status(&e)),
    };
    let slot = match ctx.tree.slot(&lexical.segments) {
        Ok(Some(slot)) => slot,
        Ok(None) => return error(StatusCode::NOT_FOUND),
        Err(e) => return error(open_status(&e)),
    };
    if let Err(refused) = ctx.check_write(&lexical.segments, true, true) {
        return refused;
    }
    let failed = store::remove(&slot);
    ctx.dav.locks.remove_tree(&key(&lexical.segments), ctx.now);
    match failed.first() {
        None => Response::new(StatusCode::NO_CONTENT),
        // The resource itself (a file) could not go: its own status.
        Some((path, e))
            if failed.len() == 1 && path.as_os_str() == slot.name.as_str() && !is_dir =>
        {
            error(io_status(e))
        }
        Some(_) => {
            let mut out = Multistatus::new();
            let parent = &lexical.segments[..lexical.segments.len() - 1];
            for (path, e) in &failed {
                let mut segs = parent.to_vec();
                segs.extend(path.iter().map(|s| s.to_string_lossy().into_owned()));
                let status = match io_status(e) {
                    StatusCode::CONFLICT | StatusCode::PRECONDITION_FAILED => {
                        StatusCode::INTERNAL_SERVER_ERROR
                    }
                    s => s,
                };
                out.status(&ctx.href(&segs, false), status);
            }
            out.finish()
        }
    }
}

/// `COPY` (`is_move` false) or `MOVE`.
pub(super) fn copy_or_move(ctx: &Ctx<'_>, lexical: &Lexical, is_move: bool) -> Response {
    let Some(destination) = ctx.req.header("destination") else {
        return error(StatusCode::BAD_REQUEST);
    };
    let dst = match ctx.url_segments(destination.trim()) {
        Ok(d) => d,
        Err(refused) => return refused,
    };
    let overwrite = match ctx.req.header("overwrite").map(str::trim) {
        None | Some("T" | "t") => true,
        Some("F" | "f") => false,
        Some(_) => return error(StatusCode::BAD_REQUEST),
    };
    let depth = match ctx.req.header("depth").map(str::trim) {
        None => Depth::Infinity,
        Some("0") if !is_move => Depth::Zero,
        Some(d) if d.eq_ignore_ascii_case("infinity") => Depth::Infinity,
        Some(_) => return error(StatusCode::BAD_REQUEST),
    };
    let src = match ctx.tree.open(&lexical.segments) {
        Ok(Some(o)) => o,
        Ok(None) => return error(StatusCode::NOT_FOUND),
        Err(e) => return error(open_status(&e)),
    };
    let (src_key, dst_key) = (key(&lexical.segments), key(&dst.segments));
    if src_key == dst_key
        || (src.meta.is_dir() && super::locks::is_below(&src_key, &dst_key))
        || dst.segments.is_empty()
        || (is_move && lexical.segments.is_empty())
    {
        return error(StatusCode::FORBIDDEN);
    }
    let dst_slot = match ctx.tree.slot(&dst.segments) {
        Ok(Some(slot)) => slot,
        Ok(None) => return error(StatusCode::CONFLICT),
        Err(e) => return error(open_status(&e)),
    };
    let existed = match store::kind_at(&dst_slot) {
        Ok(k) => k.is_some(),
        Err(e) => return error(io_status(&e)),
    };
    if existed && !overwrite {
        return error(StatusCode::PRECONDITION_FAILED);
    }
    // A name the resolver refuses (a symlink out of the root, a dangling
    // one) is not replaced either: it is not part of the served tree.
    if existed && !matches!(ctx.tree.open(&dst.segments), Ok(Some(_))) {
        return error(StatusCode::FORBIDDEN);
    }
    if is_move {
        if let Err(refused) = ctx.check_write(&lexical.segments, true, true) {
            return refused;
        }
    }
    if let Err(refused) = ctx.check_write(&dst.segments, existed, true) {
        return refused;
    }
    let done = if is_move {
        match ctx.tree.slot(&lexical.segments) {
            Ok(Some(src_slot)) => store::rename(&ctx.tree, &src_slot, &dst_slot),
            Ok(None) => return error(StatusCode::NOT_FOUND),
            Err(e) => return error(open_status(&e)),
        }
    } else {
        store::copy(&ctx.tree, &lexical.segments, &src, &dst_slot, depth)
    };
    if let Err(e) = done {
        return error(io_status(&e));
    }
    if existed {
        ctx.dav.locks.remove_tree(&dst_key, ctx.now);
    }
    if is_move {
        ctx.dav.locks.remove_tree(&src_key, ctx.now);
    }
    if existed {
        Response::new(StatusCode::NO_CONTENT)
    } else {
        let location = ctx.href(&dst.segments, src.meta.is_dir());
        Response::new(StatusCode::CREATED).header("Location", location)
    }
}
