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

use crate::chars::{is_tchar, target_end, token_end, value_end, ValueEnd};
use crate::headers::trim_ows;
use crate::{Headers, Method, ParseError, RequestHead, ResponseHead, StatusCode, Version};
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

    /// Copies the head into `head`, replacing what it held and reusing its
    /// allocations: a server parsing request after request on a connection
    /// allocates nothing once the buffers have grown to fit.
    pub fn copy_into(&self, head: &mut RequestHead) {
        head.method = self.owned_method();
        head.target.clear();
        head.target.push_str(self.target);
        head.version = self.version;
        fill_headers(&mut head.headers, self.headers);
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

/// Skips the empty lines a request may be preceded by (RFC 9112 2.2: a
/// server SHOULD ignore at least one). Returns where the request begins.
#[inline]
fn skip_empty_lines(buf: &[u8], kind: Kind) -> usize {
    let mut pos = 0;
    if kind == Kind::Request {
        while buf.get(pos..pos + 2) == Some(b"\r\n") {
            pos += 2;
        }
    }
    pos
}

/// The limit checks shared by the scan and the full parse, for a line that
/// ends (after its LF) at `end`, being line number `lines` (0 = start line).
#[inline]
fn check_line(end: usize, r: &Resume, limits: &Limits, kind: Kind) -> Result<(), ParseError> {
    let head = end;
    if r.lines == 0 && head > limits.max_request_line {
        return Err(match kind {
            Kind::Request => ParseError::RequestLineTooLong,
            Kind::Response { .. } => ParseError::HeadTooLarge,
        });
    }
    if head > limits.max_head_bytes {
        return Err(ParseError::HeadTooLarge);
    }
    if r.lines > limits.max_headers {
        return Err(ParseError::TooManyHeaders);
    }
    Ok(())
}

/// The limit checks for an incomplete last line, so that a peer cannot
/// make us buffer more than the limits by never sending a LF.
#[inline]
fn check_partial(buf: &[u8], r: &Resume, limits: &Limits, kind: Kind) -> Result<(), ParseError> {
    let head = buf.len();
    if r.lines == 0 {
        if head > limits.max_request_line {
            return Err(match kind {
                Kind::Request => ParseError::RequestLineTooLong,
                Kind::Response { .. } => ParseError::HeadTooLarge,
            });
        }
        if kind == Kind::Request {
            // Reject garbage (a TLS hello on a plain port, say) at once
            // instead of waiting for a line end that may never come.
            // Methods are short: look at the first bytes only, so a long
            // partial line costs O(1) here on every call.
            let line = &buf[r.line_start..buf.len().min(r.line_start + 32)];
            let method_end = memchr(b' ', line).unwrap_or(line.len());
            if !line[..method_end]
                .iter()
                .all(|&b| is_tchar(b) || b == b'\r')
            {
                return Err(ParseError::Method);
            }
        }
    }
    if head > limits.max_head_bytes {
        return Err(ParseError::HeadTooLarge);
    }
    Ok(())
}

/// Resumes after a `Partial`: finds each newly completed line with one
/// LF search over bytes not searched before, and checks it with the same
/// rules as the full parse (without keeping anything), so an error shows
/// as soon as its line is complete, whatever the split. True once the
/// blank line has been seen; the caller then runs the full parse once.
fn scan(buf: &[u8], r: &mut Resume, limits: &Limits, kind: Kind) -> Result<bool, ParseError> {
    loop {
        // With obs-fold a field may span lines and wait for the byte after
        // its LF, so the LFs searched past are not all line ends seen:
        // search from the current line's start instead (the line, not the
        // head, is searched again).
        let from = if kind.obs_fold() {
            r.line_start
        } else {
            r.searched.max(r.line_start)
        };
        let Some(lf) = memchr(b'\n', buf.get(from..).unwrap_or_default()).map(|i| from + i) else {
            r.searched = buf.len();
            check_partial(buf, r, limits, kind)?;
            return Ok(false);
        };
        r.searched = lf + 1;
        if r.lines == 0 {
            if kind == Kind::Request && lf == r.line_start + 1 && buf[r.line_start] == b'\r' {
                // An empty line before the request line: skipped, but its
                // bytes count against the limits.
                check_line(lf + 1, r, limits, kind)?;
                r.line_start = lf + 1;
                continue;
            }
            let next = match kind {
                Kind::Request => request_line(buf, r.line_start)?.map(|(.., next)| next),
                Kind::Response { .. } => status_line(buf, kind.bare_lf())?.map(|(.., next)| next),
            };
            // The line is complete, so a `None` means its LF came early.
            let next = next.ok_or(ParseError::LineEnding)?;
            check_line(next, r, limits, kind)?;
            r.lines = 1;
            r.line_start = next;
        } else {
            match field_line(buf, r.line_start, kind)? {
                Line::Blank | Line::BlankLf => return Ok(true),
                Line::Field(.., next) => {
                    check_line(next, r, limits, kind)?;
                    r.lines += 1;
                    r.line_start = next;
                }
                // With obs-fold, a complete line waits for the byte after
                // it (a fold may follow); else field_line found its end or
                // failed, so the LF came early.
                Line::Partial if kind.obs_fold() => return Ok(false),
                Line::Partial => return Err(ParseError::LineEnding),
            }
        }
    }
}

type RequestDone<'b, 'h> = (RequestView<'b, 'h>, usize);
type ResponseDone<'b, 'h> = (ResponseView<'b, 'h>, usize);

fn parse_request_full<'b, 'h>(
    buf: &'b [u8],
    slots: &'h mut [Header<'b>],
    limits: &Limits,
) -> Result<Outcome<RequestDone<'b, 'h>>, ParseError> {
    let start = skip_empty_lines(buf, Kind::Request);
    // Skipped empty lines count against the limits, as head bytes.
    let mut r = Resume {
        line_start: start,
        lines: 0,
        searched: 0,
    };
    let Some((sp1, sp2, version, next)) = request_line(buf, start)? else {
        check_partial(buf, &r, limits, Kind::Request)?;
        return Ok(Outcome::Partial(r));
    };
    check_line(next, &r, limits, Kind::Request)?;
    r.lines = 1;
    r.line_start = next;
    match header_lines(buf, &mut r, slots, limits, Kind::Request)? {
        Outcome::Partial(r) => Ok(Outcome::Partial(r)),
        Outcome::Done((n, end)) => {
            let method = std::str::from_utf8(&buf[start..sp1]).map_err(|_| ParseError::Method)?;
            let target = std::str::from_utf8(&buf[sp1 + 1..sp2]).map_err(|_| ParseError::Target)?;
            let headers: &'h [Header<'b>] = slots;
            Ok(Outcome::Done((
                RequestView {
                    method,
                    target,
                    version,
                    headers: &headers[..n],
                },
                end,
            )))
        }
    }
}

