//! The flags about the run rather than one request: operations (`-:`),
//! pacing, TCP keepalive and where diagnostics go. Flattened into
//! [`crate::cli::Cli`] (kept apart so that neither file grows too long).

use clap::Args;

#[derive(Args, Debug, Default, Clone)]
pub struct RunFlags {
    /// Start a new set of options for the URLs after it, as curl's --next
    /// does: options before it apply to the URLs before it. -v, --trace,
    /// --trace-ascii, -s, -S, -#, --stderr, -Z, --parallel-max and
    /// --parallel-immediate are global (they hold for every set, the last
    /// one given winning).
    // Taken out of the command line before clap sees it (see groups.rs);
    // declared here for --help and for the config-file syntax (`next`).
    #[arg(short = ':', long = "next")]
    pub next: bool,
}
