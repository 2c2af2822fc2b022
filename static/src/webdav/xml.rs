//! WebDAV request bodies: XML parsed into a small owned tree, with limits;
//! and the escaping the responses need.
//!
//! The parser is quick-xml's namespace-aware reader. What it must refuse,
//! because a request body comes from anyone:
//!
//! - a document type declaration (`<!DOCTYPE`): no DTD means no external
//!   entity (XXE) and no entity expansion (billion laughs); the body is a
//!   400 before anything in the DTD is looked at;
//! - a general entity reference other than the five XML predefines and
//!   character references (with no DTD there is nothing else it could name);
//! - more than [`MAX_BODY_BYTES`], [`MAX_ELEMENTS`] or [`MAX_DEPTH`];
//! - a prefix with no namespace declaration, or any malformed XML.
//!
//! Names are compared by (namespace URI, local name): clients pick their own
//! prefixes (`D:`, `d:`, `ns0:`, or a default namespace).

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// The WebDAV namespace.
pub(super) const DAV: &str = "DAV:";

/// The largest body parsed (bytes); the server's body limit is the outer bound.
pub(super) const MAX_BODY_BYTES: usize = 1 << 20;
/// Elements in one body.
pub(super) const MAX_ELEMENTS: usize = 10_000;
/// Nesting depth of elements.
pub(super) const MAX_DEPTH: usize = 64;

/// Why a body is refused; every case is a 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum XmlError {
    TooLarge,
    Doctype,
    UnknownEntity,
    TooDeep,
    TooManyElements,
    UnboundPrefix,
    Malformed(String),
}

/// An element with its namespace resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Element {
    /// The namespace URI; empty when the name is in no namespace.
    pub ns: String,
    pub name: String,
    /// Attributes other than namespace declarations: (namespace, local name, value).
    pub attrs: Vec<(String, String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    /// Whether this element is `{ns}name`.
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    /// The child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element `{DAV:}name`.
    pub fn dav_child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(DAV, name))
    }

    /// The element written back as XML with its namespaces declared on
    /// itself (a default namespace per element, prefixes for attributes),
    /// so the fragment stands alone whatever the prefixes of the document
    /// it came from.
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        out.push_str(" xmlns=\"");
        out.push_str(&escape(&self.ns));
        out.push('"');
        for (i, (ns, name, value)) in self.attrs.iter().enumerate() {
            if ns.is_empty() {
                out.push_str(&format!(" {name}=\"{}\"", escape(value)));
            } else if ns == XML_NS {
                out.push_str(&format!(" xml:{name}=\"{}\"", escape(value)));
            } else {
                out.push_str(&format!(
                    " xmlns:a{i}=\"{}\" a{i}:{name}=\"{}\"",
                    escape(ns),
                    escape(value)
                ));
            }
        }
        if self.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for n in &self.children {
            match n {
                Node::Element(e) => e.write(out),
                Node::Text(t) => out.push_str(&escape(t)),
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }
}

/// The namespace the `xml:` prefix is bound to.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Parses a request body into its root element. `Ok(None)` for an empty
/// (or whitespace-only) body, which several methods give a meaning.
pub(super) fn parse(body: &[u8]) -> Result<Option<Element>, XmlError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(XmlError::TooLarge);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let mut reader = NsReader::from_reader(body);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    let mut count = 0usize;
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        // Owned now, so the reader can be asked about attributes below.
        let ns = match &event {
            Event::Start(_) | Event::Empty(_) => namespace(ns)?,
            _ => String::new(),
        };
        match event {
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(XmlError::Malformed("content after the root element".into()));
            }
            Event::Start(start) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooManyElements);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                stack.push(element(&reader, ns, &start)?);
            }
            Event::Empty(start) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooManyElements);
                }
                let e = element(&reader, ns, &start)?;
                attach(&mut stack, &mut root, e);
            }
            Event::End(_) => {
                // check_end_names has matched it with the open element.
                let Some(done) = stack.pop() else {
                    return Err(XmlError::Malformed("unbalanced end tag".into()));
                };
                attach(&mut stack, &mut root, done);
            }
            Event::Text(t) => {
                let text = t.decode().map_err(|e| XmlError::Malformed(e.to_string()))?;
                push_text(&mut stack, &text)?;
            }
            Event::CData(t) => {
                let text = t.decode().map_err(|e| XmlError::Malformed(e.to_string()))?;
                push_text(&mut stack, &text)?;
            }
            Event::GeneralRef(r) => {
                let text = entity(&r)?;
                push_text(&mut stack, &text)?;
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed("unclosed element".into()));
    }
    root.map(Some)
        .ok_or_else(|| XmlError::Malformed("no root element".into()))
}

