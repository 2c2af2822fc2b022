//! The command line as curl reads it, on top of clap: every switch may
//! repeat (the last value wins), every boolean has its `--no-` form (and
//! a `--no-X` flag its `--X` form), long names may be shortened while
//! unambiguous, short switches combine (`-sSfLo file`), and a bad option
//! gets curl's words and exit 2. The flags themselves are [`Cli`]'s; a
//! new boolean gets its negation here with no further code.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, ArgMatches, Command, CommandFactory, FromArgMatches};

use std::path::PathBuf;

use crate::cli::{Cli, OutputSpec};
use crate::config_file;
use crate::data::{DataArg, DataKind};
use crate::exit::{self, Failure};
use crate::form::FormArg;
use crate::groups::{self, Run};

/// What the command line asks for.
pub enum Parsed {
    /// Transfers: the operations and their flags.
    Run(Box<Run>),
    /// `--help` or `--version`: printed, exit 0.
    Printed,
}

/// The clap command with curl's habits added.
fn command() -> Command {
    let cmd = Cli::command()
        .args_override_self(true)
        .infer_long_args(true);
    let negations: Vec<Arg> = cmd
        .get_arguments()
        .filter(|a| matches!(a.get_action(), ArgAction::SetTrue))
        .filter_map(|a| {
            let long = a.get_long()?;
            let twin = match long.strip_prefix("no-") {
                Some(positive) => positive.to_string(),
                None => format!("no-{long}"),
            };
            Some(
                Arg::new(format!("negate {}", a.get_id()))
                    .long(twin)
                    .action(ArgAction::SetTrue)
                    .hide(true)
                    .overrides_with(a.get_id().clone()),
            )
        })
        .collect();
    cmd.args(negations)
}

/// Parses the arguments (program name first), `-K` files expanded in
/// place, cut into operations at `-:` (see [`groups`]).
pub fn parse(args: Vec<OsString>) -> Result<Parsed, Failure> {
    let args = config_file::expand(args)?;
    let program = args.first().cloned().unwrap_or_else(|| "fetch".into());
    let pieces = groups::split(args.get(1..).unwrap_or(&[]));
    let last = pieces.len() - 1;
    let (mut clis, mut matches) = (Vec::new(), Vec::new());
    // A piece without a URL (`-:` before any) joins the next one.
    let mut words: Vec<OsString> = Vec::new();
    for (k, piece) in pieces.into_iter().enumerate() {
        words.extend(piece);
        let mut line = vec![program.clone()];
        line.extend(words.iter().cloned());
        let Some((cli, m)) = parse_one(&line)? else {
            return Ok(Parsed::Printed);
        };
        if cli.urls.is_empty() && k < last {
            continue;
        }
        words.clear();
        clis.push(cli);
        matches.push(m);
    }
    groups::share_globals(&mut clis, &matches);
    let trailing_empty = clis.len() > 1 && clis.last().is_some_and(|c| c.urls.is_empty());
    Ok(Parsed::Run(Box::new(Run {
        groups: clis,
        trailing_empty,
    })))
}

/// One operation's words (program name first): its flags and matches,
/// or `None` when `--help` or `--version` was printed.
fn parse_one(args: &[OsString]) -> Result<Option<(Cli, ArgMatches)>, Failure> {
    let matches = match command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            return Ok(None);
        }
        Err(e) => return Err(usage_failure(&e, args)),
    };
    let mut cli = Cli::from_arg_matches(&matches).map_err(|e| usage_failure(&e, args))?;
    cli.run.check()?;
    cli.data_args = ordered_data(&matches);
    cli.form_args = ordered(&matches, &["form", "form_string"])
        .into_iter()
        .map(|(id, value)| FormArg {
            value,
            literal: id == "form_string",
        })
        .collect();
    cli.outputs = ordered_outputs(&matches);
    cli.urls = ordered(&matches, &["urls", "url_flags"])
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    Ok(Some((cli, matches)))
}

