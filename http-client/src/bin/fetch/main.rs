//! `fetch`: curl's habits for HTTP and HTTPS work, on `brisk-client`.
//!
//! Flags, environment variables and exit codes follow curl where the
//! meaning is the same (see DESIGN.md, "The fetch binary").
//!
//! The modules, in the order a run uses them: [`cli`] (the flags),
//! [`context`] (what the run shares: the configured client, the `-w`
//! format, the `-D` file), [`request`] (one URL's request), [`transfer`]
//! (retries, heads, the body), [`output`] (where the body goes),
//! [`write_out`] (`-w`), [`trace`] (`-v` and the heads of `-i`),
//! [`resolve`] (`--resolve`), [`exit`] (curl's exit codes and the error
//! line), [`ws`] (a `ws://` or `wss://` URL's session).

mod argv;
mod auth;
mod body;
mod cli;
mod cli_checks;
mod cli_run;
mod conditions;
mod config_file;
mod context;
mod cookies;
mod data;
mod digest;
mod exit;
mod files;
mod form;
mod glob;
mod groups;
mod netrc;
mod output;
mod pace;
mod parallel;
mod parallel_meter;
mod progress_bar;
mod protocols;
mod redact;
mod request;
mod resolve;
mod resume;
mod retry;
mod send_body;
mod streams;
mod trace;
mod trace_dump;
mod transfer;
mod write_out;
mod ws;

use std::process::ExitCode;

use crate::argv::Parsed;
use crate::cli::Cli;
use crate::context::{Ctx, RunShared};
use crate::exit::{report, Failure};
use crate::glob::Expansion;
use crate::groups::Run;
use crate::parallel_meter::Meter;
use crate::trace_dump::TraceDump;
use std::sync::Arc;

/// Transfers at once with `-Z` unless `--parallel-max` says (curl's default).
const DEFAULT_PARALLEL: usize = 50;
use crate::output::Sink;
use crate::retry::transfer_with_retry;
use crate::write_out::Stats;

fn main() -> ExitCode {
    let run = match argv::parse(std::env::args_os().collect()) {
        Ok(Parsed::Run(r)) => r,
        Ok(Parsed::Printed) => return ExitCode::SUCCESS,
        Err(f) => {
            usage_note(&f);
            return ExitCode::from(f.code);
        }
    };
    if let Some(first) = run.groups.first() {
        if let Some(path) = &first.run.stderr {
            streams::redirect_stderr(path, first.silent);
        }
    }
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("off"))
        .format_timestamp(None)
        .init();
    match run_operations(&run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            // ok: parse returns at least one operation.
            if let Some(cli) = run.groups.first() {
                report(cli, &f);
            }
            ExitCode::from(f.code)
        }
    }
}

/// A failure before any transfer, as curl words it: the message, and the
/// hint to `--help` for a usage error (printed even with `-s`, as curl does).
fn usage_note(f: &Failure) {
    eprintln!("fetch: {}", f.msg);
    if f.code == exit::USAGE {
        eprintln!("fetch: try 'fetch --help' for more information");
    }
}

/// One transfer to make: its operation, its URL argument's number there,
/// and the URL (or why its glob is bad).
type Job<'c, 'a> = (&'c Ctx<'a>, usize, Result<Expansion, Failure>);

