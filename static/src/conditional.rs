//! Validators and conditional requests (RFC 9110 8.8, 13).
//!
//! [`etag`] and [`last_modified`] make the validators of a file; [`evaluate`]
//! applies the preconditions in the order of RFC 9110 13.2.2; [`if_range`]
//! decides whether a `Range` still applies.

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::encoding::Encoding;

/// A strong ETag for a file: size, modification time (to the nanosecond)
/// and inode, plus the content coding, so that `FILE`, `FILE.gz` and
/// `FILE.br` served under one URL never share a tag (a shared tag would let
/// a cache answer a 304 for the wrong coding).
pub fn etag(meta: &Metadata, encoding: Encoding) -> String {
    etag_of(
        meta.size(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ino(),
        encoding,
    )
}

/// [`etag`] from the stat fields it is made of (for callers that have a
/// `statx` result rather than a `Metadata`: WebDAV listings).
pub fn etag_of(size: u64, mtime: i64, mtime_nsec: i64, ino: u64, encoding: Encoding) -> String {
    let suffix = match encoding {
        Encoding::Identity => "",
        Encoding::Gzip => "-gz",
        Encoding::Brotli => "-br",
    };
    format!("\"{size:x}-{mtime:x}.{mtime_nsec:x}-{ino:x}{suffix}\"")
}

/// The modification time truncated to whole seconds, as HTTP dates carry
/// it; `None` when the filesystem has none.
pub fn last_modified(meta: &Metadata) -> Option<SystemTime> {
    whole_seconds(meta.modified().ok()?)
}

/// `t` truncated to whole seconds (`None` before 1970), so that it
/// compares equal to the HTTP date that names it.
pub fn whole_seconds(t: SystemTime) -> Option<SystemTime> {
    let secs = t.duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

/// The outcome of the preconditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    /// Go on with the request.
    Proceed,
    /// 304 Not Modified (GET or HEAD only).
    NotModified,
    /// 412 Precondition Failed.
    Failed,
}

/// The request fields the preconditions read (each one combined over
/// repeated header lines with ", ").
#[derive(Debug, Clone, Copy, Default)]
pub struct Conditions<'a> {
    pub if_match: Option<&'a str>,
    pub if_none_match: Option<&'a str>,
    pub if_modified_since: Option<&'a str>,
    pub if_unmodified_since: Option<&'a str>,
}

/// RFC 9110 13.2.2, steps 1 to 4, for a representation that exists with
/// validators `etag` and `last_modified`. `get_or_head` selects 304 over 412
/// for a matching If-None-Match and enables If-Modified-Since.
pub fn evaluate(
    c: &Conditions<'_>,
    get_or_head: bool,
    etag: &str,
    last_modified: Option<SystemTime>,
) -> Precondition {
    // 1. If-Match (strong comparison); 2. If-Unmodified-Since only without it.
    if let Some(if_match) = c.if_match {
        if !list_matches(if_match, etag, Comparison::Strong) {
            return Precondition::Failed;
        }
    } else if let (Some(since), Some(lm)) = (
        c.if_unmodified_since.and_then(brisk_core::parse_http_date),
        last_modified,
    ) {
        if lm > since {
            return Precondition::Failed;
        }
    }
    // 3. If-None-Match (weak comparison); 4. If-Modified-Since only without it.
    if let Some(if_none_match) = c.if_none_match {
        if list_matches(if_none_match, etag, Comparison::Weak) {
            return if get_or_head {
                Precondition::NotModified
            } else {
                Precondition::Failed
            };
        }
    } else if get_or_head {
        if let (Some(since), Some(lm)) = (
            c.if_modified_since.and_then(brisk_core::parse_http_date),
            last_modified,
        ) {
            if lm <= since {
                return Precondition::NotModified;
            }
        }
    }
    Precondition::Proceed
}

