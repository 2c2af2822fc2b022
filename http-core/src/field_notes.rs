//! [`FieldNotes`]: where a head's framing fields are, noted once as the
//! fields go by, so that [`crate::check_request`] need not look for them.

use crate::chars::eq_lower_name;
use crate::Headers;

/// Where the fields that the request rules look at are in a head: the
/// `Host` fields, the `Content-Length` fields, and whether any field that
/// takes the rules' slow path is present (`Transfer-Encoding`, `Expect`, a
/// second `Content-Length`) or `Connection` is. [`crate::RequestParser::parse_into`]
/// notes them while it parses (a length compare per field, a word compare
/// for the few that match); [`FieldNotes::of`] takes them from any
/// [`Headers`]. [`crate::check_noted`] decides a head from them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldNotes {
    pub(crate) hosts: u32,
    /// The index of the first `Host` field.
    pub(crate) host: Option<usize>,
    /// The index of the (only, unless `unusual`) `Content-Length` field.
    pub(crate) length: Option<usize>,
    pub(crate) connection: bool,
    /// A field that only the rule-by-rule path decides.
    pub(crate) unusual: bool,
}

impl FieldNotes {
    /// The notes of every field of `headers`.
    pub fn of(headers: &Headers) -> FieldNotes {
        let mut notes = FieldNotes::default();
        for (i, (name, _)) in headers.iter_bytes().enumerate() {
            notes.note(i, name);
        }
        notes
    }

    /// Notes field number `index`, named `name`. Most names are ruled out
    /// by their length alone.
    #[inline(always)]
    pub(crate) fn note(&mut self, index: usize, name: &[u8]) {
        match name.len() {
            4 if eq_lower_name(name, b"host") => {
                self.hosts += 1;
                self.host.get_or_insert(index);
            }
            14 if eq_lower_name(name, b"content-length") => {
                self.unusual |= self.length.is_some();
                self.length = Some(index);
            }
            10 if eq_lower_name(name, b"connection") => self.connection = true,
            6 if eq_lower_name(name, b"expect") => self.unusual = true,
            17 if eq_lower_name(name, b"transfer-encoding") => self.unusual = true,
            _ => {}
        }
    }
}
