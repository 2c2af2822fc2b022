//! The incremental, zero-copy parser for request and response heads.
//!
//! ```text
//!  buf: | request-line CRLF | field-line CRLF | ... | CRLF | body ...
//!        '------------------ head (Complete(view, n)) -----'
//! ```
//!
//! A call either finds the blank line that ends the head and answers
//! `Complete((view, n))`, where `n` counts the head's bytes, or answers
//! `Partial` and remembers how far it got. The next call (with the same
//! bytes and more appended) resumes the line scan where the last one
//! stopped, so a head that arrives one byte at a time costs O(n) in all,
//! and the full parse runs only once the head is complete. Views borrow
//! the caller's buffer and the caller's header slots; nothing allocates.
//!
//! The rules are strict (RFC 9112, DESIGN.md "Protocol rules"): lines end
//! in CRLF, no bare CR or LF, no obs-fold, no whitespace before a colon,
//! token bytes in names, no control bytes in values. Two leniencies exist,
//! for responses only and only when asked for: a bare LF as a line end
//! ([`ResponseParser::bare_lf`], RFC 9112 2.2 allows it; old appliances
//! and CGI scripts send it), and obs-fold read as spaces
//! ([`ResponseParser::obs_fold`], what RFC 9112 5.2 asks of a user
//! agent). Requests never get them: a server that is lenient where a
//! proxy in front of it is strict can be made to see a different request
//! (smuggling).

use crate::chars::{is_crlf_at, is_tchar, target_end, token_end, value_end, ValueEnd};
use crate::headers::trim_ows;
use crate::{
    FieldNotes, Headers, Method, ParseError, RequestHead, ResponseHead, StatusCode, Version,
};
use memchr::memchr;

/// The outcome of a parse that did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status<T> {
    /// The head is complete.
    Complete(T),
    /// More bytes are needed.
    Partial,
}

impl<T> Status<T> {
    /// True for `Complete`.
    pub fn is_complete(&self) -> bool {
        matches!(self, Status::Complete(_))
    }
}

/// One header field, borrowed from the caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'b> {
    /// The name as sent: token bytes, so always ASCII (see [`Header::name_str`]).
    /// Bytes rather than `&str` because turning every name into `&str` is a
    /// UTF-8 check per head that the owned copy ([`RequestView::to_head`])
    /// does not need.
    pub name: &'b [u8],
    /// The value without surrounding whitespace.
    pub value: &'b [u8],
}

impl<'b> Header<'b> {
    /// The name as `&str`. Names are tokens (ASCII), so this is the name.
    pub fn name_str(&self) -> &'b str {
        std::str::from_utf8(self.name).unwrap_or("") // ok: token bytes are ASCII
    }
}

/// An unused header slot.
pub const EMPTY_HEADER: Header<'static> = Header {
    name: b"",
    value: b"",
};

/// Limits on what a head may hold. Each breach is its own error, so a
/// server can answer 414 for the request line and 431 for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the whole head, the blank line included.
    pub max_head_bytes: usize,
    /// Bytes of the request line (or status line), CRLF included.
    pub max_request_line: usize,
    /// Number of header fields.
    pub max_headers: usize,
}

/// nginx answers 414 past 8 KiB of request line and keeps 4 x 8 KiB for a
/// large head; 100 fields is what Go and hyper allow.
impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_head_bytes: 32 * 1024,
            max_request_line: 8 * 1024,
            max_headers: 100,
        }
    }
}

/// A parsed request head, borrowing the buffer (`'b`) and the slots (`'h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestView<'b, 'h> {
    pub method: &'b str,
    pub target: &'b str,
    pub version: Version,
    pub headers: &'h [Header<'b>],
}

impl RequestView<'_, '_> {
    /// Copies the head into owned types (two allocations for all headers).
    pub fn to_head(&self) -> RequestHead {
        RequestHead {
            method: self.owned_method(),
            target: self.target.to_owned(),
            version: self.version,
            headers: owned_headers(self.headers),
        }
    }

    fn owned_method(&self) -> Method {
        // The parser checked that the method is a token.
        Method::from_bytes(self.method.as_bytes())
            .unwrap_or_else(|| Method::Other(self.method.to_owned()))
    }
}

/// A parsed response head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseView<'b, 'h> {
    pub version: Version,
    pub status: u16,
    pub reason: &'b str,
    pub headers: &'h [Header<'b>],
}

impl ResponseView<'_, '_> {
    /// Copies the head into owned types.
    pub fn to_head(&self) -> ResponseHead {
        ResponseHead {
            version: self.version,
            // The parser checked three digits, 100..=999.
            status: StatusCode::new(self.status).unwrap_or(StatusCode::BAD_GATEWAY),
            reason: self.reason.to_owned(),
            headers: unfolded_headers(self.headers),
        }
    }
}