/// The leniencies are const parameters, so that each combination is its
/// own copy and the strict one checks nothing more per field line than a
/// request does.
fn parse_response_full<'b, 'h, const BARE_LF: bool, const OBS_FOLD: bool>(
    buf: &'b [u8],
    slots: &'h mut [Header<'b>],
    limits: &Limits,
) -> Result<Outcome<ResponseDone<'b, 'h>>, ParseError> {
    let kind = Kind::Response {
        bare_lf: BARE_LF,
        obs_fold: OBS_FOLD,
    };
    let mut r = Resume::default();
    let Some((version, status, (reason_start, reason_end), next)) =
        status_line(buf, kind.bare_lf())?
    else {
        check_partial(buf, &r, limits, kind)?;
        return Ok(Outcome::Partial(r));
    };
    check_line(next, &r, limits, kind)?;
    r.lines = 1;
    r.line_start = next;
    match header_lines(buf, &mut r, slots, limits, kind)? {
        Outcome::Partial(r) => Ok(Outcome::Partial(r)),
        Outcome::Done((n, end)) => {
            // Reason phrases may be obs-text; keep them only when UTF-8.
            let reason = std::str::from_utf8(&buf[reason_start..reason_end]).unwrap_or("");
            let headers: &'h [Header<'b>] = slots;
            Ok(Outcome::Done((
                ResponseView {
                    version,
                    status,
                    reason,
                    headers: &headers[..n],
                },
                end,
            )))
        }
    }
}

/// Parses field lines from `r.line_start` into `slots` up to the blank
/// line, in one pass over the bytes: `Done((fields, head_end))`, or
/// `Partial` with the resume point (the start of the incomplete line).
#[inline(always)]
fn header_lines<'b>(
    buf: &'b [u8],
    r: &mut Resume,
    slots: &mut [Header<'b>],
    limits: &Limits,
    kind: Kind,
) -> Result<Outcome<(usize, usize)>, ParseError> {
    let mut n = 0;
    // Field lines only meet these two limits (the start line is behind us);
    // locals keep them in registers in the hot loop.
    let (max_head, max_fields) = (limits.max_head_bytes, limits.max_headers);
    let mut line_start = r.line_start;
    let fields_before = r.lines - 1;
    loop {
        let i = line_start;
        match field_line(buf, i, kind)? {
            Line::Partial => {
                r.line_start = line_start;
                r.lines = fields_before + n + 1;
                check_partial(buf, r, limits, kind)?;
                return Ok(Outcome::Partial(*r));
            }
            Line::Blank => return Ok(Outcome::Done((n, i + 2))),
            Line::BlankLf => return Ok(Outcome::Done((n, i + 1))),
            Line::Field(name, value, next) => {
                if next > max_head {
                    return Err(ParseError::HeadTooLarge);
                }
                if fields_before + n >= max_fields {
                    return Err(ParseError::TooManyHeaders);
                }
                let slot = slots.get_mut(n).ok_or(ParseError::TooManyHeaders)?;
                *slot = Header { name, value };
                n += 1;
                line_start = next;
            }
        }
    }
}

