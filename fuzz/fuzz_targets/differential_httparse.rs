//! Differential: the same bytes to http-core's request parser and to
//! httparse. They must agree on whether a head is complete, where it ends,
//! its method, target, version and every field's name and value, and
//! neither may accept a head the other refuses, except where a difference
//! is deliberate. The deliberate ones, each checked on the bytes (never
//! assumed from the verdicts):
//!
//! - we refuse a bare LF as a line ending in a request head (RFC 9112 2.2
//!   allows a recipient to accept it; a proxy in front that does not is a
//!   smuggling risk); httparse accepts it;
//! - we refuse a request-target that is none of RFC 9112 3.2's four forms
//!   for its method (`GET ! HTTP/1.1`, `GET * HTTP/1.1`), and one that is
//!   not UTF-8; httparse checks only the bytes;
//! - we read HTTP/1.2 to HTTP/1.9 as HTTP/1.1 (RFC 9110 2.5); httparse
//!   refuses them;
//! - we refuse heads past our limits (request line 8 KiB, head 32 KiB);
//!   httparse has none.
#![no_main]
use brisk_core::{parse_request, Limits, Method, Status, Version, EMPTY_HEADER};
use libfuzzer_sys::fuzz_target;

/// What a parser made of the bytes: `None` while the head is incomplete.
type Verdict = Option<Result<Head, ()>>;

#[derive(Debug, PartialEq, Eq)]
struct Head {
    method: String,
    target: Vec<u8>,
    minor: u8,
    fields: Vec<(Vec<u8>, Vec<u8>)>,
    end: usize,
}

const SLOTS: usize = 64;

fn ours(data: &[u8]) -> Verdict {
    let mut slots = [EMPTY_HEADER; SLOTS];
    match parse_request(data, &mut slots, &Limits::default()) {
        Ok(Status::Complete((v, end))) => Some(Ok(Head {
            method: v.method.to_owned(),
            target: v.target.as_bytes().to_vec(),
            minor: match v.version {
                Version::Http10 => 0,
                Version::Http11 => 1,
            },
            fields: v
                .headers
                .iter()
                .map(|h| (h.name.to_vec(), h.value.to_vec()))
                .collect(),
            end,
        })),
        Ok(Status::Partial) => None,
        Err(_) => Some(Err(())),
    }
}

fn theirs(data: &[u8]) -> Verdict {
    let mut slots = [httparse::EMPTY_HEADER; SLOTS];
    let mut r = httparse::Request::new(&mut slots);
    match r.parse(data) {
        Ok(httparse::Status::Complete(end)) => Some(Ok(Head {
            method: r.method.unwrap_or_default().to_owned(),
            target: r.path.unwrap_or_default().as_bytes().to_vec(),
            minor: r.version.unwrap_or(9),
            fields: r
                .headers
                .iter()
                .map(|h| (h.name.as_bytes().to_vec(), h.value.to_vec()))
                .collect(),
            end,
        })),
        Ok(httparse::Status::Partial) => None,
        Err(_) => Some(Err(())),
    }
}

/// The head's bytes as far as the first empty line (all of `data` when
/// there is none), after the empty lines both parsers skip first.
fn head_bytes(data: &[u8]) -> &[u8] {
    let start = data
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(data.len());
    let rest = &data[start..];
    let end = (0..rest.len())
        .find(|&i| rest[i..].starts_with(b"\r\n\r\n") || rest[i..].starts_with(b"\n\n"))
        .map_or(rest.len(), |i| i + 4);
    &rest[..end.min(rest.len())]
}

/// The request line's three parts, split at single spaces.
fn request_line(head: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let line_end = head.iter().position(|&b| b == b'\r' || b == b'\n')?;
    let mut parts = head[..line_end].splitn(3, |&b| b == b' ');
    Some((parts.next()?, parts.next()?, parts.next()?))
}

/// Why we refuse where httparse accepts, when the reason is deliberate.
fn we_refuse_deliberately(data: &[u8]) -> Option<&'static str> {
    let head = head_bytes(data);
    let limits = Limits::default();
    if head.len() > limits.max_head_bytes
        || head.iter().position(|&b| b == b'\n').unwrap_or(head.len()) > limits.max_request_line
    {
        return Some("past our limits");
    }
    // In the head or in the empty lines before it.
    let lines = &data[..(head.as_ptr() as usize - data.as_ptr() as usize) + head.len()];
    if lines
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\n' && (i == 0 || lines[i - 1] != b'\r'))
    {
        return Some("a bare LF ends a line");
    }
    let (method, target, _) = request_line(head)?;
    let Ok(target) = std::str::from_utf8(target) else {
        return Some("a target that is not UTF-8");
    };
    let Some(method) = Method::from_bytes(method) else {
        return None;
    };
    if brisk_core::check_target_form(target, &method).is_err() {
        return Some("none of the four target forms for this method");
    }
    None
}

/// Why httparse refuses where we accept, when the reason is deliberate.
fn they_refuse_deliberately(data: &[u8]) -> Option<&'static str> {
    let (_, _, version) = request_line(head_bytes(data))?;
    let newer_minor = version.len() == 8
        && version.starts_with(b"HTTP/1.")
        && (b'2'..=b'9').contains(&version[7]);
    newer_minor.then_some("HTTP/1.2 to 1.9 read as HTTP/1.1")
}

fuzz_target!(|data: &[u8]| {
    let (a, b) = (ours(data), theirs(data));
    match (&a, &b) {
        (Some(Ok(x)), Some(Ok(y))) => {
            if x != y {
                // The same head, read as 1.1 by us and refused... cannot
                // be; any other difference in a head both accept is a bug.
                panic!("both accept, read differently:\nours   {x:?}\ntheirs {y:?}");
            }
        }
        (Some(Ok(_)), Some(Err(()))) | (Some(Ok(_)), None) => {
            if they_refuse_deliberately(data).is_none() {
                panic!("we accept what httparse does not ({b:?})");
            }
        }
        (Some(Err(())), Some(Ok(_))) | (None, Some(Ok(_))) => {
            if we_refuse_deliberately(data).is_none() {
                panic!("httparse accepts what we do not ({a:?})");
            }
        }
        // Neither accepts a head: an error one parser reports inside a
        // line the other still waits for the end of is not a disagreement.
        _ => {}
    }
});