/// The values of the arguments `ids`, merged in command-line order, each
/// with the id it came from.
fn ordered(m: &ArgMatches, ids: &[&'static str]) -> Vec<(&'static str, String)> {
    let mut all: Vec<(usize, &'static str, String)> = Vec::new();
    for id in ids {
        let (Ok(Some(values)), Some(idx)) = (m.try_get_many::<String>(id), m.indices_of(id)) else {
            continue;
        };
        all.extend(idx.zip(values).map(|(i, v)| (i, *id, v.clone())));
    }
    all.sort_by_key(|(i, _, _)| *i);
    all.into_iter().map(|(_, id, v)| (id, v)).collect()
}

/// `-o FILE` and `-O`, in command-line order.
fn ordered_outputs(m: &ArgMatches) -> Vec<OutputSpec> {
    let mut all: Vec<(usize, OutputSpec)> = Vec::new();
    if let (Ok(Some(values)), Some(idx)) =
        (m.try_get_many::<PathBuf>("output"), m.indices_of("output"))
    {
        all.extend(
            idx.zip(values)
                .map(|(i, v)| (i, OutputSpec::File(v.clone()))),
        );
    }
    if let Some(idx) = m.indices_of("remote_name") {
        all.extend(idx.map(|i| (i, OutputSpec::Remote)));
    }
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, o)| o).collect()
}

/// Every data flag, in command-line order.
fn ordered_data(m: &ArgMatches) -> Vec<DataArg> {
    const KINDS: [(&str, DataKind); 6] = [
        ("data", DataKind::Ascii),
        ("data_ascii", DataKind::Ascii),
        ("data_binary", DataKind::Binary),
        ("data_raw", DataKind::Raw),
        ("data_urlencode", DataKind::UrlEncode),
        ("json", DataKind::Json),
    ];
    let ids: Vec<&'static str> = KINDS.iter().map(|(id, _)| *id).collect();
    ordered(m, &ids)
        .into_iter()
        .filter_map(|(id, value)| {
            let kind = KINDS.iter().find(|(k, _)| *k == id)?.1;
            Some(DataArg { kind, value })
        })
        .collect()
}

/// A clap error in curl's words (`option --foo: is unknown`, `option -o:
/// requires parameter`), exit 2.
fn usage_failure(e: &clap::Error, args: &[OsString]) -> Failure {
    let arg = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.split(' ').next().unwrap_or("").to_string(), // ok: split yields one item
        _ => String::new(),
    };
    let msg = match e.kind() {
        ErrorKind::UnknownArgument => unknown_option(&arg),
        ErrorKind::InvalidValue | ErrorKind::NoEquals if matches!(e.get(ContextKind::InvalidValue), Some(ContextValue::String(v)) if v.is_empty()) =>
        {
            // A value is missing only at the end of the line (any next
            // word is taken as the value, as curl takes it).
            let last = args.last().map(|a| a.to_string_lossy().into_owned());
            format!("option {}: requires parameter", last.unwrap_or(arg))
        }
        ErrorKind::ValueValidation | ErrorKind::InvalidValue => {
            format!("option {arg}: expected a proper numerical parameter")
        }
        _ => {
            let rendered = e.to_string();
            let first = rendered.lines().next().unwrap_or("bad usage"); // ok: fallback text
            first.trim_start_matches("error: ").to_string()
        }
    };
    Failure::new(exit::USAGE, msg)
}

