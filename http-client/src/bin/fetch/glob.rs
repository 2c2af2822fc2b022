//! URL globbing as curl does it (off with `-g`): `{a,b,c}` sets,
//! `[1-10]`, `[01-10]` (zero-padded), `[a-z]` ranges with an optional
//! `:step`, several in one URL (the last one varies fastest), `\{` and
//! `\[` for the characters themselves, an IPv6 literal left alone; and
//! `#N` in an `-o` name for the N-th glob's current text.

use crate::exit::{self, Failure};

/// Most URLs one argument may expand to (curl's limit is its memory; a
/// typo like `[1-99999999]` should not start a hundred million transfers
/// without a word).
const MAX_EXPANSIONS: usize = 100_000;

/// One piece of a globbed URL.
#[derive(Debug, PartialEq)]
enum Piece {
    Text(String),
    /// The texts a glob stands for, in order.
    Glob(Vec<String>),
}

/// One URL of an expansion and the texts its globs took (for `#N`).
#[derive(Debug, PartialEq)]
pub struct Expansion {
    pub url: String,
    pub values: Vec<String>,
}

/// Every URL `pattern` stands for, in curl's order.
pub fn expand(pattern: &str) -> Result<Vec<Expansion>, Failure> {
    let pieces = parse(pattern)?;
    let total = pieces.iter().try_fold(1usize, |n, p| match p {
        Piece::Glob(v) => n.checked_mul(v.len()).filter(|n| *n <= MAX_EXPANSIONS),
        Piece::Text(_) => Some(n),
    });
    if total.is_none() {
        return Err(bad(format!(
            "too many URLs in one glob (over {MAX_EXPANSIONS})"
        )));
    }
    let mut out = vec![Expansion {
        url: String::new(),
        values: Vec::new(),
    }];
    for p in &pieces {
        out = match p {
            Piece::Text(t) => out
                .into_iter()
                .map(|mut e| {
                    e.url.push_str(t);
                    e
                })
                .collect(),
            Piece::Glob(options) => out
                .into_iter()
                .flat_map(|e| {
                    options.iter().map(move |o| Expansion {
                        url: format!("{}{o}", e.url),
                        values: e.values.iter().cloned().chain([o.clone()]).collect(),
                    })
                })
                .collect(),
        };
    }
    Ok(out)
}

/// An `-o` name with each `#N` replaced by the N-th glob's text (a number
/// past the globs stays as written).
pub fn fill_name(template: &str, values: &[String]) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find('#') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let value = after[..digits]
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|n| values.get(n));
        match value {
            Some(v) => {
                out.push_str(v);
                rest = &after[digits..];
            }
            None => {
                out.push('#');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn bad(msg: impl Into<String>) -> Failure {
    Failure::new(exit::MALFORMED_URL, msg)
}

/// The pattern as text and globs.
fn parse(pattern: &str) -> Result<Vec<Piece>, Failure> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = pattern.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some((_, '{' | '}' | '[' | ']'))) => {
                if let Some((_, next)) = chars.next() {
                    text.push(next);
                }
            }
            '[' if is_ipv6_literal(pattern, i) => {
                let end = pattern[i..].find(']').map_or(pattern.len(), |j| i + j + 1);
                text.push_str(&pattern[i..end]);
                while chars.peek().is_some_and(|(j, _)| *j < end) {
                    chars.next();
                }
            }
            '{' | '[' => {
                let close = if c == '{' { '}' } else { ']' };
                let Some(len) = pattern[i + 1..].find(close) else {
                    // curl's words for the two cases.
                    let what = if c == '{' {
                        "unmatched brace"
                    } else {
                        "bad range"
                    };
                    return Err(bad(format!(
                        "{what} in URL position {}:\n{pattern}\n{:>width$}",
                        pattern.len() + 1,
                        "^",
                        width = pattern.len() + 1
                    )));
                };
                let body = &pattern[i + 1..i + 1 + len];
                let options = if c == '{' {
                    body.split(',').map(str::to_string).collect()
                } else {
                    range(body)
                        .ok_or_else(|| bad(format!("bad range in URL position {}:", i + 1)))?
                };
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                pieces.push(Piece::Glob(options));
                while chars.peek().is_some_and(|(j, _)| *j <= i + 1 + len) {
                    chars.next();
                }
            }
            c => text.push(c),
        }
    }
    pieces.push(Piece::Text(text));
    Ok(pieces)
}

/// A '[' that opens an IPv6 address in the host ("http://[::1]/",
/// "http://user@[fe80::1]:8080/"): curl leaves those alone.
fn is_ipv6_literal(pattern: &str, at: usize) -> bool {
    let before = &pattern[..at];
    let host_start = before.ends_with("://") || before.ends_with('@') || at == 0;
    let inside = pattern[at + 1..].split(']').next().unwrap_or(""); // ok: split yields one item
    host_start
        && inside.contains(':')
        && inside
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.' || b == b'%')
}

/// `[a-z]`, `[1-10]`, `[01-10]` (width from the first bound), each with
/// an optional `:step`.
fn range(body: &str) -> Option<Vec<String>> {
    let (span, step) = match body.split_once(':') {
        Some((s, st)) => (s, st.parse::<u64>().ok().filter(|n| *n > 0)?),
        None => (body, 1),
    };
    let (lo, hi) = span.split_once('-')?;
    let step = usize::try_from(step).ok()?;
    if let (Ok(a), Ok(b)) = (lo.parse::<u64>(), hi.parse::<u64>()) {
        if a > b || (b - a) / step as u64 >= MAX_EXPANSIONS as u64 {
            return None;
        }
        let width = if lo.starts_with('0') { lo.len() } else { 0 };
        return Some(
            (a..=b)
                .step_by(step)
                .map(|n| format!("{n:0width$}"))
                .collect(),
        );
    }
    let (a, b) = (single_letter(lo)?, single_letter(hi)?);
    let same_case = a.is_ascii_lowercase() == b.is_ascii_lowercase();
    if a > b || !same_case {
        return None;
    }
    Some((a..=b).step_by(step).map(|c| c.to_string()).collect())
}

fn single_letter(s: &str) -> Option<char> {
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) if c.is_ascii_alphabetic() => Some(c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(p: &str) -> Vec<String> {
        expand(p)
            .map(|v| v.into_iter().map(|e| e.url).collect())
            .unwrap_or_default()
    }

    #[test]
    fn globs_expand_in_curls_order() {
        assert_eq!(urls("h/{a,b}/[1-2]"), ["h/a/1", "h/a/2", "h/b/1", "h/b/2"]);
        assert_eq!(urls("h/[01-10:3]"), ["h/01", "h/04", "h/07", "h/10"]);
        assert_eq!(urls("h/[a-e:2]x"), ["h/ax", "h/cx", "h/ex"]);
        assert_eq!(urls("h/\\{a,b\\}"), ["h/{a,b}"]);
        assert_eq!(
            urls("http://[::1]:80/[1-2]"),
            ["http://[::1]:80/1", "http://[::1]:80/2"]
        );
        for bad in ["h/[5-1]", "h/{a", "h/[a-Z]", "h/[1-2:0]", "h/[1-99999999]"] {
            assert!(expand(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hash_numbers_name_the_globs() {
        let v = vec!["x".to_string(), "1".to_string()];
        assert_eq!(fill_name("f_#1_#2_#3.txt", &v), "f_x_1_#3.txt");
        assert_eq!(fill_name("#", &v), "#");
        assert_eq!(fill_name("a#b", &v), "a#b");
    }
}
