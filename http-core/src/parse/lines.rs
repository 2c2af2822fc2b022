//! The head grammar, one small function per rule: field lines (strict, or
//! lenient for responses when asked), the limits, the resumable line scan
//! and the full parse that builds views (the start lines are in
//! `start_line.rs`).

use super::sink::{FieldSink, Noted};
use super::start_line::{request_line, status_line};
use super::*;
use std::ops::Range;

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
pub(super) fn scan(
    buf: &[u8],
    r: &mut Resume,
    limits: &Limits,
    kind: Kind,
) -> Result<bool, ParseError> {
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

/// Where a complete request head's parts lie in the buffer.
pub(super) struct RequestParts {
    /// The method's bytes (a token).
    pub(super) method: Range<usize>,
    /// The request-target's bytes (no control byte or space).
    pub(super) target: Range<usize>,
    pub(super) version: Version,
    /// Number of field lines.
    pub(super) fields: usize,
    /// The head's length, blank line included.
    pub(super) end: usize,
}

/// The request grammar, with the field lines going to `sink`: the one
/// parse behind both the borrowed view and the owned head.
#[inline(always)]
pub(super) fn parse_request_parts<'b, S: FieldSink<'b> + ?Sized>(
    buf: &'b [u8],
    sink: &mut S,
    limits: &Limits,
) -> Result<Outcome<RequestParts>, ParseError> {
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
    Ok(
        match header_lines(buf, &mut r, sink, limits, Kind::Request)? {
            Outcome::Partial(r) => Outcome::Partial(r),
            Outcome::Done((fields, end)) => Outcome::Done(RequestParts {
                method: start..sp1,
                target: sp1 + 1..sp2,
                version,
                fields,
                end,
            }),
        },
    )
}

pub(super) fn parse_request_full<'b, 'h>(
    buf: &'b [u8],
    slots: &'h mut [Header<'b>],
    limits: &Limits,
) -> Result<Outcome<RequestDone<'b, 'h>>, ParseError> {
    let parts = match parse_request_parts(buf, slots, limits)? {
        Outcome::Partial(r) => return Ok(Outcome::Partial(r)),
        Outcome::Done(parts) => parts,
    };
    let method = &buf[parts.method];
    let method = match Method::standard_name(method) {
        Some(name) => name,
        None => std::str::from_utf8(method).map_err(|_| ParseError::Method)?,
    };
    let target = crate::ascii::to_str(&buf[parts.target]).ok_or(ParseError::Target)?;
    if target.as_bytes().first() != Some(&b'/') || method == "CONNECT" {
        let standard = Method::standard(method.as_bytes());
        let method = standard.unwrap_or_else(|| Method::other_token(method.as_bytes()));
        crate::check_target_form(target, &method)?;
    }
    let headers: &'h [Header<'b>] = slots;
    Ok(Outcome::Done((
        RequestView {
            method,
            target,
            version: parts.version,
            headers: &headers[..parts.fields],
        },
        parts.end,
    )))
}

/// The full parse into an owned head, reusing its allocations: the head's
/// bytes are copied in one piece into `head.headers`, whose fields keep
/// their places in them, and the method and target are set from it. The
/// framing fields are noted on the way.
pub(super) fn parse_request_into(
    buf: &[u8],
    head: &mut RequestHead,
    limits: &Limits,
) -> Result<Outcome<(usize, FieldNotes)>, ParseError> {
    head.headers.begin_parsed();
    let mut sink = Noted {
        headers: &mut head.headers,
        notes: FieldNotes::default(),
    };
    let parts = match parse_request_parts(buf, &mut sink, limits) {
        Ok(Outcome::Done(parts)) => parts,
        // No fields without their bytes: the head is left empty.
        Ok(Outcome::Partial(r)) => {
            head.headers.clear();
            return Ok(Outcome::Partial(r));
        }
        Err(e) => {
            head.headers.clear();
            return Err(e);
        }
    };
    let notes = sink.notes;
    let raw = &buf[..parts.end];
    // Spans are u32: a head past 4 GiB (limits that large) is refused.
    if u32::try_from(raw.len()).is_err() {
        head.headers.clear();
        return Err(ParseError::HeadTooLarge);
    }
    head.headers.finish_parsed(raw);
    let method = &buf[parts.method];
    // The grammar checked that the method is a token.
    head.method = Method::standard(method).unwrap_or_else(|| Method::other_token(method));
    let target = crate::ascii::to_str(&buf[parts.target]).ok_or(ParseError::Target)?;
    if let Err(e) = crate::check_target_form(target, &head.method) {
        head.headers.clear();
        return Err(e);
    }
    head.target.clear();
    head.target.push_str(target);
    head.version = parts.version;
    Ok(Outcome::Done((parts.end, notes)))
}