/// The owned copy of response fields, each obs-fold (which only a parser
/// with [`ResponseParser::obs_fold`] lets into a value) replaced with
/// spaces as RFC 9112 5.2 asks: every CR and LF of the value becomes SP,
/// and the value loses its outer whitespace.
fn unfolded_headers(fields: &[Header<'_>]) -> Headers {
    if fields.iter().all(|f| memchr(b'\n', f.value).is_none()) {
        return owned_headers(fields);
    }
    let mut h = Headers::new();
    for f in fields {
        if memchr(b'\n', f.value).is_none() {
            h.append_token_name(f.name, f.value);
            continue;
        }
        let spaced: Vec<u8> = f
            .value
            .iter()
            .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
            .collect();
        h.append_token_name(f.name, trim_ows(&spaced));
    }
    h
}

/// Replaces what `h` holds with the parsed fields, in one allocation for
/// all names and values (reusing `h`'s when it is large enough).
fn fill_headers(h: &mut Headers, fields: &[Header<'_>]) {
    h.clear();
    h.reserve(
        fields.len(),
        fields.iter().map(|f| f.name.len() + f.value.len()).sum(),
    );
    for f in fields {
        h.append_token_name(f.name, f.value);
    }
}

fn owned_headers(fields: &[Header<'_>]) -> Headers {
    let mut h = Headers::new();
    fill_headers(&mut h, fields);
    h
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Request,
    /// `bare_lf`: a lone LF ends a line too (see [`ResponseParser::bare_lf`]);
    /// `obs_fold`: a line that starts with SP or HTAB continues the field
    /// before it ([`ResponseParser::obs_fold`]).
    Response {
        bare_lf: bool,
        obs_fold: bool,
    },
}

impl Kind {
    /// Whether a lone LF ends a line.
    #[inline(always)]
    fn bare_lf(self) -> bool {
        matches!(self, Kind::Response { bare_lf: true, .. })
    }

    /// Whether obs-fold continues a field value.
    #[inline(always)]
    fn obs_fold(self) -> bool {
        matches!(self, Kind::Response { obs_fold: true, .. })
    }
}

/// How far an earlier call got: the line scan resumes here.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Resume {
    /// Offset of the first line not yet seen whole.
    line_start: usize,
    /// Whole lines seen so far (the start line counts).
    lines: usize,
    /// How far the search for the current line's LF got: each byte is
    /// searched once, however the head is split across calls.
    searched: usize,
}

/// Where a full parse stopped.
enum Outcome<T> {
    Done(T),
    Partial(Resume),
}

/// Incremental request-head parser. Keep one per connection; call
/// [`RequestParser::parse`] with the whole unconsumed buffer each time
/// bytes arrive, and [`RequestParser::reset`] after each complete head
/// (a `Complete` answer resets it too).
#[derive(Debug, Clone, Default)]
pub struct RequestParser(Incremental);

impl RequestParser {
    /// A parser with these limits.
    pub fn new(limits: Limits) -> RequestParser {
        RequestParser(Incremental::new(limits))
    }

    /// Forgets any progress: the next call starts a new head.
    pub fn reset(&mut self) {
        self.0.resume = None;
    }

    /// Parses `buf`, which holds everything received since the head began.
    pub fn parse<'b, 'h>(
        &mut self,
        buf: &'b [u8],
        slots: &'h mut [Header<'b>],
    ) -> Result<Status<(RequestView<'b, 'h>, usize)>, ParseError> {
        self.0.drive(buf, Kind::Request, |limits| {
            parse_request_full(buf, slots, limits)
        })
    }

    /// [`RequestParser::parse`] into an owned head instead of a view:
    /// `Complete((n, notes))` once the head (its first `n` bytes of `buf`)
    /// is complete, with `head` replaced by it and `notes` taken of its
    /// fields (for [`crate::check_noted`]). Same rules, limits and resume
    /// logic. Reuses `head`'s allocations (the head's bytes are copied in
    /// one piece, and the fields keep their places in them), so a server
    /// parsing request after request into the same head allocates nothing
    /// once its buffers have grown to fit, and needs no header slots. On
    /// `Partial` or an error, `head` holds no fields and its other parts
    /// are unspecified.
    pub fn parse_into(
        &mut self,
        buf: &[u8],
        head: &mut RequestHead,
    ) -> Result<Status<(usize, FieldNotes)>, ParseError> {
        self.0.drive(buf, Kind::Request, |limits| {
            parse_request_into(buf, head, limits)
        })
    }
}

/// Incremental response-head parser; same contract as [`RequestParser`].
/// Strict by default; [`ResponseParser::bare_lf`] makes it accept a lone
/// LF as a line end, [`ResponseParser::obs_fold`] folded field values.
#[derive(Debug, Clone, Default)]
pub struct ResponseParser {
    incremental: Incremental,
    bare_lf: bool,
    obs_fold: bool,
}

impl ResponseParser {
    /// A parser with these limits.
    pub fn new(limits: Limits) -> ResponseParser {
        ResponseParser {
            incremental: Incremental::new(limits),
            bare_lf: false,
            obs_fold: false,
        }
    }

    /// With `true`, a lone LF ends the status line, a field line or the
    /// head, as CRLF does (RFC 9112 2.2: a recipient MAY recognise a single
    /// LF as a line terminator and ignore any preceding CR); `n` in
    /// `Complete((view, n))` still counts the head's bytes as sent. A bare
    /// CR (not followed by LF) stays an error, and so does everything else
    /// the strict parser refuses. What a client wants for the servers that
    /// send such heads (curl and browsers read them); there is no such
    /// option for requests.
    pub fn bare_lf(mut self, allow: bool) -> ResponseParser {
        self.bare_lf = allow;
        self
    }

    /// With `true`, a field line that starts with SP or HTAB continues the
    /// value of the field before it (`obs-fold = OWS CRLF RWS`, RFC 9112
    /// 5.2), where the strict parser answers [`ParseError::ObsFold`]. RFC
    /// 9112 5.2 says a user agent MUST then replace each obs-fold with SP
    /// before interpreting the value: [`ResponseView::to_head`] does (every
    /// CR and LF of the value becomes SP, and the result loses its outer
    /// whitespace), while a value in the borrowed view still holds the
    /// fold as sent. A line with leading whitespace right after the status
    /// line has no field to continue and stays an error. Requests have no
    /// such option (RFC 9112 5.2 lets a server refuse, which it does).
    pub fn obs_fold(mut self, allow: bool) -> ResponseParser {
        self.obs_fold = allow;
        self
    }

    /// Forgets any progress.
    pub fn reset(&mut self) {
        self.incremental.resume = None;
    }

    /// Parses `buf`, which holds everything received since the head began.
    pub fn parse<'b, 'h>(
        &mut self,
        buf: &'b [u8],
        slots: &'h mut [Header<'b>],
    ) -> Result<Status<(ResponseView<'b, 'h>, usize)>, ParseError> {
        let kind = Kind::Response {
            bare_lf: self.bare_lf,
            obs_fold: self.obs_fold,
        };
        self.incremental
            .drive(buf, kind, |limits| match (self.bare_lf, self.obs_fold) {
                (false, false) => parse_response_full::<false, false>(buf, slots, limits),
                (true, false) => parse_response_full::<true, false>(buf, slots, limits),
                (false, true) => parse_response_full::<false, true>(buf, slots, limits),
                (true, true) => parse_response_full::<true, true>(buf, slots, limits),
            })
    }
}

