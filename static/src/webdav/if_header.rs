//! The `If` request header (RFC 4918 section 10.4): lists of conditions on
//! lock tokens and entity tags, untagged (about the request's resource) or
//! tagged with the resource they are about.
//!
//! ```text
//! If = ( 1*No-tag-list | 1*Tagged-list )
//! No-tag-list = List
//! Tagged-list = Resource-Tag 1*List
//! List = "(" 1*Condition ")"
//! Condition = ["Not"] (State-token | "[" entity-tag "]")
//! State-token = Coded-URL = "<" absolute-URI ">"
//! Resource-Tag = "<" Simple-ref ">"
//! ```
//!
//! The header holds if any list holds; a list holds if all its conditions
//! do. Parsing is pure; the caller evaluates with the resources' state.

/// One condition of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Condition {
    /// A state token (a lock token, or something like `DAV:no-lock` that
    /// matches no lock).
    Token { not: bool, token: String },
    /// An entity tag, with its quotes (`W/` kept).
    ETag { not: bool, etag: String },
}

/// A parenthesized list and the resource it is about (`None`: the
/// request's resource).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct List {
    pub resource: Option<String>,
    pub conditions: Vec<Condition>,
}

/// The header does not follow the grammar: 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BadIf;

/// Parses an `If` value.
pub(super) fn parse(value: &str) -> Result<Vec<List>, BadIf> {
    let mut rest = value.trim_start();
    let mut lists = Vec::new();
    let mut tag: Option<String> = None;
    let mut tagged = None;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            // A resource tag: every list up to the next tag is about it.
            let (uri, after) = after.split_once('>').ok_or(BadIf)?;
            if tagged == Some(false) {
                return Err(BadIf); // untagged and tagged lists mixed
            }
            tagged = Some(true);
            tag = Some(uri.to_string());
            rest = after.trim_start();
            if !rest.starts_with('(') {
                return Err(BadIf);
            }
            continue;
        }
        let after = rest.strip_prefix('(').ok_or(BadIf)?;
        if tagged.is_none() {
            tagged = Some(false);
        }
        let (conditions, after) = parse_list(after)?;
        lists.push(List {
            resource: tag.clone(),
            conditions,
        });
        rest = after.trim_start();
    }
    if lists.is_empty() {
        return Err(BadIf);
    }
    Ok(lists)
}

/// The conditions after a `(`, up to and past the `)`.
fn parse_list(mut rest: &str) -> Result<(Vec<Condition>, &str), BadIf> {
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix(')') {
            if out.is_empty() {
                return Err(BadIf);
            }
            return Ok((out, after));
        }
        let mut not = false;
        // Bytes, not a str slice: the third byte may sit inside a character.
        if rest
            .as_bytes()
            .get(..3)
            .is_some_and(|b| b.eq_ignore_ascii_case(b"not"))
        {
            not = true;
            rest = rest[3..].trim_start();
        }
        if let Some(after) = rest.strip_prefix('<') {
            let (token, after) = after.split_once('>').ok_or(BadIf)?;
            out.push(Condition::Token {
                not,
                token: token.to_string(),
            });
            rest = after;
        } else if let Some(after) = rest.strip_prefix('[') {
            let (etag, after) = after.split_once(']').ok_or(BadIf)?;
            out.push(Condition::ETag {
                not,
                etag: etag.trim().to_string(),
            });
            rest = after;
        } else {
            return Err(BadIf);
        }
    }
}

/// What a condition is checked against: a resource's entity tag (none when
/// it does not exist) and the tokens of the locks that cover it.
pub(super) struct State {
    pub etag: Option<String>,
    pub tokens: Vec<String>,
}

/// Whether the header holds; `state` is asked about each resource a list
/// names (`None`: the request's resource).
pub(super) fn holds(lists: &[List], mut state: impl FnMut(Option<&str>) -> State) -> bool {
    lists.iter().any(|list| {
        let s = state(list.resource.as_deref());
        list.conditions.iter().all(|c| match c {
            Condition::Token { not, token } => s.tokens.iter().any(|t| t == token) != *not,
            Condition::ETag { not, etag } => {
                s.etag.as_deref().is_some_and(|e| same_etag(e, etag)) != *not
            }
        })
    })
}

/// The lock tokens the header submits (RFC 4918 10.4.1): every state token
/// not under `Not`.
pub(super) fn submitted(lists: &[List]) -> Vec<String> {
    let mut out = Vec::new();
    for list in lists {
        for c in &list.conditions {
            if let Condition::Token { not: false, token } = c {
                out.push(token.clone());
            }
        }
    }
    out
}

/// Weak comparison: the opaque parts equal, `W/` ignored.
fn same_etag(a: &str, b: &str) -> bool {
    a.trim_start_matches("W/") == b.trim_start_matches("W/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(not: bool, t: &str) -> Condition {
        Condition::Token {
            not,
            token: t.into(),
        }
    }

    #[test]
    fn grammar() {
        let lists = parse(r#"(<opaquelocktoken:a> ["e1"]) (Not <DAV:no-lock> [W/"e2"])"#).unwrap();
        assert_eq!(lists.len(), 2);
        assert_eq!(
            lists[0].conditions,
            vec![
                token(false, "opaquelocktoken:a"),
                Condition::ETag {
                    not: false,
                    etag: "\"e1\"".into()
                }
            ]
        );
        assert_eq!(lists[1].conditions[0], token(true, "DAV:no-lock"));
        let tagged = parse("<http://h/a> (<t1>) (<t2>) </b> (not <t3>)").unwrap();
        assert_eq!(tagged[1].resource.as_deref(), Some("http://h/a"));
        assert_eq!(tagged[2].resource.as_deref(), Some("/b"));
        assert_eq!(submitted(&tagged), vec!["t1", "t2"]);
        for bad in [
            "",
            "()",
            "(<a>",
            "<x>",
            "(<a>) <x> (<b>)",
            "(foo)",
            "(<a>) junk",
            // A character across byte 3 (found by the fuzz target).
            "(éé)",
            "(Ä",
        ] {
            assert_eq!(parse(bad), Err(BadIf), "{bad:?}");
        }
    }

    #[test]
    fn evaluation() {
        let state = |_: Option<&str>| State {
            etag: Some("\"e\"".into()),
            tokens: vec!["t".into()],
        };
        let table = [
            ("(<t>)", true),
            ("(<u>)", false),
            ("(<t> [\"e\"])", true),
            ("(<t> [\"x\"])", false),
            ("(<u>) (Not <DAV:no-lock>)", true),
            ("(<t> [\"x\"]) (Not <DAV:no-lock> [\"x\"])", false),
            ("([W/\"e\"])", true),
            ("(Not [\"e\"])", false),
        ];
        for (value, want) in table {
            assert_eq!(holds(&parse(value).unwrap(), state), want, "{value}");
        }
    }
}
