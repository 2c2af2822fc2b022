//! `LOCK` and `UNLOCK` (RFC 4918 9.10, 9.11).
//!
//! A `LOCK` with a `lockinfo` body creates a lock (a conflicting one: 423);
//! on an unmapped URL it first creates an empty file (RFC 4918 7.3, what
//! replaced lock-null resources), 201. A `LOCK` without a body refreshes
//! the lock named in the `If` header. `UNLOCK` removes the lock named by
//! `Lock-Token` if it covers the request's resource (else 409).

use brisk_core::StatusCode;
use brisk_server::Response;

use super::if_header;
use super::locks::{self, NewLock, Scope};
use super::propfind::active_lock;
use super::store::{self, Kind};
use super::xml::{self, DAV};
use super::{error, io_status, key, open_status, precondition, xml_response, Ctx, XML_HEAD};
use crate::resolve::Lexical;

/// What a `lockinfo` body asks for.
#[derive(Debug, PartialEq, Eq)]
struct LockInfo {
    scope: Scope,
    owner: Option<String>,
}

pub(super) fn lock(ctx: &Ctx<'_>, lexical: &Lexical) -> Response {
    let info = match lock_info(ctx.req.body()) {
        Ok(info) => info,
        Err(status) => return error(status),
    };
    let timeout = locks::parse_timeout(ctx.req.header("timeout"));
    let Some(info) = info else {
        return refresh(ctx, lexical, timeout);
    };
    let infinity = match ctx.req.header("depth").map(str::trim) {
        None => true,
        Some("0") => false,
        Some(d) if d.eq_ignore_ascii_case("infinity") => true,
        Some(_) => return error(StatusCode::BAD_REQUEST),
    };
    let exists = match ctx.tree.open(&lexical.segments) {
        Ok(o) => o.is_some(),
        Err(e) => return error(open_status(&e)),
    };
    // The If header, when sent, must hold (a client may make its LOCK conditional).
    match ctx.if_lists() {
        Ok(Some(lists)) if !ctx.if_holds(&lists, &lexical.segments) => {
            return error(StatusCode::PRECONDITION_FAILED)
        }
        Ok(_) => {}
        Err(bad) => return bad,
    }
    let slot = if exists {
        None
    } else {
        match ctx.tree.slot(&lexical.segments) {
            Ok(Some(slot)) => Some(slot),
            Ok(None) => return error(StatusCode::CONFLICT),
            Err(e) => return error(open_status(&e)),
        }
    };
    let new = NewLock {
        root: key(&lexical.segments),
        root_href: ctx.href(&lexical.segments, lexical.trailing_slash),
        infinity,
        scope: info.scope,
        owner: info.owner,
        timeout,
    };
    let granted = match ctx.dav.locks.lock(new, ctx.now) {
        Ok(l) => l,
        Err(_) => return precondition(StatusCode::LOCKED, "<D:no-conflicting-lock/>"),
    };
    let mut status = StatusCode::OK;
    if let Some(slot) = slot {
        // RFC 4918 7.3: a LOCK on an unmapped URL makes an empty resource.
        match store::kind_at(&slot) {
            Ok(Some(Kind::Dir | Kind::Other)) => {}
            _ => {
                if let Err(e) = store::create_empty(&slot) {
                    ctx.dav.locks.unlock(&granted.token, &granted.root, ctx.now);
                    return error(io_status(&e));
                }
                status = StatusCode::CREATED;
            }
        }
    }
    lock_response(status, &granted, ctx).header("Lock-Token", format!("<{}>", granted.token))
}

/// A `LOCK` without a body: the lock named in `If` gets a new timeout.
fn refresh(ctx: &Ctx<'_>, lexical: &Lexical, timeout: std::time::Duration) -> Response {
    let lists = match ctx.if_lists() {
        Ok(Some(lists)) => lists,
        Ok(None) => return error(StatusCode::BAD_REQUEST),
        Err(bad) => return bad,
    };
    let k = key(&lexical.segments);
    for token in if_header::submitted(&lists) {
        if let Some(l) = ctx.dav.locks.refresh(&token, &k, timeout, ctx.now) {
            return lock_response(StatusCode::OK, &l, ctx);
        }
    }
    precondition(
        StatusCode::PRECONDITION_FAILED,
        "<D:lock-token-matches-request-uri/>",
    )
}

fn lock_response(status: StatusCode, l: &locks::Lock, ctx: &Ctx<'_>) -> Response {
    xml_response(
        status,
        format!(
            "{XML_HEAD}<D:prop xmlns:D=\"DAV:\"><D:lockdiscovery>{}</D:lockdiscovery></D:prop>\n",
            active_lock(l, ctx.now)
        ),
    )
}

pub(super) fn unlock(ctx: &Ctx<'_>, lexical: &Lexical) -> Response {
    let token = ctx
        .req
        .header("lock-token")
        .map(str::trim)
        .and_then(|t| t.strip_prefix('<'))
        .and_then(|t| t.strip_suffix('>'));
    let Some(token) = token else {
        return error(StatusCode::BAD_REQUEST);
    };
    if ctx
        .dav
        .locks
        .unlock(token, &key(&lexical.segments), ctx.now)
    {
        Response::new(StatusCode::NO_CONTENT)
    } else {
        precondition(StatusCode::CONFLICT, "<D:lock-token-matches-request-uri/>")
    }
}

/// The `lockinfo` body; `None` for an empty body (a refresh).
fn lock_info(body: &[u8]) -> Result<Option<LockInfo>, StatusCode> {
    let Some(root) = xml::parse(body).map_err(|_| StatusCode::BAD_REQUEST)? else {
        return Ok(None);
    };
    if !root.is(DAV, "lockinfo") {
        return Err(StatusCode::BAD_REQUEST);
    }
    let scope = root
        .dav_child("lockscope")
        .and_then(|s| s.elements().next())
        .ok_or(StatusCode::BAD_REQUEST)?;
    let scope = match (scope.ns.as_str(), scope.name.as_str()) {
        (DAV, "exclusive") => Scope::Exclusive,
        (DAV, "shared") => Scope::Shared,
        _ => return Err(StatusCode::BAD_REQUEST),
    };
    let write = root
        .dav_child("locktype")
        .and_then(|t| t.elements().next())
        .is_some_and(|t| t.is(DAV, "write"));
    if !write {
        return Err(StatusCode::BAD_REQUEST);
    }
    let owner = root.dav_child("owner").map(|o| o.to_xml());
    Ok(Some(LockInfo { scope, owner }))
}

/// The fuzz target's use: the body parser must not panic.
pub(super) fn fuzz_body(bytes: &[u8]) {
    let _ = lock_info(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockinfo_bodies() {
        let body = br#"<?xml version="1.0"?><lockinfo xmlns="DAV:"><lockscope><shared/></lockscope><locktype><write/></locktype><owner><href>me</href></owner></lockinfo>"#;
        let info = lock_info(body).unwrap().unwrap();
        assert_eq!(info.scope, Scope::Shared);
        assert_eq!(
            info.owner.as_deref(),
            Some("<owner xmlns=\"DAV:\"><href xmlns=\"DAV:\">me</href></owner>")
        );
        assert_eq!(lock_info(b"").unwrap(), None);
        for bad in [
            &br#"<lockinfo xmlns="DAV:"><locktype><write/></locktype></lockinfo>"#[..],
            br#"<lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope><locktype><read/></locktype></lockinfo>"#,
            b"<lockinfo/>",
        ] {
            assert_eq!(lock_info(bad), Err(StatusCode::BAD_REQUEST));
        }
    }
}