/// What both incremental parsers hold: their limits, and how far the
/// head seen so far was scanned.
#[derive(Debug, Clone, Default)]
struct Incremental {
    limits: Limits,
    resume: Option<Resume>,
}

impl Incremental {
    fn new(limits: Limits) -> Incremental {
        Incremental {
            limits,
            resume: None,
        }
    }

    /// The resume logic both parsers share: after a `Partial`, scan only
    /// the new bytes until the head is complete, then run the full parse
    /// once.
    fn drive<T>(
        &mut self,
        buf: &[u8],
        kind: Kind,
        full: impl FnOnce(&Limits) -> Result<Outcome<T>, ParseError>,
    ) -> Result<Status<T>, ParseError> {
        if let Some(r) = &mut self.resume {
            if !scan(buf, r, &self.limits, kind)? {
                return Ok(Status::Partial);
            }
        }
        match full(&self.limits)? {
            Outcome::Done(done) => {
                self.resume = None;
                Ok(Status::Complete(done))
            }
            Outcome::Partial(r) => {
                // A partial line holds no LF (every parse step stops at one).
                self.resume = Some(Resume {
                    searched: buf.len(),
                    ..r
                });
                Ok(Status::Partial)
            }
        }
    }
}

/// One-shot request parse: no resume state, same rules.
pub fn parse_request<'b, 'h>(
    buf: &'b [u8],
    slots: &'h mut [Header<'b>],
    limits: &Limits,
) -> Result<Status<(RequestView<'b, 'h>, usize)>, ParseError> {
    Ok(match parse_request_full(buf, slots, limits)? {
        Outcome::Done(d) => Status::Complete(d),
        Outcome::Partial(_) => Status::Partial,
    })
}

/// One-shot response parse (strict: no bare LF).
pub fn parse_response<'b, 'h>(
    buf: &'b [u8],
    slots: &'h mut [Header<'b>],
    limits: &Limits,
) -> Result<Status<(ResponseView<'b, 'h>, usize)>, ParseError> {
    Ok(
        match parse_response_full::<false, false>(buf, slots, limits)? {
            Outcome::Done(d) => Status::Complete(d),
            Outcome::Partial(_) => Status::Partial,
        },
    )
}

mod lines;
mod sink;
mod start_line;

use lines::{parse_request_full, parse_request_into, parse_response_full, scan};

#[cfg(test)]
mod tests;
