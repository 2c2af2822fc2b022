//! `PROPFIND` (RFC 4918 9.1): the live properties from the file's
//! metadata, the dead ones from [`props_store`], for the resource and, at
//! Depth 1, its visible members.
//!
//! Depth infinity (and a missing Depth, which means it) is refused with 403
//! and `propfind-finite-depth`: a whole tree in one answer costs the server
//! without bound.

use std::path::PathBuf;
use std::time::SystemTime;

use brisk_core::StatusCode;
use brisk_server::Response;

use super::locks::{Lock, Scope};
use super::props_store::{self, DeadProp};
use super::store::Stat;
use super::xml::{self, DAV};
use super::{error, open_status, precondition, Ctx, Multistatus};
use crate::conditional;
use crate::content_type;
use crate::encoding::Encoding;
use crate::resolve::Lexical;
use crate::timefmt;

/// The live properties, in the order `allprop` lists them.
pub(super) const LIVE: [&str; 9] = [
    "creationdate",
    "displayname",
    "getcontentlength",
    "getcontenttype",
    "getetag",
    "getlastmodified",
    "resourcetype",
    "supportedlock",
    "lockdiscovery",
];

/// What the client asked for.
enum Want {
    All,
    Names,
    Some(Vec<(String, String)>),
}

/// One resource to describe.
struct Resource<'a> {
    segs: Vec<String>,
    stat: Stat,
    file: Option<&'a std::fs::File>,
}

pub(super) fn propfind(ctx: &Ctx<'_>, lexical: &Lexical) -> Response {
    let depth1 = match ctx.req.header("depth").map(str::trim) {
        Some("0") => false,
        Some("1") => true,
        None => return finite_depth(),
        Some(d) if d.eq_ignore_ascii_case("infinity") => return finite_depth(),
        Some(_) => return error(StatusCode::BAD_REQUEST),
    };
    let want = match want(ctx.req.body()) {
        Ok(w) => w,
        Err(status) => return error(status),
    };
    let opened = match ctx.tree.open(&lexical.segments) {
        Ok(Some(o)) => o,
        Ok(None) => return error(StatusCode::NOT_FOUND),
        Err(e) => return error(open_status(&e)),
    };
    if lexical.trailing_slash && !opened.meta.is_dir() && !lexical.segments.is_empty() {
        return error(StatusCode::NOT_FOUND);
    }
    let mut out = Multistatus::new();
    let this = Resource {
        segs: lexical.segments.clone(),
        stat: Stat::from_metadata(&opened.meta),
        file: Some(&opened.file),
    };
    describe(ctx, &this, &want, &mut out);
    if depth1 && opened.meta.is_dir() {
        let members = match ctx.tree.members(&lexical.segments, &opened.file) {
            Ok(m) => m,
            Err(e) => return error(super::io_status(&e)),
        };
        for m in members {
            let mut segs = lexical.segments.clone();
            segs.push(m.name);
            let member = Resource {
                segs,
                stat: m.stat,
                file: None,
            };
            describe(ctx, &member, &want, &mut out);
        }
    }
    out.finish()
}

fn finite_depth() -> Response {
    precondition(StatusCode::FORBIDDEN, "<D:propfind-finite-depth/>")
}

/// The request body: empty means `allprop`.
fn want(body: &[u8]) -> Result<Want, StatusCode> {
    let Some(root) = xml::parse(body).map_err(|_| StatusCode::BAD_REQUEST)? else {
        return Ok(Want::All);
    };
    if !root.is(DAV, "propfind") {
        return Err(StatusCode::BAD_REQUEST);
    }
    let Some(first) = root.elements().find(|e| e.ns == DAV) else {
        return Err(StatusCode::BAD_REQUEST);
    };
    match first.name.as_str() {
        // `include` adds live properties allprop would omit; it lists all.
        "allprop" => Ok(Want::All),
        "propname" => Ok(Want::Names),
        "prop" => Ok(Want::Some(
            first
                .elements()
                .map(|e| (e.ns.clone(), e.name.clone()))
                .collect(),
        )),
        _ => Err(StatusCode::BAD_REQUEST),
    }
}

/// One `response` element for the resource.
fn describe(ctx: &Ctx<'_>, res: &Resource<'_>, want: &Want, out: &mut Multistatus) {
    let is_dir = res.stat.is_dir;
    let href = ctx.href(&res.segs, is_dir);
    let mut found = String::new();
    let mut missing = String::new();
    match want {
        Want::All | Want::Names => {
            for name in LIVE {
                if let Some(value) = live(ctx, res, name) {
                    if matches!(want, Want::Names) {
                        found.push_str(&format!("<D:{name}/>"));
                    } else {
                        found.push_str(&value);
                    }
                }
            }
            for p in dead(ctx, res) {
                if matches!(want, Want::Names) {
                    found.push_str(&empty_element(&p.ns, &p.name));
                } else {
                    found.push_str(&p.xml);
                }
            }
        }
        Want::Some(names) => {
            let needs_dead = names
                .iter()
                .any(|(ns, n)| !(ns == DAV && LIVE.contains(&n.as_str())));
            let dead = if needs_dead {
                dead(ctx, res)
            } else {
                Vec::new()
            };
            for (ns, name) in names {
                let value = if ns == DAV && LIVE.contains(&name.as_str()) {
                    live(ctx, res, name)
                } else {
                    dead.iter()
                        .find(|p| &p.ns == ns && &p.name == name)
                        .map(|p| p.xml.clone())
                };
                match value {
                    Some(v) => found.push_str(&v),
                    None => missing.push_str(&empty_element(ns, name)),
                }
            }
        }
    }
    let mut groups = Vec::new();
    if !found.is_empty() || missing.is_empty() {
        groups.push((StatusCode::OK, found));
    }
    if !missing.is_empty() {
        groups.push((StatusCode::NOT_FOUND, missing));
    }
    out.propstats(&href, &groups);
}

