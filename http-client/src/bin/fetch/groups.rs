//! `-:`/`--next`: the command line cut into curl's operations. Options
//! before a `-:` belong to the URLs before it; the next operation starts
//! afresh, except for curl 7.88's global options ([`GLOBAL`]), which hold
//! for the whole run with the last value given anywhere winning.
//!
//! As in curl, a `-:` while the current operation has no URL yet starts
//! nothing (`-: URL` and `URL -: -: URL` are one and two operations); a
//! last operation with no URL is curl's "no URL specified!" after the
//! others ran ([`Run::trailing_empty`]).

use std::ffi::OsString;

use clap::parser::ValueSource;
use clap::ArgMatches;

use crate::cli::Cli;
use crate::config_file::OptionShape;

/// The options curl 7.88 keeps in its global config (tool_getparam.c
/// `global->`), each a set of ids that override one another: the last
/// operation that gave any of a set decides all of it. `-v`, `--trace`
/// and `--trace-ascii` are one set, as in curl (the last one wins).
pub const GLOBAL: &[&[&str]] = &[
    &["verbose", "trace", "trace_ascii"],
    &["silent"],
    &["show_error"],
    &["parallel"],
    &["parallel_max"],
    &["parallel_immediate"],
    &["stderr"],
    &["progress_bar"],
];

/// The parsed command line: one [`Cli`] per operation, in order.
pub struct Run {
    pub groups: Vec<Cli>,
    /// The line ended with `-:` and options but no URL after it.
    pub trailing_empty: bool,
}

/// Whether `word` is `-:` or `--next` (or a long prefix clap would take
/// for it: `--nex`).
fn is_next(word: &str) -> bool {
    word == "-:" || (word.len() >= 5 && "--next".starts_with(word))
}

/// The words after the program name cut at each `-:` that is an option
/// (not the value of one, as in `-d -:`), the `-:` words dropped.
pub fn split(words: &[OsString]) -> Vec<Vec<OsString>> {
    let shape = OptionShape::new();
    let mut pieces = Vec::new();
    let mut piece = Vec::new();
    let mut it = words.iter();
    while let Some(w) = it.next() {
        let text = w.to_string_lossy();
        if text == "--" {
            // Everything after "--" is a URL.
            piece.push(w.clone());
            piece.extend(it.by_ref().cloned());
        } else if is_next(&text) {
            pieces.push(std::mem::take(&mut piece));
        } else {
            piece.push(w.clone());
            if shape.takes_next(&text) {
                piece.extend(it.next().cloned());
            }
        }
    }
    pieces.push(piece);
    pieces
}

/// Whether the operation's matches gave any option of `set` itself (not
/// a default), counting the hidden `--no-` twins.
fn gave(m: &ArgMatches, set: &[&str]) -> bool {
    set.iter().any(|id| {
        [id.to_string(), format!("negate {id}")].iter().any(|k| {
            matches!(m.try_contains_id(k), Ok(true))
                && m.value_source(k) == Some(ValueSource::CommandLine)
        })
    })
}

/// Gives every operation the global options of the last operation that
/// set them.
pub fn share_globals(groups: &mut [Cli], matches: &[ArgMatches]) {
    for set in GLOBAL {
        let Some(from) = matches.iter().rposition(|m| gave(m, set)) else {
            continue;
        };
        for id in *set {
            for k in 0..groups.len() {
                if k != from {
                    let (src, dst) = pair(groups, from, k);
                    // ok: every id of GLOBAL is copied (the unit test checks).
                    let _ = copy_global(dst, src, id);
                }
            }
        }
    }
}

/// `groups[a]` and a mutable `groups[b]` (`a != b`).
fn pair(groups: &mut [Cli], a: usize, b: usize) -> (&Cli, &mut Cli) {
    if a < b {
        let (l, r) = groups.split_at_mut(b);
        (&l[a], &mut r[0])
    } else {
        let (l, r) = groups.split_at_mut(a);
        (&r[0], &mut l[b])
    }
}

/// Copies the global option `id` from `src` to `dst`; false for an id
/// that is not one.
fn copy_global(dst: &mut Cli, src: &Cli, id: &str) -> bool {
    match id {
        "verbose" => dst.verbose = src.verbose,
        "trace" => dst.run.trace.clone_from(&src.run.trace),
        "trace_ascii" => dst.run.trace_ascii.clone_from(&src.run.trace_ascii),
        "silent" => dst.silent = src.silent,
        "show_error" => dst.show_error = src.show_error,
        "parallel" => dst.parallel = src.parallel,
        "parallel_max" => dst.parallel_max = src.parallel_max,
        "parallel_immediate" => dst.parallel_immediate = src.parallel_immediate,
        "stderr" => dst.run.stderr.clone_from(&src.run.stderr),
        "progress_bar" => dst.run.progress_bar = src.run.progress_bar,
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<OsString> {
        s.split(' ').map(OsString::from).collect()
    }

    #[test]
    fn cuts_at_next_but_not_at_a_value() {
        let p = split(&words("-s u1 -: -d -: u2 --next u3 --nex u4"));
        assert_eq!(
            p,
            [words("-s u1"), words("-d -: u2"), words("u3"), words("u4")]
        );
        let p = split(&words("-o -: u1 -: -- -: u2"));
        assert_eq!(p, [words("-o -: u1"), words("-- -: u2")]);
    }

    #[test]
    fn every_global_option_is_copied() {
        let mut a = crate::argv::tests::cli(&["u"]).unwrap_or_else(|e| panic!("{e}"));
        let b = crate::argv::tests::cli(&["u"]).unwrap_or_else(|e| panic!("{e}"));
        for id in GLOBAL.iter().flat_map(|s| s.iter()) {
            assert!(copy_global(&mut a, &b, id), "{id}");
        }
    }
}
