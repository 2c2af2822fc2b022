//! What the client tells an observer (`fetch -v`): connection notes and
//! heads as they go out and come in.
//!
//! A leaf module: every other module may import it, it imports none of
//! them, so tracing never creates an import cycle.

use std::sync::Arc;

/// What the client tells an observer (the `fetch -v` output).
#[derive(Debug)]
pub enum Trace<'a> {
    /// A connection note (`*` lines in curl).
    Note(&'a str),
    /// A request head as sent (`>` lines), CONNECT included.
    RequestHead(&'a [u8]),
    /// A response head as received (`<` lines), interim and CONNECT ones included.
    ResponseHead(&'a [u8]),
}

/// An observer of [`Trace`] events.
pub type TraceFn = Arc<dyn Fn(&Trace<'_>) + Send + Sync>;

/// The optional observer, as the layers pass it down: notes also go to
/// `log::debug!` so `RUST_LOG=debug` shows them without an observer.
#[derive(Clone, Default)]
pub(crate) struct Tracer(pub(crate) Option<TraceFn>);

impl Tracer {
    /// A connection note.
    pub(crate) fn note(&self, msg: &str) {
        log::debug!("{msg}");
        self.emit(&Trace::Note(msg));
    }

    /// Any event (heads are not logged: they can be large).
    pub(crate) fn emit(&self, ev: &Trace<'_>) {
        if let Some(t) = &self.0 {
            t(ev);
        }
    }
}
