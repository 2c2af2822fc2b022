//! The start lines: the request line and the status line, and the
//! `HTTP-version` both begin or end with.

use super::lines::bare_lf_at;
use super::*;

/// `request-line = method SP request-target SP HTTP-version` CRLF
/// (RFC 9112 3), starting at `i`: the parts and the offset of the next
/// line, or `None` when the line is not complete.
#[inline(always)]
pub(super) fn request_line(
    buf: &[u8],
    i: usize,
) -> Result<Option<(usize, usize, Version, usize)>, ParseError> {
    // Most requests are GETs: their method is known without a scan.
    let sp1 = if buf.get(i..i + 4) == Some(b"GET ") {
        i + 3
    } else {
        token_end(buf, i)
    };
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
pub(super) fn status_line(
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
///
/// HTTP/1.2 to HTTP/1.9 are read as HTTP/1.1: RFC 9110 2.5 says a
/// recipient SHOULD process a message of a higher minor version as if it
/// were of the highest minor version it implements (the answer says
/// HTTP/1.1). Another major version (HTTP/0.9, HTTP/2.0) is refused
/// ([`ParseError::UnsupportedVersion`], 505).
#[inline(always)]
fn version(v: &[u8]) -> Result<Version, ParseError> {
    // One 8-byte comparison each for the two versions we speak.
    let word = v.try_into().map(u64::from_le_bytes).unwrap_or(0);
    if word == u64::from_le_bytes(*b"HTTP/1.1") {
        return Ok(Version::Http11);
    }
    if word == u64::from_le_bytes(*b"HTTP/1.0") {
        return Ok(Version::Http10);
    }
    match v {
        [b'H', b'T', b'T', b'P', b'/', b'1', b'.', minor] if minor.is_ascii_digit() => {
            Ok(Version::Http11)
        }
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            Err(ParseError::UnsupportedVersion)
        }
        _ => Err(ParseError::Version),
    }
}
