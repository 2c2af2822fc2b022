//! `PROPPATCH` (RFC 4918 9.2): sets and removes dead properties in
//! document order, all or nothing. A live property cannot be changed: it
//! gets 403 and every other one 424 (Failed Dependency), and nothing is
//! written.

use brisk_core::StatusCode;
use brisk_server::Response;

use super::propfind::LIVE;
use super::props_store::{self, DeadProp};
use super::xml::{self, Element, DAV};
use super::{error, io_status, open_status, Ctx, Multistatus};
use crate::resolve::Lexical;

/// One instruction of the body.
#[derive(Debug, PartialEq, Eq)]
enum Op {
    Set(Element),
    Remove(String, String),
}

pub(super) fn proppatch(ctx: &Ctx<'_>, lexical: &Lexical) -> Response {
    let ops = match ops(ctx.req.body()) {
        Ok(ops) => ops,
        Err(status) => return error(status),
    };
    let opened = match ctx.tree.open(&lexical.segments) {
        Ok(Some(o)) => o,
        Ok(None) => return error(StatusCode::NOT_FOUND),
        Err(e) => return error(open_status(&e)),
    };
    if let Err(refused) = ctx.check_write(&lexical.segments, false, false) {
        return refused;
    }
    let href = ctx.href(&lexical.segments, opened.meta.is_dir());
    let names: Vec<(String, String)> = ops
        .iter()
        .map(|op| match op {
            Op::Set(e) => (e.ns.clone(), e.name.clone()),
            Op::Remove(ns, name) => (ns.clone(), name.clone()),
        })
        .collect();
    let protected: Vec<bool> = names
        .iter()
        .map(|(ns, name)| ns == DAV && LIVE.contains(&name.as_str()))
        .collect();
    let mut out = Multistatus::new();
    if protected.iter().any(|&p| p) {
        let mut forbidden = String::new();
        let mut dependent = String::new();
        for ((ns, name), p) in names.iter().zip(&protected) {
            let e = element_name(ns, name);
            if *p {
                forbidden.push_str(&e);
            } else {
                dependent.push_str(&e);
            }
        }
        let mut groups = vec![(StatusCode::FORBIDDEN, forbidden)];
        if !dependent.is_empty() {
            groups.push((StatusCode::FAILED_DEPENDENCY, dependent));
        }
        out.propstats(&href, &groups);
        return out.finish();
    }
    let result = props_store::load(ctx.tree.root_dir, &opened.file).and_then(|mut props| {
        apply(&mut props, ops);
        props_store::save(ctx.tree.root_dir, &opened.file, &props)
    });
    let status = match result {
        Ok(()) => StatusCode::OK,
        Err(e) => io_status(&e),
    };
    let all: String = names.iter().map(|(ns, n)| element_name(ns, n)).collect();
    out.propstats(&href, &[(status, all)]);
    out.finish()
}

/// The body's instructions in order; 400 when it is not a `propertyupdate`.
fn ops(body: &[u8]) -> Result<Vec<Op>, StatusCode> {
    let root = xml::parse(body)
        .map_err(|_| StatusCode::BAD_REQUEST)?
        .ok_or(StatusCode::BAD_REQUEST)?;
    if !root.is(DAV, "propertyupdate") {
        return Err(StatusCode::BAD_REQUEST);
    }
    let mut out = Vec::new();
    for action in root.elements() {
        let set = match (action.ns.as_str(), action.name.as_str()) {
            (DAV, "set") => true,
            (DAV, "remove") => false,
            _ => continue,
        };
        for prop in action.elements().filter(|e| e.is(DAV, "prop")) {
            for p in prop.elements() {
                out.push(if set {
                    Op::Set(p.clone())
                } else {
                    Op::Remove(p.ns.clone(), p.name.clone())
                });
            }
        }
    }
    if out.is_empty() {
        return Err(StatusCode::BAD_REQUEST);
    }
    Ok(out)
}

/// The instructions applied in order: a set replaces a property of the
/// same name (keeping its place), a remove of a missing one is no error.
fn apply(props: &mut Vec<DeadProp>, ops: Vec<Op>) {
    for op in ops {
        match op {
            Op::Set(e) => {
                let new = DeadProp {
                    xml: e.to_xml(),
                    ns: e.ns,
                    name: e.name,
                };
                match props
                    .iter_mut()
                    .find(|p| p.ns == new.ns && p.name == new.name)
                {
                    Some(old) => *old = new,
                    None => props.push(new),
                }
            }
            Op::Remove(ns, name) => props.retain(|p| !(p.ns == ns && p.name == name)),
        }
    }
}

/// `<name xmlns="ns"/>` for a propstat.
fn element_name(ns: &str, name: &str) -> String {
    format!("<{name} xmlns=\"{}\"/>", xml::escape(ns))
}

/// The fuzz target's use: the body parser must not panic.
pub(super) fn fuzz_body(bytes: &[u8]) {
    let _ = ops(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_in_order_then_applied() {
        let body = br#"<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z">
            <D:set><D:prop><Z:a>1</Z:a><Z:b>2</Z:b></D:prop></D:set>
            <D:remove><D:prop><Z:a/></D:prop></D:remove>
            <D:set><D:prop><Z:b>3</Z:b></D:prop></D:set>
        </D:propertyupdate>"#;
        let ops = ops(body).unwrap();
        assert_eq!(ops.len(), 4);
        let mut props = Vec::new();
        apply(&mut props, ops);
        assert_eq!(props.len(), 1);
        assert_eq!(props[0].name, "b");
        assert_eq!(props[0].xml, "<b xmlns=\"urn:z\">3</b>");
    }

    #[test]
    fn refused_bodies() {
        for body in [
            &b""[..],
            b"<x/>",
            b"<propertyupdate xmlns=\"DAV:\"/>",
            b"<a",
        ] {
            assert_eq!(ops(body), Err(StatusCode::BAD_REQUEST));
        }
    }
}
