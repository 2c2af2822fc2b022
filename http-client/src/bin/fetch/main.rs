//! `fetch`: curl's habits for HTTP and HTTPS work, on `http-client`.
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

mod cli;
mod context;
mod exit;
mod output;
mod request;
mod resolve;
mod trace;
mod transfer;
mod write_out;
mod ws;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::context::Ctx;
use crate::exit::{report, Failure};
use crate::output::Sink;
use crate::transfer::transfer_with_retry;
use crate::write_out::Stats;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let rendered = e.to_string();
            let first = rendered.lines().next().unwrap_or("bad usage"); // ok: fallback text
            eprintln!("fetch: {}", first.trim_start_matches("error: "));
            eprintln!("fetch: try 'fetch --help' for more information");
            return ExitCode::from(exit::USAGE);
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

/// Every URL in order. Each failure is reported when it happens; the run
/// goes on with the next URL, and the exit code is the last transfer's
/// (curl's rule).
fn run(cli: &Cli) -> Result<(), Failure> {
    let ctx = Ctx::open(cli)?;
    let mut last: Result<(), Failure> = Ok(());
    let mut remote_left = cli.remote_name;
    for (i, url) in cli.urls.iter().enumerate() {
        if http_client::ws::is_ws_url(url) {
            last = ws::session(&ctx, url).map_err(|f| {
                report(cli, &f);
                Failure::new(f.code, "")
            });
            continue;
        }
        let sink = match Sink::for_url(cli, i, url, &mut remote_left) {
            Ok(s) => s,
            Err(f) => {
                report(cli, &f);
                last = Err(Failure::new(f.code, ""));
                continue;
            }
        };
        let mut stats = Stats::default();
        let result = transfer_with_retry(&ctx, url, &sink, &mut stats);
        stats.exitcode = result.as_ref().err().map_or(0, |f| f.code);
        if let Some(fmt) = &ctx.write_out {
            write_out::print(fmt, &stats)?;
        }
        last = result.map_err(|f| {
            report(cli, &f);
            Failure::new(f.code, "")
        });
    }
    last
}
