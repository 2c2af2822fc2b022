//! `--retry N` and its companions as curl 7.88 runs them: which failures
//! are transient (timeouts and unresolved names always; the HTTP statuses
//! 408, 429, 500, 502, 503, 504 whether or not `-f` made them errors;
//! refused connections with `--retry-connrefused`; anything with
//! `--retry-all-errors`), the wait (`--retry-delay`, else 1 s doubling up
//! to 10 minutes; a `Retry-After` answer sets that one wait), and
//! `--retry-max-time` (no retry once that much time has passed, nor one
//! whose `Retry-After` would pass it). Every attempt's response is
//! written, as curl writes it; a file output starts over each attempt.

use std::time::{Duration, Instant, SystemTime};

use crate::context::Ctx;
use crate::exit::{self, report, Failure};
use crate::output::Sink;
use crate::transfer::transfer;
use crate::write_out::Stats;

/// First wait without `--retry-delay`; doubled after each attempt.
const FIRST_WAIT: Duration = Duration::from_secs(1);
/// Longest doubled wait (curl's `RETRY_SLEEP_MAX`).
const MAX_WAIT: Duration = Duration::from_secs(600);

/// Why an attempt is retried: curl's words for each.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reason {
    AllErrors,
    Timeout,
    ConnRefused,
    Http,
}

impl Reason {
    fn words(self) -> &'static str {
        match self {
            Reason::AllErrors => "(retrying all errors)",
            Reason::Timeout => ": timeout",
            Reason::ConnRefused => ": connection refused",
            Reason::Http => ": HTTP error",
        }
    }
}

/// curl's transient HTTP statuses.
fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// Whether (and why) an attempt's outcome is retried.
fn reason(ctx: &Ctx<'_>, result: &Result<(), Failure>, stats: &Stats) -> Option<Reason> {
    let cli = ctx.cli;
    let http_outcome = match result {
        Ok(()) => true,
        Err(f) => f.code == exit::HTTP_ERROR && (cli.fail || cli.fail_with_body),
    };
    let r = match result {
        Err(f)
            if matches!(
                f.code,
                exit::TIMEOUT | exit::HOST_NOT_RESOLVED | exit::PROXY_NOT_RESOLVED
            ) =>
        {
            Some(Reason::Timeout)
        }
        Err(f) if f.code == exit::CONNECT_FAILED && cli.retry_connrefused && f.refused => {
            Some(Reason::ConnRefused)
        }
        _ if http_outcome && is_transient_status(stats.http_code) => Some(Reason::Http),
        _ => None,
    };
    match (r, result) {
        (None, Err(_)) if cli.retry_all_errors => Some(Reason::AllErrors),
        _ => r,
    }
}

/// One URL, attempted again while `--retry` allows.
pub fn transfer_with_retry(
    ctx: &Ctx<'_>,
    url: &str,
    sink: &Sink,
    stats: &mut Stats,
) -> Result<(), Failure> {
    let cli = ctx.cli;
    let started = Instant::now();
    let max_time = cli
        .retry_max_time
        .filter(|s| *s > 0)
        .map(Duration::from_secs);
    let fixed_delay = cli.retry_delay.filter(|s| *s > 0).map(Duration::from_secs);
    let mut sleep = fixed_delay.unwrap_or(FIRST_WAIT);
    let mut left = cli.retry;
    loop {
        *stats = Stats::default();
        let result = transfer(ctx, url, sink, stats);
        let in_time = max_time.is_none_or(|m| started.elapsed() < m);
        let Some(why) = (left > 0 && in_time)
            .then(|| reason(ctx, &result, stats))
            .flatten()
        else {
            return result;
        };
        let mut wait = sleep;
        if let (Reason::Http, Some(after)) = (why, stats.retry_after) {
            wait = after;
            if max_time.is_some_and(|m| started.elapsed().as_secs() + after.as_secs() > m.as_secs())
            {
                warn(cli, "The Retry-After: time would make this command line exceed the maximum allowed time for retries.");
                return result;
            }
        }
        if let Err(f) = &result {
            // curl reports each failed attempt.
            report(cli, f);
        }
        warn(
            cli,
            &format!(
                "Problem {}. Will retry in {} seconds. {left} retries left.",
                why.words(),
                wait.as_secs()
            ),
        );
        left -= 1;
        if fixed_delay.is_none() {
            sleep = (sleep * 2).min(MAX_WAIT);
        }
        std::thread::sleep(wait);
    }
}

/// A warning line on stderr, unless `-s`.
fn warn(cli: &crate::cli::Cli, msg: &str) {
    if !cli.silent {
        eprintln!("Warning: {msg}");
    }
}

/// A `Retry-After` value: seconds, or an HTTP date (the time until then;
/// 0 for a date past). `None` when absent, zero or unreadable (curl then
/// keeps its own wait).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    let secs = match v.parse::<u64>() {
        Ok(s) => s,
        Err(_) => {
            let t = httpdate_secs(v)?;
            let now = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            u64::try_from(t - now).unwrap_or(0)
        }
    };
    (secs > 0).then(|| Duration::from_secs(secs))
}

/// Seconds since the epoch of a date as HTTP and cookies write them.
fn httpdate_secs(v: &str) -> Option<i64> {
    brisk_client::cookie::parse_cookie_date(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        assert_eq!(parse_retry_after(" 2 "), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("0"), None);
        assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT"), None);
        let later = parse_retry_after("Thu, 01 Jan 2099 00:00:00 GMT");
        assert!(later.is_some_and(|d| d > Duration::from_secs(86_400)));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
