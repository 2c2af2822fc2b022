//! `-K FILE` / `--config FILE` in curl's syntax, expanded into the
//! arguments where the flag stands (so its options sit in command-line
//! order with the others): one option per line, long names with or
//! without `--`, the value after whitespace, '=' or ':', double quotes
//! with backslash escapes around a value with spaces, `#` comments,
//! `url = ...`; `-K -` reads stdin; a file may name another with
//! `config`. No default file (`~/.curlrc`) is read.

use std::ffi::OsString;
use std::io::Read;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::{self, Failure};

/// How deep config files may name other config files (curl's loops end
/// only at its own limit).
const MAX_NESTING: usize = 10;

/// The arguments with every `-K`/`--config` replaced by its file's options.
pub fn expand(args: Vec<OsString>) -> Result<Vec<OsString>, Failure> {
    expand_at(args, 0)
}

fn expand_at(args: Vec<OsString>, depth: usize) -> Result<Vec<OsString>, Failure> {
    let shape = OptionShape::new();
    let mut out = Vec::with_capacity(args.len());
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let text = arg.to_string_lossy().into_owned();
        match shape.config_value(&text) {
            ConfigArg::Not { takes_next } => {
                out.push(arg);
                if takes_next {
                    out.extend(it.next());
                }
                if text == "--" {
                    out.extend(it.by_ref());
                }
            }
            ConfigArg::Value { before, file } => {
                let file = match file {
                    Some(f) => f,
                    None => match it.next() {
                        Some(f) => f.to_string_lossy().into_owned(),
                        None => {
                            return Err(Failure::new(
                                exit::USAGE,
                                format!("option {text}: requires parameter"),
                            ))
                        }
                    },
                };
                if let Some(b) = before {
                    out.push(OsString::from(b));
                }
                if depth >= MAX_NESTING {
                    return Err(Failure::new(exit::USAGE, "config files nest too deep"));
                }
                out.extend(expand_at(read_config(&file, &shape)?, depth + 1)?);
            }
        }
    }
    Ok(out)
}

/// Whether a word is `-K`/`--config`, and where its value is.
enum ConfigArg {
    /// Another word; `takes_next`: it is an option whose value is the next word.
    Not { takes_next: bool },
    /// A config flag: the short switches before it in the same word (`-sK`
    /// gives `-s`), and its value when in the same word.
    Value {
        before: Option<String>,
        file: Option<String>,
    },
}

/// Which options take a value, from the flags themselves.
pub struct OptionShape {
    longs: Vec<(String, bool)>,
    shorts: Vec<(char, bool)>,
}

impl OptionShape {
    pub fn new() -> OptionShape {
        let cmd = Cli::command();
        let mut longs = Vec::new();
        let mut shorts = Vec::new();
        for a in cmd.get_arguments() {
            let takes = a.get_action().takes_values();
            if let Some(l) = a.get_long() {
                longs.push((l.to_string(), takes));
            }
            if let Some(s) = a.get_short() {
                shorts.push((s, takes));
            }
        }
        OptionShape { longs, shorts }
    }

    /// Whether the long option `name` (exact, or an unambiguous prefix, as
    /// clap accepts it) takes a value; `None` when unknown.
    fn long_takes_value(&self, name: &str) -> Option<bool> {
        if let Some((_, t)) = self.longs.iter().find(|(l, _)| l == name) {
            return Some(*t);
        }
        let mut hits = self.longs.iter().filter(|(l, _)| l.starts_with(name));
        match (hits.next(), hits.next()) {
            (Some((_, t)), None) => Some(*t),
            _ => None,
        }
    }

    fn short_takes_value(&self, c: char) -> bool {
        self.shorts.iter().any(|(s, t)| *s == c && *t)
    }

    /// Whether `word` is an option whose value is the next word.
    pub fn takes_next(&self, word: &str) -> bool {
        match self.config_value(word) {
            ConfigArg::Not { takes_next } => takes_next,
            ConfigArg::Value { file, .. } => file.is_none(),
        }
    }

    fn config_value(&self, word: &str) -> ConfigArg {
        if let Some(long) = word.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            if !name.is_empty() && name.len() >= 4 && "config".starts_with(name) {
                return ConfigArg::Value {
                    before: None,
                    file: value,
                };
            }
            let takes = self.long_takes_value(name).unwrap_or(false);
            return ConfigArg::Not {
                takes_next: takes && value.is_none(),
            };
        }
        let Some(shorts) = word.strip_prefix('-').filter(|s| !s.is_empty()) else {
            return ConfigArg::Not { takes_next: false };
        };
        for (i, c) in shorts.char_indices() {
            let rest = &shorts[i + c.len_utf8()..];
            if c == 'K' {
                return ConfigArg::Value {
                    before: (i > 0).then(|| format!("-{}", &shorts[..i])),
                    file: (!rest.is_empty()).then(|| rest.to_string()),
                };
            }
            if self.short_takes_value(c) {
                return ConfigArg::Not {
                    takes_next: rest.is_empty(),
                };
            }
        }
        ConfigArg::Not { takes_next: false }
    }
}

