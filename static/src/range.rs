//! `Range: bytes=...` (RFC 9110 14.1, 14.2) and the anti-amplification rule.
//!
//! The outcome is one of four answers: ignore the header and send the whole
//! file (invalid syntax, another unit, an empty file, or an abusive set),
//! one range (206), several ranges (206 `multipart/byteranges`), or none
//! satisfiable (416 with `Content-Range: bytes */SIZE`).

/// At most this many ranges are served as `multipart/byteranges`; more is
/// answered with the whole file (200), as a cheap defence against requests
/// that ask for thousands of tiny parts.
pub const MAX_RANGES: usize = 16;

/// An inclusive byte range `first..=last` inside the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub first: u64,
    pub last: u64,
}

impl ByteRange {
    /// Bytes in the range; never 0 (`first <= last`).
    #[allow(clippy::len_without_is_empty)] // a range always holds a byte
    pub fn len(&self) -> u64 {
        self.last - self.first + 1
    }

    /// The `Content-Range` value for this range of a file of `size` bytes.
    pub fn content_range(&self, size: u64) -> String {
        format!("bytes {}-{}/{}", self.first, self.last, size)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeOutcome {
    /// Send the whole representation with 200.
    Full,
    /// 206 with one `Content-Range`.
    Single(ByteRange),
    /// 206 `multipart/byteranges`, parts in the order requested.
    Multiple(Vec<ByteRange>),
    /// 416 with `Content-Range: bytes */SIZE`.
    Unsatisfiable,
}

/// One range-spec as written, before it meets the file size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spec {
    /// `first-` or `first-last`
    From { first: u64, last: Option<u64> },
    /// `-suffix`
    Suffix(u64),
}

/// Evaluates a `Range` header value against a file of `size` bytes.
pub fn evaluate(header: &str, size: u64) -> RangeOutcome {
    let Some(specs) = parse(header) else {
        return RangeOutcome::Full; // an invalid Range header is ignored
    };
    if specs.len() > MAX_RANGES {
        return RangeOutcome::Full;
    }
    if size == 0 {
        // No byte can be addressed; the whole (empty) file is the honest answer.
        return RangeOutcome::Full;
    }
    let ranges: Vec<ByteRange> = specs.iter().filter_map(|s| satisfy(*s, size)).collect();
    match ranges.len() {
        0 => RangeOutcome::Unsatisfiable,
        1 => RangeOutcome::Single(ranges[0]),
        _ if is_abusive(&ranges, size) => RangeOutcome::Full,
        _ => RangeOutcome::Multiple(ranges),
    }
}

/// `ranges-specifier = range-unit "=" range-set`; `None` when invalid.
/// `range-set = 1#range-spec`: empty list elements and OWS around commas are
/// allowed (RFC 9110 5.6.1).
fn parse(header: &str) -> Option<Vec<Spec>> {
    let (unit, set) = header.trim().split_once('=')?;
    if !unit.trim_end().eq_ignore_ascii_case("bytes") {
        return None;
    }
    let mut specs = Vec::new();
    for element in set.split(',') {
        let element = element.trim_matches([' ', '\t']);
        if element.is_empty() {
            continue;
        }
        specs.push(parse_spec(element)?);
        if specs.len() > MAX_RANGES {
            // More than we would ever serve, so the answer is the whole file
            // whatever follows (an invalid rest would also mean the whole file).
            return Some(specs);
        }
    }
    if specs.is_empty() {
        None
    } else {
        Some(specs)
    }
}

fn parse_spec(s: &str) -> Option<Spec> {
    let (a, b) = s.split_once('-')?;
    if a.is_empty() {
        return Some(Spec::Suffix(digits(b)?));
    }
    let first = digits(a)?;
    let last = if b.is_empty() { None } else { Some(digits(b)?) };
    if matches!(last, Some(last) if last < first) {
        return None; // "an int-range with last < first is invalid"
    }
    Some(Spec::From { first, last })
}

/// `1*DIGIT` without sign or spaces; overflow makes the header invalid.
fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The part of `spec` inside a file of `size > 0` bytes, if any.
fn satisfy(spec: Spec, size: u64) -> Option<ByteRange> {
    match spec {
        Spec::From { first, last } if first < size => {
            let last = last.map_or(size - 1, |l| l.min(size - 1));
            Some(ByteRange { first, last })
        }
        Spec::From { .. } => None,
        Spec::Suffix(0) => None,
        Spec::Suffix(n) => Some(ByteRange {
            first: size.saturating_sub(n),
            last: size - 1,
        }),
    }
}

/// nginx's rule plus one: overlapping ranges, or ranges whose lengths add up to more than the file.
fn is_abusive(ranges: &[ByteRange], size: u64) -> bool {
    let total = ranges
        .iter()
        .fold(0u64, |acc, r| acc.saturating_add(r.len()));
    if total > size {
        return true;
    }
    let mut sorted = ranges.to_vec();
    sorted.sort_by_key(|r| r.first);
    sorted.windows(2).any(|w| w[1].first <= w[0].last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use RangeOutcome::*;

    fn r(first: u64, last: u64) -> ByteRange {
        ByteRange { first, last }
    }

    #[test]
    fn evaluate_table() {
        // (header, size, outcome)
        let table: Vec<(&str, u64, RangeOutcome)> = vec![
            ("bytes=0-0", 100, Single(r(0, 0))),
            ("bytes=0-99", 100, Single(r(0, 99))),
            ("bytes=10-19", 100, Single(r(10, 19))),
            ("bytes=90-200", 100, Single(r(90, 99))), // end clamped
            ("bytes=90-", 100, Single(r(90, 99))),
            ("bytes=-10", 100, Single(r(90, 99))),
            ("bytes=-1000", 100, Single(r(0, 99))),
            ("BYTES=1-2", 100, Single(r(1, 2))),
            ("bytes = 1-2", 100, Single(r(1, 2))),
            ("bytes=1-2, ,", 100, Single(r(1, 2))),
            ("bytes=100-", 100, Unsatisfiable),
            ("bytes=100-200", 100, Unsatisfiable),
            ("bytes=-0", 100, Unsatisfiable),
            ("bytes=200-300, -0", 100, Unsatisfiable),
            // unsatisfiable members are dropped, the rest served
            ("bytes=200-300, 5-9", 100, Single(r(5, 9))),
            ("bytes=0-4, 10-14", 100, Multiple(vec![r(0, 4), r(10, 14)])),
            ("bytes=10-14,0-4", 100, Multiple(vec![r(10, 14), r(0, 4)])),
            ("bytes=0-4,5-9", 100, Multiple(vec![r(0, 4), r(5, 9)])),
            ("bytes=0-4,\t-5", 100, Multiple(vec![r(0, 4), r(95, 99)])),
            // anti-amplification: overlap, sum over size, too many
            ("bytes=0-10,5-20", 100, Full),
            ("bytes=0-,0-", 100, Full),
            ("bytes=0-60,61-99,-1", 100, Full),
            ("bytes=-60,0-50", 100, Full),
            // invalid: ignored
            ("bytes=5-4", 100, Full),
            ("bytes=", 100, Full),
            ("bytes=,", 100, Full),
            ("bytes=a-b", 100, Full),
            ("bytes=1-2-3", 100, Full),
            ("bytes=+1-2", 100, Full),
            ("bytes=-", 100, Full),
            ("bytes=0-1,x", 100, Full),
            ("bytes=99999999999999999999-", 100, Full),
            ("items=0-1", 100, Full),
            ("bytes 0-1", 100, Full),
            ("", 100, Full),
            // empty file: nothing to address
            ("bytes=0-", 0, Full),
            ("bytes=-5", 0, Full),
        ];
        for (header, size, expect) in table {
            assert_eq!(evaluate(header, size), expect, "{header:?} on {size}");
        }
    }

    #[test]
    fn too_many_ranges_is_full() {
        let many: Vec<String> = (0..=MAX_RANGES as u64)
            .map(|i| format!("{}-{}", i * 10, i * 10 + 1))
            .collect();
        let header = format!("bytes={}", many.join(","));
        assert_eq!(evaluate(&header, 10_000), Full);
        let ok: Vec<String> = (0..MAX_RANGES as u64)
            .map(|i| format!("{}-{}", i * 10, i * 10 + 1))
            .collect();
        let header = format!("bytes={}", ok.join(","));
        assert!(matches!(evaluate(&header, 10_000), Multiple(v) if v.len() == MAX_RANGES));
    }

    #[test]
    fn huge_header_is_cheap() {
        let header = format!("bytes={}", "0-0,".repeat(100_000));
        assert_eq!(evaluate(&header, 10), Full);
    }

    #[test]
    fn content_range_values() {
        assert_eq!(r(0, 0).content_range(1), "bytes 0-0/1");
        assert_eq!(r(5, 9).content_range(100), "bytes 5-9/100");
        assert_eq!(r(5, 9).len(), 5);
    }
}
