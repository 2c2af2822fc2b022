//! `Headers`: an ordered multimap of header fields.
//!
//! Names keep the case they were given; lookup ignores ASCII case. All
//! names and values live in one byte buffer, so copying a parsed head into
//! an owned `Headers` costs two allocations, not two per field.

use std::fmt;
use std::ops::Range;

/// An ordered multimap of header fields (RFC 9110 5).
#[derive(Clone, Default, Eq)]
pub struct Headers {
    data: Vec<u8>,
    fields: Vec<(Range<u32>, Range<u32>)>,
}

impl Headers {
    /// An empty map.
    pub fn new() -> Headers {
        Headers::default()
    }

    /// An empty map with room for `fields` fields of about 32 bytes each.
    pub fn with_capacity(fields: usize) -> Headers {
        Headers {
            data: Vec::with_capacity(fields * 32),
            fields: Vec::with_capacity(fields),
        }
    }

    /// Makes room for `fields` more fields holding `bytes` bytes of names
    /// and values in all.
    pub fn reserve(&mut self, fields: usize, bytes: usize) {
        self.data.reserve(bytes);
        self.fields.reserve(fields);
    }

    /// Heap bytes this map holds (its capacity, not its length).
    pub fn heap_bytes(&self) -> usize {
        self.data.capacity()
            + self.fields.capacity() * std::mem::size_of::<(Range<u32>, Range<u32>)>()
    }

    /// The bytes these fields take in a head (names, values, `: ` and
    /// CRLF): what encoding them appends.
    pub fn encoded_len(&self) -> usize {
        self.data.len() + 4 * self.fields.len()
    }

    fn push_bytes(&mut self, bytes: &[u8]) -> Range<u32> {
        let start = self.data.len();
        self.data.extend_from_slice(bytes);
        // A head is bounded by the parser's limits; a handler building a
        // 4 GiB header block is a bug, and saturating keeps us from panicking.
        let end = self.data.len();
        (u32::try_from(start).unwrap_or(u32::MAX))..(u32::try_from(end).unwrap_or(u32::MAX))
    }

    fn bytes(&self, r: &Range<u32>) -> &[u8] {
        self.data
            .get(r.start as usize..r.end as usize)
            .unwrap_or_default()
    }

    fn name_at(&self, r: &Range<u32>) -> &str {
        // Names are only ever pushed from `&str`, so this never fails.
        std::str::from_utf8(self.bytes(r)).unwrap_or_default()
    }

    /// Adds a field after the existing ones, keeping any of the same name.
    pub fn append(&mut self, name: &str, value: impl AsRef<[u8]>) {
        if self.fields.capacity() == 0 {
            // A map built field by field (a response's) starts with room for
            // a typical head, instead of growing through several reallocs.
            self.reserve(8, 256);
        }
        let n = self.push_bytes(name.as_bytes());
        let v = self.push_bytes(value.as_ref());
        self.fields.push((n, v));
    }

    /// Starts refilling the map from a head being parsed
    /// ([`Headers::push_parsed`], then [`Headers::finish_parsed`]).
    pub(crate) fn begin_parsed(&mut self) {
        self.fields.clear();
    }

    /// Adds a parsed field by its place in the head's bytes (which
    /// [`Headers::finish_parsed`] copies in). The parser's limits keep
    /// the offsets far below 4 GiB, and `finish_parsed`'s caller refuses
    /// a longer head, so the casts are exact.
    #[inline(always)]
    pub(crate) fn push_parsed(&mut self, name: Range<usize>, value: Range<usize>) {
        self.fields.push((
            name.start as u32..name.end as u32,
            value.start as u32..value.end as u32,
        ));
    }

    /// Makes `raw`, the parsed head's bytes (at most `u32::MAX`, from the
    /// start of the buffer the spans count from), the bytes under the
    /// fields pushed since [`Headers::begin_parsed`].
    pub(crate) fn finish_parsed(&mut self, raw: &[u8]) {
        self.data.clear();
        self.data.extend_from_slice(raw);
    }

    /// [`Headers::append`] for a name the parser checked: token bytes are
    /// ASCII, so the stored name is valid UTF-8 without a check here.
    pub(crate) fn append_token_name(&mut self, name: &[u8], value: &[u8]) {
        let n = self.push_bytes(name);
        let v = self.push_bytes(value);
        self.fields.push((n, v));
    }

    /// Replaces every field named `name` with one field holding `value`.
    pub fn insert(&mut self, name: &str, value: impl AsRef<[u8]>) {
        self.remove(name);
        self.append(name, value);
    }

    /// Removes every field named `name`; true when there was one.
    pub fn remove(&mut self, name: &str) -> bool {
        if !self.contains(name) {
            return false;
        }
        let old = std::mem::take(self);
        for (n, v) in old.iter() {
            if !n.eq_ignore_ascii_case(name) {
                self.append(n, v);
            }
        }
        true
    }

    /// The value of field number `index` (in order), if there is one.
    pub fn value_at(&self, index: usize) -> Option<&[u8]> {
        self.fields.get(index).map(|(_, v)| self.bytes(v))
    }