/// A config file ("-": stdin) as command-line words.
fn read_config(file: &str, shape: &OptionShape) -> Result<Vec<OsString>, Failure> {
    let mut text = String::new();
    let res = if file == "-" {
        std::io::stdin().read_to_string(&mut text)
    } else {
        std::fs::File::open(file).and_then(|mut f| f.read_to_string(&mut text))
    };
    if let Err(e) = res {
        // curl warns and goes on; a missing -K file is then a usage error
        // only if nothing else is left to do, which the URL check reports.
        return Err(Failure::new(
            exit::READ_ERROR,
            format!("cannot read config from '{file}': {e}"),
        ));
    }
    let mut words = Vec::new();
    for line in text.lines() {
        if let Some((option, value)) = parse_line(line) {
            words.extend(line_words(&option, value, shape));
        }
    }
    Ok(words)
}

/// The command-line words of one option: `--name=value` for a long one
/// (so a value starting with '-' stays a value), `-o value` for a short
/// one; a value given to a switch that takes none is dropped, as curl
/// drops it.
fn line_words(option: &str, value: Option<String>, shape: &OptionShape) -> Vec<OsString> {
    if let Some(long) = option.strip_prefix("--") {
        return match (value, shape.long_takes_value(long)) {
            (Some(v), Some(true)) => vec![format!("--{long}={v}").into()],
            _ => vec![option.into()],
        };
    }
    let mut words = vec![OsString::from(option)];
    let last = option.chars().last().unwrap_or('-'); // ok: fallback never takes a value
    if let (Some(v), true) = (value, shape.short_takes_value(last)) {
        words.push(v.into());
    }
    words
}

/// One config line: its option (with dashes) and value, or `None` for a
/// blank line or a comment.
fn parse_line(line: &str) -> Option<(String, Option<String>)> {
    let line = line.trim_start();
    if line.is_empty() || line.starts_with(['#', '/', '*']) {
        return None;
    }
    let dashed = line.starts_with('-');
    // A dashed option ends at whitespace; a bare one also at '=' or ':'.
    let is_sep = |c: char| c.is_whitespace() || (!dashed && (c == '=' || c == ':'));
    let end = line.find(is_sep).unwrap_or(line.len());
    let (name, rest) = line.split_at(end);
    let rest = rest.trim_start_matches(is_sep);
    let value = if let Some(quoted) = rest.strip_prefix('"') {
        Some(unquote(quoted))
    } else {
        let v = rest.split(char::is_whitespace).next().unwrap_or(""); // ok: split yields one item
        (!v.is_empty()).then(|| v.to_string())
    };
    let option = if dashed {
        name.to_string()
    } else {
        format!("--{name}")
    };
    Some((option, value))
}

/// A double-quoted value up to its closing quote, with curl's escapes.
fn unquote(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('v') => out.push('\u{b}'),
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_as_curl_reads_them() {
        let cases = [
            (
                "url = \"http://h/a b\"",
                Some(("--url", Some("http://h/a b"))),
            ),
            ("  silent", Some(("--silent", None))),
            ("-o out.txt", Some(("-o", Some("out.txt")))),
            (
                "header: \"X-A: \\\"q\\\"\"",
                Some(("--header", Some("X-A: \"q\""))),
            ),
            ("--max-time=5", Some(("--max-time=5", None))),
            (
                "user-agent=ua # not a comment",
                Some(("--user-agent", Some("ua"))),
            ),
            ("# comment", None),
            ("", None),
        ];
        for (line, want) in cases {
            let got = parse_line(line);
            let got = got.as_ref().map(|(o, v)| (o.as_str(), v.as_deref()));
            assert_eq!(got, want, "{line}");
        }
    }

    #[test]
    fn config_flags_are_found_where_curl_finds_them() {
        let shape = OptionShape::new();
        assert!(matches!(
            shape.config_value("-sKfile"),
            ConfigArg::Value { before: Some(b), file: Some(f) } if b == "-s" && f == "file"
        ));
        assert!(matches!(
            shape.config_value("-dK"),
            ConfigArg::Not { takes_next: false }
        ));
        assert!(matches!(
            shape.config_value("-d"),
            ConfigArg::Not { takes_next: true }
        ));
        assert!(matches!(
            shape.config_value("--config=f"),
            ConfigArg::Value { before: None, file: Some(f) } if f == "f"
        ));
    }
}