/// `<name xmlns="ns"/>`, or `<D:name/>` in the DAV namespace.
fn empty_element(ns: &str, name: &str) -> String {
    if ns == DAV {
        format!("<D:{name}/>")
    } else {
        format!("<{name} xmlns=\"{}\"/>", xml::escape(ns))
    }
}

/// The resource's dead properties (none when they cannot be read).
fn dead(ctx: &Ctx<'_>, res: &Resource<'_>) -> Vec<DeadProp> {
    let opened;
    let file = match res.file {
        Some(f) => f,
        None => match ctx.tree.open(&res.segs) {
            Ok(Some(o)) => {
                opened = o;
                &opened.file
            }
            _ => return Vec::new(),
        },
    };
    props_store::load(ctx.tree.root_dir, file).unwrap_or_else(|e| {
        log::warn!("static: webdav: properties of /{}: {e}", res.segs.join("/"));
        Vec::new()
    })
}

/// A live property as a whole element; `None` where it does not apply
/// (a collection has no content length or type).
fn live(ctx: &Ctx<'_>, res: &Resource<'_>, name: &str) -> Option<String> {
    let stat = &res.stat;
    let is_dir = stat.is_dir;
    let value = match name {
        "creationdate" => rfc3339(stat.created.unwrap_or_else(|| stat.modified())),
        "displayname" => xml::escape(res.segs.last().map_or("", String::as_str)),
        "getcontentlength" if !is_dir => stat.len.to_string(),
        "getcontenttype" if !is_dir => {
            let rel: PathBuf = res.segs.iter().collect();
            xml::escape(&content_type::for_path(&rel))
        }
        "getetag" => xml::escape(&conditional::etag_of(
            stat.len,
            stat.mtime,
            stat.mtime_nsec,
            stat.ino,
            Encoding::Identity,
        )),
        "getlastmodified" => brisk_core::fmt_http_date(stat.modified()),
        "resourcetype" if is_dir => "<D:collection/>".to_string(),
        "resourcetype" => String::new(),
        "supportedlock" => SUPPORTED_LOCK.to_string(),
        "lockdiscovery" => {
            let key = super::key(&res.segs);
            ctx.dav
                .locks
                .covering(&key, ctx.now)
                .iter()
                .map(|l| active_lock(l, ctx.now))
                .collect()
        }
        _ => return None,
    };
    Some(format!("<D:{name}>{value}</D:{name}>"))
}

const SUPPORTED_LOCK: &str = "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry><D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>";

/// One `activelock` element (RFC 4918 14.1).
pub(super) fn active_lock(lock: &Lock, now: std::time::Instant) -> String {
    let scope = match lock.scope {
        Scope::Exclusive => "exclusive",
        Scope::Shared => "shared",
    };
    let depth = if lock.infinity { "infinity" } else { "0" };
    let left = lock.expires.saturating_duration_since(now).as_secs();
    format!(
        "<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:{scope}/></D:lockscope>\
         <D:depth>{depth}</D:depth>{}<D:timeout>Second-{left}</D:timeout>\
         <D:locktoken><D:href>{}</D:href></D:locktoken>\
         <D:lockroot><D:href>{}</D:href></D:lockroot></D:activelock>",
        lock.owner.as_deref().unwrap_or(""),
        xml::escape(&lock.token),
        xml::escape(&lock.root_href)
    )
}

/// `1997-12-01T17:42:21Z` (RFC 3339, as `creationdate` wants).
fn rfc3339(t: SystemTime) -> String {
    let c = timefmt::civil(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// The fuzz target's use: the body parser must not panic.
pub(super) fn fuzz_body(bytes: &[u8]) {
    let _ = want(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies() {
        assert!(matches!(want(b""), Ok(Want::All)));
        assert!(matches!(
            want(br#"<propfind xmlns="DAV:"><propname/></propfind>"#),
            Ok(Want::Names)
        ));
        let Ok(Want::Some(names)) =
            want(br#"<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><x xmlns="urn:x"/></D:prop></D:propfind>"#)
        else {
            panic!("a prop list");
        };
        assert_eq!(
            names,
            vec![
                ("DAV:".into(), "getetag".into()),
                ("urn:x".into(), "x".into())
            ]
        );
        assert_eq!(want(b"<propfind/>").err(), Some(StatusCode::BAD_REQUEST));
        assert_eq!(
            want(b"<D:propfind xmlns:D=\"DAV:\"><D:foo/></D:propfind>").err(),
            Some(StatusCode::BAD_REQUEST)
        );
        assert_eq!(want(b"<x").err(), Some(StatusCode::BAD_REQUEST));
    }

    #[test]
    fn dates() {
        assert_eq!(rfc3339(std::time::UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn elements_in_and_out_of_dav() {
        assert_eq!(empty_element(DAV, "getetag"), "<D:getetag/>");
        assert_eq!(empty_element("", "x"), "<x xmlns=\"\"/>");
    }
}