/// RFC 9110 13.1.5: whether a `Range` applies given `If-Range`. An entity
/// tag needs a strong match (a weak tag never matches); a date needs an
/// exact match with Last-Modified. Anything unparsable fails, so the whole
/// representation is sent.
pub fn if_range(value: &str, etag: &str, last_modified: Option<SystemTime>) -> bool {
    let value = value.trim();
    if value.starts_with('"') || value.starts_with("W/") {
        return matches!(parse_tag(value), Some((tag, "")) if strong_eq(tag, etag));
    }
    match (brisk_core::parse_http_date(value), last_modified) {
        (Some(date), Some(lm)) => date == lm,
        _ => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Strong,
    Weak,
}

/// Whether `current` is in the list `"*" / #entity-tag` under `how`. A
/// malformed list matches nothing.
fn list_matches(list: &str, current: &str, how: Comparison) -> bool {
    if list.trim() == "*" {
        return true; // the representation exists
    }
    let mut rest = list;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return false;
        }
        let Some((tag, after)) = parse_tag(rest) else {
            return false;
        };
        let hit = match how {
            Comparison::Strong => strong_eq(tag, current),
            Comparison::Weak => opaque(tag) == opaque(current),
        };
        if hit {
            return true;
        }
        rest = after;
    }
}

/// `entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE` at the start of `s`:
/// returns the whole tag and what follows it.
fn parse_tag(s: &str) -> Option<(&str, &str)> {
    let start = if s.starts_with("W/") { 2 } else { 0 };
    let body = s.get(start..)?.strip_prefix('"')?;
    let end = body.find('"')?;
    let tag_len = start + 1 + end + 1;
    Some((&s[..tag_len], &s[tag_len..]))
}

fn strong_eq(tag: &str, current: &str) -> bool {
    !tag.starts_with("W/") && !current.starts_with("W/") && tag == current
}