    /// The value of the first field named `name`.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|(n, _)| self.bytes(n).eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| self.bytes(v))
    }

    /// The value of the first field named `name`, if it is UTF-8.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// The values of every field named `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.fields
            .iter()
            .filter(move |(n, _)| self.bytes(n).eq_ignore_ascii_case(name.as_bytes()))
            .map(move |(_, v)| self.bytes(v))
    }

    /// How many fields are named `name`.
    pub fn count(&self, name: &str) -> usize {
        self.get_all(name).count()
    }

    /// Whether a field named `name` exists.
    pub fn contains(&self, name: &str) -> bool {
        self.get_all(name).next().is_some()
    }

    /// Whether any field named `name` holds `token` in its comma-separated
    /// list, ignoring case and optional whitespace
    /// (`Connection: keep-alive, Upgrade` has `upgrade`).
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.get_all(name).any(|v| {
            v.split(|&b| b == b',')
                .any(|item| trim_ows(item).eq_ignore_ascii_case(token.as_bytes()))
        })
    }

    /// Every field as `(name, value)`, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> + '_ {
        self.fields
            .iter()
            .map(move |(n, v)| (self.name_at(n), self.bytes(v)))
    }

    /// Every field as raw `(name, value)` bytes, in order (no UTF-8 check
    /// of the names, unlike [`Headers::iter`]).
    pub fn iter_bytes(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.fields
            .iter()
            .map(move |(n, v)| (self.bytes(n), self.bytes(v)))
    }

    /// Bytes of all names and values together (for reserving room).
    pub(crate) fn data_len(&self) -> usize {
        self.data.len()
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when there is no field.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Removes every field, keeping the allocations.
    pub fn clear(&mut self) {
        self.data.clear();
        self.fields.clear();
    }

    /// Whether `other` holds the same bytes, split into fields at the same
    /// places: maps built alike (the same `append` calls). Implies `==`,
    /// which compares the fields only, and is quicker to tell (one
    /// comparison of the bytes, not two per field): a cache key's test.
    /// Maps of another shape are told by their lengths alone.
    pub fn same_bytes(&self, other: &Headers) -> bool {
        self.fields.len() == other.fields.len()
            && self.data == other.data
            && self.fields == other.fields
    }
}

/// Strips optional whitespace (SP, HTAB) from both ends. Values mostly
/// have none (the parser strips it): two byte tests, then the loops only
/// when there is some.
#[inline]
pub(crate) fn trim_ows(s: &[u8]) -> &[u8] {
    match s {
        [b' ' | b'\t', ..] | [.., b' ' | b'\t'] => trim_ows_loop(s),
        _ => s,
    }
}

#[cold]
fn trim_ows_loop(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Equal when the fields are, in order (names compared exactly): where
/// the bytes sit in the buffer, and what lies between them, is not part
/// of the value.
impl PartialEq for Headers {
    fn eq(&self, other: &Headers) -> bool {
        self.len() == other.len() && self.iter_bytes().eq(other.iter_bytes())
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.iter()
                    .map(|(n, v)| format!("{n}: {}", String::from_utf8_lossy(v))),
            )
            .finish()
    }
}

impl<'a> FromIterator<(&'a str, &'a [u8])> for Headers {
    fn from_iter<I: IntoIterator<Item = (&'a str, &'a [u8])>>(iter: I) -> Headers {
        let mut h = Headers::new();
        for (n, v) in iter {
            h.append(n, v);
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multimap_behaviour() {
        let mut h = Headers::new();
        h.append("Content-Type", "text/plain");
        h.append("Set-Cookie", "a=1");
        h.append("set-cookie", "b=2");
        assert_eq!(h.get("content-type"), Some(&b"text/plain"[..]));
        assert_eq!(h.get_str("CONTENT-TYPE"), Some("text/plain"));
        assert_eq!(
            h.get_all("Set-Cookie").collect::<Vec<_>>(),
            vec![&b"a=1"[..], b"b=2"]
        );
        assert_eq!(h.count("set-cookie"), 2);
        let names: Vec<_> = h.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["Content-Type", "Set-Cookie", "set-cookie"]);
        h.insert("SET-COOKIE", "c=3");
        assert_eq!(
            h.get_all("set-cookie").collect::<Vec<_>>(),
            vec![&b"c=3"[..]]
        );
        assert!(h.remove("content-type"));
        assert!(!h.remove("content-type"));
        assert_eq!(h.len(), 1);
        assert!(h.get("missing").is_none());
    }

    #[test]
    fn token_lists() {
        let mut h = Headers::new();
        h.append("Connection", "keep-alive, Upgrade");
        h.append("Connection", " close ");
        assert!(h.has_token("connection", "upgrade"));
        assert!(h.has_token("connection", "KEEP-ALIVE"));
        assert!(h.has_token("connection", "close"));
        assert!(!h.has_token("connection", "keep"));
        assert!(!h.has_token("upgrade", "close"));
    }
}