/// The replacement text of `&name;`: a character reference or one of the
/// five predefined entities. With no DTD allowed, nothing else exists.
fn entity(r: &quick_xml::events::BytesRef<'_>) -> Result<String, XmlError> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(c.to_string()),
            _ => Err(XmlError::Malformed("bad character reference".into())),
        };
    }
    Ok(match &**r {
        b"lt" => "<",
        b"gt" => ">",
        b"amp" => "&",
        b"apos" => "'",
        b"quot" => "\"",
        _ => return Err(XmlError::UnknownEntity),
    }
    .to_string())
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(parent) => {
            match parent.children.last_mut() {
                Some(Node::Text(prev)) => prev.push_str(text),
                _ => parent.children.push(Node::Text(text.to_string())),
            }
            Ok(())
        }
        // Outside the root only whitespace may appear.
        None if text.trim().is_empty() => Ok(()),
        None => Err(XmlError::Malformed("text outside the root element".into())),
    }
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, e: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(e)),
        None => *root = Some(e),
    }
}

/// An element's name and attributes, namespaces resolved.
fn element(
    reader: &NsReader<&[u8]>,
    ns: String,
    start: &BytesStart<'_>,
) -> Result<Element, XmlError> {
    let name = utf8(start.local_name().into_inner())?;
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| XmlError::Malformed(e.to_string()))?;
        let key = attr.key;
        if key.as_namespace_binding().is_some() {
            continue;
        }
        let (ans, local) = reader.resolve_attribute(key);
        let value = attr
            .unescape_value()
            .map_err(|_| XmlError::UnknownEntity)?
            .into_owned();
        attrs.push((namespace(ans)?, utf8(local.into_inner())?, value));
    }
    Ok(Element {
        ns,
        name,
        attrs,
        children: Vec::new(),
    })
}

fn namespace(ns: ResolveResult<'_>) -> Result<String, XmlError> {
    match ns {
        ResolveResult::Bound(ns) => utf8(ns.into_inner()),
        ResolveResult::Unbound => Ok(String::new()),
        ResolveResult::Unknown(_) => Err(XmlError::UnboundPrefix),
    }
}

fn utf8(bytes: &[u8]) -> Result<String, XmlError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| XmlError::Malformed("invalid UTF-8".into()))
}

/// Escapes text or an attribute value (double-quoted).
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_resolve_to_namespaces() {
        for body in [
            r#"<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>"#,
            r#"<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>"#,
            r#"<?xml version="1.0"?><x:propfind xmlns:x="DAV:"><x:prop><getetag xmlns="DAV:"/></x:prop></x:propfind>"#,
        ] {
            let root = parse(body.as_bytes()).unwrap().unwrap();
            assert!(root.is(DAV, "propfind"), "{body}");
            let prop = root.dav_child("prop").unwrap();
            assert!(prop.elements().next().unwrap().is(DAV, "getetag"), "{body}");
        }
    }

    #[test]
    fn refusals() {
        let table: &[(&str, XmlError)] = &[
            (
                r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#,
                XmlError::Doctype,
            ),
            (
                r#"<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><l>&b;</l>"#,
                XmlError::Doctype,
            ),
            (r#"<x>&e;</x>"#, XmlError::UnknownEntity),
            (r#"<y:x/>"#, XmlError::UnboundPrefix),
        ];
        for (body, want) in table {
            assert_eq!(parse(body.as_bytes()).unwrap_err(), *want, "{body}");
        }
        for body in ["<x>", "<x></y>", "<x/><y/>", "text", "<x/>junk"] {
            assert!(
                matches!(parse(body.as_bytes()), Err(XmlError::Malformed(_))),
                "{body}"
            );
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert_eq!(parse(deep.as_bytes()).unwrap_err(), XmlError::TooDeep);
        let many = format!("<a>{}</a>", "<b/>".repeat(MAX_ELEMENTS));
        assert_eq!(
            parse(many.as_bytes()).unwrap_err(),
            XmlError::TooManyElements
        );
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(parse(&big).unwrap_err(), XmlError::TooLarge);
    }

    #[test]
    fn empty_body_is_none_and_entities_decode() {
        assert_eq!(parse(b"  \r\n").unwrap(), None);
        let root = parse(b"<x>a&amp;b&#x41;&lt;</x>").unwrap().unwrap();
        assert_eq!(root.children, vec![Node::Text("a&bA<".into())]);
    }

    #[test]
    fn fragments_stand_alone() {
        let body = r#"<p:a xmlns:p="urn:p" xmlns:q="urn:q" q:k="v&amp;" xml:lang="en"><q:b>t&lt;</q:b><c/></p:a>"#;
        let root = parse(body.as_bytes()).unwrap().unwrap();
        let xml = root.to_xml();
        let again = parse(xml.as_bytes()).unwrap().unwrap();
        assert_eq!(again, root, "{xml}");
    }
}