fn opaque(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Precondition::*;

    const TAG: &str = "\"abc\"";

    fn t(s: &str) -> Option<SystemTime> {
        brisk_core::parse_http_date(s)
    }

    /// One table of cases, long on purpose: each row is a precondition
    /// combination of RFC 9110 13.2.2 and its outcome.
    #[test]
    fn evaluate_table() {
        let lm = t("Sun, 06 Nov 1994 08:49:37 GMT");
        let c = |im, inm, ims, ius| Conditions {
            if_match: im,
            if_none_match: inm,
            if_modified_since: ims,
            if_unmodified_since: ius,
        };
        // (conditions, get_or_head, expected)
        let table: Vec<(Conditions<'_>, bool, Precondition)> = vec![
            (c(None, None, None, None), true, Proceed),
            // If-None-Match, weak comparison
            (c(None, Some("\"abc\""), None, None), true, NotModified),
            (c(None, Some("W/\"abc\""), None, None), true, NotModified),
            (
                c(None, Some("\"x\", \"abc\""), None, None),
                true,
                NotModified,
            ),
            (
                c(None, Some("\"x\",W/\"abc\""), None, None),
                true,
                NotModified,
            ),
            (c(None, Some("*"), None, None), true, NotModified),
            (c(None, Some("\"x\""), None, None), true, Proceed),
            (c(None, Some("abc"), None, None), true, Proceed),
            (c(None, Some("\"abc\""), None, None), false, Failed),
            // If-Modified-Since, as dates, only without If-None-Match
            (
                c(None, None, Some("Sun, 06 Nov 1994 08:49:37 GMT"), None),
                true,
                NotModified,
            ),
            (
                c(None, None, Some("Sunday, 06-Nov-94 08:49:37 GMT"), None),
                true,
                NotModified,
            ),
            (
                c(None, None, Some("Sun Nov  6 08:49:37 1994"), None),
                true,
                NotModified,
            ),
            (
                c(None, None, Some("Mon, 07 Nov 1994 00:00:00 GMT"), None),
                true,
                NotModified,
            ),
            (
                c(None, None, Some("Sun, 06 Nov 1994 08:49:36 GMT"), None),
                true,
                Proceed,
            ),
            (c(None, None, Some("not a date"), None), true, Proceed),
            (
                c(None, None, Some("Sun, 06 Nov 1994 08:49:37 GMT"), None),
                false,
                Proceed,
            ),
            (
                c(
                    None,
                    Some("\"x\""),
                    Some("Sun, 06 Nov 1994 08:49:37 GMT"),
                    None,
                ),
                true,
                Proceed,
            ),
            // If-Match, strong comparison
            (c(Some("\"abc\""), None, None, None), false, Proceed),
            (c(Some("*"), None, None, None), false, Proceed),
            (c(Some("W/\"abc\""), None, None, None), true, Failed),
            (c(Some("\"x\""), None, None, None), true, Failed),
            (c(Some("\"x\", \"abc\""), None, None, None), true, Proceed),
            // If-Unmodified-Since, only without If-Match
            (
                c(None, None, None, Some("Sun, 06 Nov 1994 08:49:36 GMT")),
                true,
                Failed,
            ),
            (
                c(None, None, None, Some("Sun, 06 Nov 1994 08:49:37 GMT")),
                true,
                Proceed,
            ),
            (c(None, None, None, Some("garbage")), true, Proceed),
            (
                c(
                    Some("\"abc\""),
                    None,
                    None,
                    Some("Sun, 06 Nov 1994 08:49:36 GMT"),
                ),
                true,
                Proceed,
            ),
            // order: If-Match failure wins over a matching If-None-Match
            (c(Some("\"x\""), Some("\"abc\""), None, None), true, Failed),
            (
                c(Some("\"abc\""), Some("\"abc\""), None, None),
                true,
                NotModified,
            ),
        ];
        for (i, (conds, goh, expect)) in table.iter().enumerate() {
            assert_eq!(
                evaluate(conds, *goh, TAG, lm),
                *expect,
                "row {i}: {conds:?}"
            );
        }
    }

    #[test]
    fn no_last_modified_ignores_dates() {
        let c = Conditions {
            if_modified_since: Some("Sun, 06 Nov 1994 08:49:37 GMT"),
            ..Default::default()
        };
        assert_eq!(evaluate(&c, true, TAG, None), Proceed);
    }

    #[test]
    fn if_range_table() {
        let lm = t("Sun, 06 Nov 1994 08:49:37 GMT");
        let table = [
            ("\"abc\"", true),
            (" \"abc\" ", true),
            ("W/\"abc\"", false),
            ("\"abd\"", false),
            ("\"abc\", \"x\"", false),
            ("Sun, 06 Nov 1994 08:49:37 GMT", true),
            ("Sun, 06 Nov 1994 08:49:38 GMT", false),
            ("Sun, 06 Nov 1994 08:49:36 GMT", false),
            ("tomorrow", false),
            ("", false),
        ];
        for (value, expect) in table {
            assert_eq!(if_range(value, TAG, lm), expect, "{value:?}");
        }
        assert!(!if_range("Sun, 06 Nov 1994 08:49:37 GMT", TAG, None));
    }

    #[test]
    fn etag_differs_per_encoding() {
        let dir = tempfile::tempdir().expect("tempdir"); // ok: test setup
        let p = dir.path().join("f");
        std::fs::write(&p, "x").expect("write"); // ok: test setup
        let meta = std::fs::metadata(&p).expect("metadata"); // ok: test setup
        let tags = [
            etag(&meta, Encoding::Identity),
            etag(&meta, Encoding::Gzip),
            etag(&meta, Encoding::Brotli),
        ];
        assert_ne!(tags[0], tags[1]);
        assert_ne!(tags[1], tags[2]);
        assert_ne!(tags[0], tags[2]);
        for tag in &tags {
            assert!(
                tag.starts_with('"') && tag.ends_with('"') && tag.len() > 2,
                "{tag}"
            );
            assert!(list_matches(tag, tag, Comparison::Strong));
        }
        let lm = last_modified(&meta).expect("mtime"); // ok: test setup
        assert_eq!(
            lm.duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).ok(),
            Some(0)
        );
    }
}