/// The leniencies are const parameters, so that each combination is its
/// own copy and the strict one checks nothing more per field line than a
/// request does.
pub(super) fn parse_response_full<'b, 'h, const BARE_LF: bool, const OBS_FOLD: bool>(
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
            let reason = crate::ascii::to_str(&buf[reason_start..reason_end]).unwrap_or("");
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
fn header_lines<'b, S: FieldSink<'b> + ?Sized>(
    buf: &'b [u8],
    r: &mut Resume,
    sink: &mut S,
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
            Line::Field(colon, value, next) => {
                if next > max_head {
                    return Err(ParseError::HeadTooLarge);
                }
                if fields_before + n >= max_fields {
                    return Err(ParseError::TooManyHeaders);
                }
                sink.put(n, buf, i..colon, value)?;
                n += 1;
                line_start = next;
            }
        }
    }
}

/// What one field line turned out to be.
enum Line {
    /// The blank line (CRLF) that ends the head.
    Blank,
    /// The blank line as a lone LF ([`ResponseParser::bare_lf`]).
    BlankLf,
    /// A field: where its name ends (at the colon; it starts where the
    /// line does), where its value lies, and the offset of the next line.
    Field(usize, Range<usize>, usize),
    /// The line is not complete yet.
    Partial,
}

/// `field-line = field-name ":" OWS field-value OWS` CRLF (RFC 9112 5),
/// or the blank line, starting at offset `i`; with `kind.bare_lf()`, a
/// lone LF ends either too.
#[inline(always)]
fn field_line(buf: &[u8], i: usize, kind: Kind) -> Result<Line, ParseError> {
    // The blank line, tested first: it ends every head, and the name scan
    // would find it only after a word's work.
    if is_crlf_at(buf, i) {
        return Ok(Line::Blank);
    }
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
    // Mostly one SP and then a value byte: test those, loop only else.
    let v = match buf.get(colon + 1..colon + 3) {
        Some(&[b' ', b]) if b > b' ' => colon + 2,
        _ => after_ows(buf, colon + 1),
    };
    if kind.bare_lf() || kind.obs_fold() {
        return lenient_field_value(buf, colon, v, kind);
    }
    let cr = match value_end(buf, v) {
        ValueEnd::Crlf(cr) => cr,
        ValueEnd::Partial => return Ok(Line::Partial),
        ValueEnd::BareLineEnding => return Err(ParseError::LineEnding),
        ValueEnd::Control => return Err(ParseError::HeaderValue),
    };
    // Leading OWS is skipped above; strip the trailing OWS (rare: look
    // at the byte before the CR once, loop only when it is one). The scan
    // let no control byte but HTAB through, so a byte up to SP before the
    // CR is SP or HTAB (or the OWS skipped before an empty value). The
    // value scan starts at `v`, so `v <= cr`, and `cr > colon`.
    let end = match buf.get(cr - 1) {
        Some(&b) if b <= b' ' => without_trailing_ows(buf, v, cr),
        _ => cr,
    };
    Ok(Line::Field(colon, v..end, cr + 2))
}

/// The offset of the first byte at or after `v` that is not SP or HTAB.
#[inline]
fn after_ows(buf: &[u8], mut v: usize) -> usize {
    while let Some(b' ' | b'\t') = buf.get(v) {
        v += 1;
    }
    v
}

/// Where `buf[start..end]` ends without its trailing SP and HTAB.
#[cold]
fn without_trailing_ows(buf: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && matches!(buf[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    end
}

/// The value part of [`field_line`] for a response parser with a
/// leniency: a bare LF may end the line, and obs-fold may continue it.
/// Kept apart so that the strict loop stays as small as it was.
#[inline(never)]
fn lenient_field_value(buf: &[u8], colon: usize, v: usize, kind: Kind) -> Result<Line, ParseError> {
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
    let end = without_trailing_ows(buf, v, cr);
    Ok(Line::Field(colon, v.min(end)..end, next))
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
pub(super) fn bare_lf_at(buf: &[u8], from: usize, allowed: bool) -> Option<usize> {
    if !allowed {
        return None;
    }
    let at = from + buf[from..].iter().position(|&b| b == b'\r' || b == b'\n')?;
    (buf[at] == b'\n').then_some(at)
}
