//! The flags about the run rather than one request: operations (`-:`),
//! pacing, TCP keepalive and where diagnostics go. Flattened into
//! [`crate::cli::Cli`] (kept apart so that neither file grows too long).

use std::path::PathBuf;
use std::time::Duration;

use brisk_client::net::TCP_KEEPALIVE_IDLE;
use clap::Args;

use crate::exit::{self, Failure};
use crate::pace;

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

    /// Hold each transfer to RATE bytes per second on average, download
    /// and upload (suffix K, M or G: 1024-based, as curl).
    #[arg(long = "limit-rate", value_name = "RATE", allow_hyphen_values = true)]
    pub limit_rate: Option<String>,
    /// Abort a transfer (exit 28) slower than SPEED bytes per second for
    /// --speed-time seconds (default 30).
    #[arg(
        short = 'Y',
        long = "speed-limit",
        value_name = "SPEED",
        allow_hyphen_values = true
    )]
    pub speed_limit: Option<String>,
    /// With --speed-limit (default 1 byte/s when only this is given): how
    /// long a transfer may stay below it; 0 turns the check off.
    #[arg(
        short = 'y',
        long = "speed-time",
        value_name = "SECS",
        allow_hyphen_values = true
    )]
    pub speed_time: Option<String>,
    /// The values above, checked (filled after parsing).
    #[arg(skip)]
    pub pacing: Pacing,
    /// Show curl's one-line progress bar on stderr (with a known size:
    /// '#' and the percentage) instead of the default meter.
    #[arg(short = '#', long = "progress-bar")]
    pub progress_bar: bool,
    /// Write a trace of everything sent and received to FILE ("-":
    /// stdout, "%": stderr) in curl's format, data in hex; the values of
    /// Authorization, Proxy-Authorization, Cookie and Set-Cookie are written as
    /// "[redacted]" (curl writes them).
    #[arg(
        long = "trace",
        value_name = "FILE",
        allow_hyphen_values = true,
        overrides_with_all = ["trace_ascii", "verbose"]
    )]
    pub trace: Option<PathBuf>,
    /// Like --trace, the data as text (curl's --trace-ascii).
    #[arg(
        long = "trace-ascii",
        value_name = "FILE",
        allow_hyphen_values = true,
        overrides_with_all = ["trace", "verbose"]
    )]
    pub trace_ascii: Option<PathBuf>,
    /// Write what would go to stderr (errors, -v, progress) to FILE
    /// instead ("-": stdout).
    #[arg(long = "stderr", value_name = "FILE", allow_hyphen_values = true)]
    pub stderr: Option<PathBuf>,
    /// TCP keepalive: the first probe after SECS idle, then one every
    /// SECS (default 60, as curl; 0 keeps the default).
    #[arg(
        long = "keepalive-time",
        value_name = "SECS",
        allow_hyphen_values = true
    )]
    pub keepalive_time: Option<String>,
    /// No TCP keepalive probes (SO_KEEPALIVE off).
    #[arg(long = "no-keepalive")]
    pub no_keepalive: bool,
    /// --keepalive-time, checked (filled after parsing).
    #[arg(skip)]
    pub keepalive_secs: Option<u64>,
}

/// `--limit-rate`, `--speed-limit` and `--speed-time`, as numbers.
#[derive(Debug, Default, Clone, Copy)]
pub struct Pacing {
    /// Bytes per second; `None` for no limit (curl: 0 is none).
    pub rate: Option<u64>,
    pub speed_limit: Option<u64>,
    pub speed_time: Option<u64>,
}

impl RunFlags {
    /// TCP keepalive's idle time and interval, or none with
    /// `--no-keepalive`.
    pub fn keepalive(&self) -> Option<Duration> {
        match (self.no_keepalive, self.keepalive_secs) {
            (true, _) => None,
            (false, Some(secs)) if secs > 0 => Some(Duration::from_secs(secs)),
            _ => Some(TCP_KEEPALIVE_IDLE),
        }
    }

    /// Reads the values clap leaves as text, with curl's words for a bad
    /// one (exit 2).
    pub fn check(&mut self) -> Result<(), Failure> {
        if let Some(text) = &self.limit_rate {
            let rate = pace::parse_rate(text).ok_or_else(|| {
                Failure::new(exit::USAGE, "option --limit-rate: is badly used here")
            })?;
            self.pacing.rate = (rate > 0).then_some(rate);
        }
        let unum = |v: &Option<String>, flag| v.as_deref().map(|t| parse_unum(t, flag)).transpose();
        self.pacing.speed_limit = unum(&self.speed_limit, "--speed-limit")?;
        self.pacing.speed_time = unum(&self.speed_time, "--speed-time")?;
        self.keepalive_secs = unum(&self.keepalive_time, "--keepalive-time")?;
        Ok(())
    }
}

/// A whole number as curl's `str2unum` reads it (strtol: leading blanks
/// and a sign allowed, nothing after the digits).
fn parse_unum(text: &str, flag: &str) -> Result<u64, Failure> {
    let t = text.trim_start();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let valid = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let words = match (valid, negative) {
        (false, _) => "expected a proper numerical parameter",
        (true, true) if digits.bytes().all(|b| b == b'0') => return Ok(0),
        (true, true) => "expected a positive numerical parameter",
        (true, false) => return digits.parse().map_err(|_| too_large(flag)),
    };
    Err(Failure::new(exit::USAGE, format!("option {flag}: {words}")))
}

fn too_large(flag: &str) -> Failure {
    Failure::new(exit::USAGE, format!("option {flag}: too large number"))
}