/// curl's words for an option it does not know; a `--no-` in front of an
/// option that takes a value has its own.
fn unknown_option(arg: &str) -> String {
    let cmd = command();
    if let Some(prefix) = arg.strip_prefix("--") {
        let hits = cmd
            .get_arguments()
            .filter(|a| !a.is_hide_set() && a.get_long().is_some_and(|l| l.starts_with(prefix)))
            .count();
        if hits > 1 {
            return format!("option {arg}: is ambiguous");
        }
    }
    let takes_value = arg
        .strip_prefix("--no-")
        .and_then(|rest| {
            cmd.get_arguments()
                .find(|a| a.get_long() == Some(rest))
                .map(|a| a.get_action().takes_values())
        })
        .unwrap_or(false);
    if takes_value {
        format!("option {arg}: used '--no-' for option that isn't a boolean")
    } else {
        format!("option {arg}: is unknown")
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// The operations of a command line, or the usage error's words.
    pub fn clis(args: &[&str]) -> Result<Vec<Cli>, String> {
        let mut v = vec![OsString::from("fetch")];
        v.extend(args.iter().map(OsString::from));
        match parse(v) {
            Ok(Parsed::Run(r)) => Ok(r.groups),
            Ok(Parsed::Printed) => Err("printed".into()),
            Err(f) => Err(f.msg),
        }
    }

    /// The flags of a command line of one operation.
    pub fn cli(args: &[&str]) -> Result<Cli, String> {
        let mut v = vec![OsString::from("fetch")];
        v.extend(args.iter().map(OsString::from));
        match parse(v) {
            Ok(Parsed::Run(mut r)) => Ok(r.groups.remove(0)),
            Ok(Parsed::Printed) => Err("printed".into()),
            Err(f) => Err(f.msg),
        }
    }

    #[test]
    fn switches_repeat_and_the_last_of_a_pair_wins() {
        let c = cli(&["-s", "-s", "-v", "-v", "-L", "-L", "u"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.silent && c.verbose && c.location);
        let c = cli(&["-L", "--no-location", "--no-silent", "u"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.location && !c.silent);
        let c = cli(&["--no-location", "-L", "u"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.location);
        let c = cli(&["-o", "a", "-o", "b", "-H", "A: 1", "-H", "B: 2", "u", "v"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.output.len(), 2);
        assert_eq!(c.headers.len(), 2);
        let c = cli(&["-O", "-o", "a", "u", "v"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c.outputs,
            [OutputSpec::Remote, OutputSpec::File("a".into())]
        );
        let c = cli(&["-O", "-O", "u", "v"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.outputs, [OutputSpec::Remote, OutputSpec::Remote]);
        let c = cli(&["u"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.outputs.is_empty());
        let c = cli(&["-m", "1", "-m", "2", "u"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.max_time, Some(2.0));
    }

    #[test]
    fn next_starts_a_new_set_but_global_flags_hold_for_all() {
        let g = clis(&["-d", "a", "-o", "x", "u1", "-:", "-v", "u2", "u3"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].data_args.len(), g[0].outputs.len()), (1, 1));
        assert!(g[1].data_args.is_empty() && g[1].outputs.is_empty());
        assert!(g[0].verbose && g[1].verbose);
        assert_eq!(g[1].urls, ["u2", "u3"]);
        let g = clis(&["-s", "u1", "--next", "--no-silent", "-L", "u2"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!g[0].silent && !g[1].silent && !g[0].location && g[1].location);
        let g = clis(&["-:", "-s", "-:", "u1"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(g.len() == 1 && g[0].silent);
    }

    #[test]
    fn short_switches_combine_and_long_names_shorten() {
        let c = cli(&["-sSfLo", "file", "u"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.silent && c.show_error && c.fail && c.location);
        assert_eq!(c.output, vec![std::path::PathBuf::from("file")]);
        let c = cli(&["--silen", "--max-red", "3", "u"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.silent && c.max_redirs == 3);
        // As in curl: --location and --location-trusted both begin so.
        assert_eq!(
            cli(&["--locat", "u"]).err().as_deref(),
            Some("option --locat: is ambiguous")
        );
    }

    #[test]
    fn data_flags_and_urls_keep_their_order() {
        let c = cli(&[
            "--json",
            "a",
            "u1",
            "-d",
            "b",
            "--url",
            "u2",
            "--data-raw",
            "c",
            "u3",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let kinds: Vec<DataKind> = c.data_args.iter().map(|d| d.kind).collect();
        assert_eq!(kinds, [DataKind::Json, DataKind::Ascii, DataKind::Raw]);
        assert_eq!(c.urls, ["u1", "u2", "u3"]);
    }

    #[test]
    fn bad_options_get_curls_words() {
        let cases: [(&[&str], &str); 5] = [
            (&["--data-", "x", "u"], "option --data-: is ambiguous"),
            (&["--foo", "u"], "option --foo: is unknown"),
            (&["u", "-o"], "option -o: requires parameter"),
            (
                &["--no-output", "x", "u"],
                "option --no-output: used '--no-' for option that isn't a boolean",
            ),
            (
                &["--retry", "x", "u"],
                "option --retry: expected a proper numerical parameter",
            ),
        ];
        for (args, want) in cases {
            assert_eq!(cli(args).err().as_deref(), Some(want), "{args:?}");
        }
    }
}
