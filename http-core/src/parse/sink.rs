//! Where the full parse puts the field lines it finds: the caller's
//! slots (views) or an owned head's field list, with the notes of its
//! framing fields.

use super::*;
use std::ops::Range;

/// Where a full parse puts the field lines it finds: the caller's slots
/// (borrowed views) or an owned head's field list.
pub(super) trait FieldSink<'b> {
    /// Stores field number `n`, whose name and value are these bytes of
    /// `buf`; `TooManyHeaders` when there is no room for it.
    fn put(
        &mut self,
        n: usize,
        buf: &'b [u8],
        name: Range<usize>,
        value: Range<usize>,
    ) -> Result<(), ParseError>;
}

impl<'b> FieldSink<'b> for [Header<'b>] {
    #[inline(always)]
    fn put(
        &mut self,
        n: usize,
        buf: &'b [u8],
        name: Range<usize>,
        value: Range<usize>,
    ) -> Result<(), ParseError> {
        let slot = self.get_mut(n).ok_or(ParseError::TooManyHeaders)?;
        *slot = Header {
            name: &buf[name],
            value: &buf[value],
        };
        Ok(())
    }
}

/// An owned head's field list, and the notes of its framing fields.
pub(super) struct Noted<'a> {
    pub(super) headers: &'a mut Headers,
    pub(super) notes: FieldNotes,
}

impl FieldSink<'_> for Noted<'_> {
    /// The fields keep their places: [`Headers::finish_parsed`] copies
    /// the head's bytes under them.
    #[inline(always)]
    fn put(
        &mut self,
        n: usize,
        buf: &[u8],
        name: Range<usize>,
        value: Range<usize>,
    ) -> Result<(), ParseError> {
        self.notes.note(n, &buf[name.clone()]);
        self.headers.push_parsed(name, value);
        Ok(())
    }
}
