//! Conditional requests as curl makes them: `-z DATE|FILE` (a file's
//! modification time, or a date; a leading '-' asks "unmodified since")
//! sends `If-Modified-Since`/`If-Unmodified-Since`, and a body whose
//! `Last-Modified` does not meet the condition is not written;
//! `--etag-compare FILE` sends the ETag saved in FILE as `If-None-Match`
//! (nothing when the file is missing); `--etag-save FILE` writes the
//! response's ETag (an empty file without one).

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::exit::{self, Failure};

/// A `-z` condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeCond {
    /// Seconds since the epoch.
    pub at: i64,
    /// `-z -DATE`: unmodified since.
    pub unmodified: bool,
}

impl TimeCond {
    /// Reads `-z`: an existing file's time, else a date (HTTP forms, or
    /// curl's `YYYYMMDD`); neither: no condition, with curl's warning
    /// (unless `quiet`).
    pub fn parse(arg: &str, quiet: bool) -> Option<TimeCond> {
        let (unmodified, rest) = match arg.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, arg),
        };
        let from_file = std::fs::metadata(rest)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64);
        let Some(at) = from_file.or_else(|| parse_date(rest)) else {
            if !quiet {
                eprintln!("Warning: Illegal date format for -z, --time-cond (and not a file name). Disabling time condition.");
            }
            return None;
        };
        Some(TimeCond { at, unmodified })
    }

    /// The request header for the condition.
    pub fn header(&self) -> (&'static str, String) {
        let name = if self.unmodified {
            "If-Unmodified-Since"
        } else {
            "If-Modified-Since"
        };
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(self.at.max(0) as u64);
        (name, brisk_core::fmt_http_date(t))
    }

    /// Whether a response with this `Last-Modified` meets the condition
    /// (curl writes the body only then; no date: met).
    pub fn met_by(&self, last_modified: Option<&str>) -> bool {
        let Some(t) = last_modified.and_then(parse_date) else {
            return true;
        };
        if self.unmodified {
            t <= self.at
        } else {
            t > self.at
        }
    }
}

/// An HTTP date (any of the forms cookies use too) or `YYYYMMDD`.
fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let text = format!(
            "{} {} {} 00:00:00 GMT",
            &s[6..8],
            month_name(&s[4..6])?,
            &s[..4]
        );
        return brisk_client::cookie::parse_cookie_date(&text);
    }
    brisk_client::cookie::parse_cookie_date(s)
}

fn month_name(mm: &str) -> Option<&'static str> {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    NAMES
        .get(mm.parse::<usize>().ok()?.checked_sub(1)?)
        .copied()
}

/// `--etag-compare`: the saved ETag (its first line); a missing file is
/// curl's exit 26.
pub fn saved_etag(path: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::new(
            exit::READ_ERROR,
            format!("Failed to open {}: {e}", path.display()),
        )
    })?;
    Ok(text.lines().next().unwrap_or("").trim().to_string()) // ok: an empty file is an empty tag
}

/// `--etag-save`: the response's ETag and a newline, or an empty file.
pub fn save_etag(path: &Path, etag: Option<&str>) -> Result<(), Failure> {
    let text = etag.map(|e| format!("{e}\n")).unwrap_or_default();
    std::fs::write(path, text).map_err(|e| {
        Failure::new(
            exit::WRITE_ERROR,
            format!("Failed to save the ETag in {}: {e}", path.display()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_conditions_as_curl_reads_them() {
        let c = TimeCond::parse("-20300101", true);
        assert_eq!(
            c.map(|c| c.header()),
            Some((
                "If-Unmodified-Since",
                "Tue, 01 Jan 2030 00:00:00 GMT".to_string()
            ))
        );
        let c = TimeCond::parse("Thu, 01 Jan 2037 00:00:00 GMT", true);
        assert!(c.is_some_and(|c| !c.met_by(Some("Sun, 09 Sep 2001 01:46:40 GMT"))));
        assert!(c.is_some_and(|c| c.met_by(None)));
        assert!(TimeCond::parse("not a date", true).is_none());
    }
}
