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
mod cli;
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
mod netrc;
mod output;
mod parallel;
mod protocols;
mod request;
mod resolve;
mod resume;
mod retry;
mod trace;
mod transfer;
mod write_out;
mod ws;

use std::process::ExitCode;

use crate::argv::Parsed;
use crate::cli::Cli;
use crate::context::Ctx;
use crate::exit::{report, Failure};
use crate::glob::Expansion;

/// Transfers at once with `-Z` unless `--parallel-max` says (curl's default).
const DEFAULT_PARALLEL: usize = 50;
use crate::output::Sink;
use crate::retry::transfer_with_retry;
use crate::write_out::Stats;

fn main() -> ExitCode {
    let cli = match argv::parse(std::env::args_os().collect()) {
        Ok(Parsed::Run(c)) => c,
        Ok(Parsed::Printed) => return ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("fetch: {}", f.msg);
            if f.code == exit::USAGE {
                eprintln!("fetch: try 'fetch --help' for more information");
            }
            return ExitCode::from(f.code);
        }
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("off"))
        .format_timestamp(None)
        .init();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            report(&cli, &f);
            ExitCode::from(f.code)
        }
    }
}

/// Every URL in order (at once with `-Z`). Each failure is reported when
/// it happens; the run goes on with the next URL, and the exit code is
/// the last transfer's (curl's rule).
fn run(cli: &Cli) -> Result<(), Failure> {
    let ctx = Ctx::open(cli)?;
    // A bad glob stays in its place among the transfers.
    let mut jobs: Vec<(usize, Result<Expansion, Failure>)> = Vec::new();
    for (i, arg) in cli.urls.iter().enumerate() {
        if cli.globoff {
            let e = Expansion {
                url: arg.clone(),
                values: Vec::new(),
            };
            jobs.push((i, Ok(e)));
            continue;
        }
        match glob::expand(arg) {
            Ok(list) => jobs.extend(list.into_iter().map(|e| (i, Ok(e)))),
            Err(f) => jobs.push((i, Err(f))),
        }
    }
    let one = |ctx: &Ctx<'_>, (i, job): &(usize, Result<Expansion, Failure>)| match job {
        Ok(e) => run_one(ctx, *i, e),
        Err(f) => {
            report(ctx.cli, f);
            Err(Failure::new(f.code, ""))
        }
    };
    if cli.parallel && jobs.len() > 1 {
        let max = cli.parallel_max.unwrap_or(DEFAULT_PARALLEL);
        return parallel::run_all(&ctx, &jobs, max, one);
    }
    let mut last = Ok(());
    for job in &jobs {
        last = one(&ctx, job);
    }
    last
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
    result.map_err(|f| {
        report(cli, &f);
        Failure::new(f.code, "")
    })
}