/// Every operation's URLs in order (all at once with `-Z`). Each failure
/// is reported when it happens; the run goes on with the next URL, and
/// the exit code is the last transfer's (curl's rule).
fn run_operations(run: &Run) -> Result<(), Failure> {
    let ops = match run.groups.split_last() {
        Some((_, before)) if run.trailing_empty => before,
        _ => &run.groups[..],
    };
    let no_url = Failure::new(exit::USAGE, "no URL specified!");
    // curl -Z sets up every transfer before the first starts: an
    // operation without a URL stops the run at once.
    if run.trailing_empty && ops.first().is_some_and(|c| c.parallel) {
        usage_note(&no_url);
        return Err(Failure::new(exit::USAGE, ""));
    }
    let parallel = ops.first().filter(|c| c.parallel);
    let shared = RunShared {
        trace: match ops.first() {
            Some(cli) => open_trace(cli)?,
            None => None,
        },
        // curl draws its combined line for -Z unless -s.
        meter: parallel
            .filter(|c| !c.silent)
            .map(|_| Arc::new(Meter::new())),
        cookies: cookies::new_jar(),
    };
    let ctxs = ops
        .iter()
        .map(|cli| Ctx::open(cli, &shared))
        .collect::<Result<Vec<_>, _>>()?;
    let jobs: Vec<Job<'_, '_>> = ctxs.iter().flat_map(jobs_of).collect();
    let one = |(ctx, i, job): &Job<'_, '_>| match job {
        Ok(e) => run_one(ctx, *i, e),
        Err(f) => {
            report(ctx.cli, f);
            Err(Failure::new(f.code, ""))
        }
    };
    let result = match parallel {
        Some(cli) if jobs.len() > 1 || shared.meter.is_some() => {
            let max = cli.parallel_max.unwrap_or(DEFAULT_PARALLEL);
            parallel::run_all(&jobs, max, shared.meter.as_deref(), one)
        }
        _ => {
            // Every job runs; the last one's outcome is the run's.
            let mut last = Ok(());
            for job in &jobs {
                last = one(job);
            }
            last
        }
    };
    if !run.trailing_empty {
        return result;
    }
    // After the transfers, as curl: the last failure's code, else 2.
    usage_note(&no_url);
    Err(result.err().unwrap_or(Failure::new(exit::USAGE, "")))
}

/// The `--trace` or `--trace-ascii` file (global: one for the run).
fn open_trace(cli: &Cli) -> Result<Option<TraceDump>, Failure> {
    match (&cli.run.trace, &cli.run.trace_ascii) {
        (Some(path), _) => TraceDump::open(path, false).map(Some),
        (None, Some(path)) => TraceDump::open(path, true).map(Some),
        (None, None) => Ok(None),
    }
}

/// The transfers of one operation: each URL argument, glob-expanded
/// unless `-g`; a bad glob stays in its place among them.
fn jobs_of<'c, 'a>(ctx: &'c Ctx<'a>) -> Vec<Job<'c, 'a>> {
    let mut jobs = Vec::new();
    for (i, arg) in ctx.cli.urls.iter().enumerate() {
        if ctx.cli.globoff {
            let e = Expansion {
                url: arg.clone(),
                values: Vec::new(),
            };
            jobs.push((ctx, i, Ok(e)));
            continue;
        }
        match glob::expand(arg) {
            Ok(list) => jobs.extend(list.into_iter().map(|e| (ctx, i, Ok(e)))),
            Err(f) => jobs.push((ctx, i, Err(f))),
        }
    }
    jobs
}

/// One URL of argument `i`: its sink, the transfer with retries, `-w`,
/// the cookie jar; the failure already reported.
fn run_one(ctx: &Ctx<'_>, i: usize, e: &Expansion) -> Result<(), Failure> {
    let cli = ctx.cli;
    if brisk_client::ws::is_ws_url(&e.url) {
        return ws::session(ctx, &e.url).map_err(|f| {
            report(cli, &f);
            Failure::new(f.code, "")
        });
    }
    let sink = match Sink::for_url(cli, i, &e.url, &e.values) {
        Ok(s) => s,
        Err(f) => {
            report(cli, &f);
            return Err(Failure::new(f.code, ""));
        }
    };
    let mut stats = Stats::default();
    let result = transfer_with_retry(ctx, &e.url, &sink, &mut stats);
    // curl writes the jar as each transfer ends.
    cookies::save_jar(cli, ctx.cookies.as_ref());
    stats.exitcode = result.as_ref().err().map_or(0, |f| f.code);
    stats.urlnum = i;
    if let Some(fmt) = &ctx.write_out {
        write_out::print(fmt, &stats)?;
    }
    let result = result.map_err(|f| {
        report(cli, &f);
        Failure::new(f.code, "")
    });
    if stats.bar_begun {
        progress_bar::end_line();
    }
    result
}