/// What one field line turned out to be.
enum Line<'b> {
    /// The blank line (CRLF) that ends the head.
    Blank,
    /// The blank line as a lone LF ([`ResponseParser::bare_lf`]).
    BlankLf,
    /// A field's name and value, and the offset of the next line.
    Field(&'b [u8], &'b [u8], usize),
    /// The line is not complete yet.
    Partial,
}

/// `field-line = field-name ":" OWS field-value OWS` CRLF (RFC 9112 5),
/// or the blank line, starting at offset `i`; with `kind.bare_lf()`, a
/// lone LF ends either too.
#[inline(always)]
fn field_line(buf: &[u8], i: usize, kind: Kind) -> Result<Line<'_>, ParseError> {
    let colon = token_end(buf, i);
    match buf.get(colon) {
        Some(b':') if colon > i => {}
        // Not a name: the blank line, a partial line, or an error, told
        // apart only now so that the common path tests one byte.
        _ if colon == i => {
            return match (buf.get(i), buf.get(i + 1)) {
                (None, _) | (Some(b'\r'), None) => Ok(Line::Partial),
                (Some(b'\r'), Some(b'\n')) => Ok(Line::Blank),
                (Some(b'\n'), _) if kind.bare_lf() => Ok(Line::BlankLf),
                (Some(b'\r' | b'\n'), _) => Err(ParseError::LineEnding),
                (Some(b' ' | b'\t'), _) => Err(ParseError::ObsFold),
                (Some(_), _) => Err(ParseError::HeaderName),
            }
        }
        None => return Ok(Line::Partial),
        Some(_) => return Err(ParseError::HeaderName),
    }
    let mut v = colon + 1;
    while let Some(b' ' | b'\t') = buf.get(v) {
        v += 1;
    }
    if kind.bare_lf() || kind.obs_fold() {
        return lenient_field_value(buf, i, colon, v, kind);
    }
    let cr = match value_end(buf, v) {
        ValueEnd::Crlf(cr) => cr,
        ValueEnd::Partial => return Ok(Line::Partial),
        ValueEnd::BareLineEnding => return Err(ParseError::LineEnding),
        ValueEnd::Control => return Err(ParseError::HeaderValue),
    };
    // Leading OWS is skipped above; strip the trailing OWS.
    let mut end = cr;
    while end > v && matches!(buf[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    Ok(Line::Field(&buf[i..colon], &buf[v.min(end)..end], cr + 2))
}

/// The value part of [`field_line`] for a response parser with a
/// leniency: a bare LF may end the line, and obs-fold may continue it.
/// Kept apart so that the strict loop stays as small as it was.
#[inline(never)]
fn lenient_field_value(
    buf: &[u8],
    i: usize,
    colon: usize,
    v: usize,
    kind: Kind,
) -> Result<Line<'_>, ParseError> {
    let Some((mut cr, mut next)) = value_line_end(buf, v, kind)? else {
        return Ok(Line::Partial);
    };
    if kind.obs_fold() {
        // obs-fold = OWS CRLF RWS: the value goes on after the line end.
        loop {
            match buf.get(next) {
                None => return Ok(Line::Partial),
                Some(b' ' | b'\t') => match value_line_end(buf, next + 1, kind)? {
                    Some(end) => (cr, next) = end,
                    None => return Ok(Line::Partial),
                },
                Some(_) => break,
            }
        }
    }
    let mut end = cr;
    while end > v && matches!(buf[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    Ok(Line::Field(&buf[i..colon], &buf[v.min(end)..end], next))
}

/// Where the field value (or the fold line) starting at `v` ends: the
/// offset of its line end and of the next line, `None` when the line is
/// not complete.
#[inline(always)]
fn value_line_end(buf: &[u8], v: usize, kind: Kind) -> Result<Option<(usize, usize)>, ParseError> {
    match value_end(buf, v) {
        ValueEnd::Crlf(cr) => Ok(Some((cr, cr + 2))),
        ValueEnd::Partial => Ok(None),
        ValueEnd::BareLineEnding => match bare_lf_at(buf, v, kind.bare_lf()) {
            Some(lf) => Ok(Some((lf, lf + 1))),
            None => Err(ParseError::LineEnding),
        },
        ValueEnd::Control => Err(ParseError::HeaderValue),
    }
}

/// After `value_end` answered `BareLineEnding` for a value starting at
/// `from`: where the line ends when `allowed` and the bare byte is an LF
/// (the first CR or LF from `from` is the bare one, since a CRLF before it
/// would have ended the value), else `None`. Off the common path.
#[cold]
fn bare_lf_at(buf: &[u8], from: usize, allowed: bool) -> Option<usize> {
    if !allowed {
        return None;
    }
    let at = from + buf[from..].iter().position(|&b| b == b'\r' || b == b'\n')?;
    (buf[at] == b'\n').then_some(at)
}

/// `request-line = method SP request-target SP HTTP-version` CRLF
/// (RFC 9112 3), starting at `i`: the parts and the offset of the next
/// line, or `None` when the line is not complete.
#[inline]
fn request_line(
    buf: &[u8],
    i: usize,
) -> Result<Option<(usize, usize, Version, usize)>, ParseError> {
    let sp1 = token_end(buf, i);
    match buf.get(sp1) {
        None => return Ok(None),
        Some(b' ') if sp1 > i => {}
        // The first half of an empty line before the request.
        Some(b'\r') if sp1 == i && buf.len() == i + 1 => return Ok(None),
        Some(_) => return Err(ParseError::Method),
    }
    let t = sp1 + 1;
    let sp2 = target_end(buf, t);
    match buf.get(sp2) {
        None => return Ok(None),
        Some(b' ') if sp2 > t => {}
        Some(_) => return Err(ParseError::Target),
    }
    let v = sp2 + 1;
    let Some(line_end) = buf.get(v..v + 10) else {
        // Fewer bytes than `HTTP/1.1\r\n`: wait, unless the line ended.
        return match memchr(b'\n', &buf[v..]) {
            Some(_) => Err(ParseError::Version),
            None => Ok(None),
        };
    };
    let version = version(&line_end[..8])?;
    match (line_end[8], line_end[9]) {
        (b'\r', b'\n') => {}
        (b'\n', _) | (b'\r', _) => return Err(ParseError::LineEnding),
        _ => return Err(ParseError::Version),
    }
    Ok(Some((sp1, sp2, version, v + 10)))
}

/// `status-line = HTTP-version SP status-code SP [ reason-phrase ]` CRLF
/// (RFC 9112 4). A missing SP before an empty reason is tolerated, as
/// every client does; with `bare_lf`, a lone LF ends the line too. `None`
/// when the line is not complete.
#[inline]
fn status_line(
    buf: &[u8],
    bare_lf: bool,
) -> Result<Option<(Version, u16, (usize, usize), usize)>, ParseError> {
    let Some(head) = buf.get(..12) else {
        if !b"HTTP/1.1 ".starts_with(&buf[..buf.len().min(5)]) {
            return Err(ParseError::Version);
        }
        // Shorter than `HTTP/1.1 200`: wait, unless the line ended.
        return match memchr(b'\n', buf) {
            Some(_) => Err(ParseError::StatusLine),
            None => Ok(None),
        };
    };
    let version = version(&head[..8])?;
    if head[8] != b' ' {
        return Err(ParseError::Version);
    }
    let digits = &head[9..12];
    if !digits.iter().all(u8::is_ascii_digit) || digits[0] == b'0' {
        return Err(ParseError::StatusLine);
    }
    let status = digits
        .iter()
        .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
    let reason_start = match buf.get(12) {
        None => return Ok(None),
        Some(b'\r') => 12,
        Some(b'\n') if bare_lf => 12,
        Some(b' ') => 13,
        Some(_) => return Err(ParseError::StatusLine),
    };
    let (cr, next) = match value_end(buf, reason_start) {
        ValueEnd::Crlf(cr) => (cr, cr + 2),
        ValueEnd::Partial => return Ok(None),
        ValueEnd::BareLineEnding => match bare_lf_at(buf, reason_start, bare_lf) {
            Some(lf) => (lf, lf + 1),
            None => return Err(ParseError::LineEnding),
        },
        ValueEnd::Control => return Err(ParseError::StatusLine),
    };
    Ok(Some((version, status, (reason_start, cr), next)))
}

/// `HTTP-version = "HTTP" "/" DIGIT "." DIGIT`
#[inline]
fn version(v: &[u8]) -> Result<Version, ParseError> {
    match v {
        b"HTTP/1.1" => Ok(Version::Http11),
        b"HTTP/1.0" => Ok(Version::Http10),
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            Err(ParseError::UnsupportedVersion)
        }
        _ => Err(ParseError::Version),
    }
}

#[cfg(test)]
mod tests;
