//! `-w`/`--write-out`: what a transfer measured, expanded into the format
//! after each URL.

use std::io::{self, Write};
use std::time::Duration;

use crate::exit::{self, Failure};

/// What one transfer measured, for `-w`.
#[derive(Default)]
pub struct Stats {
    pub http_code: u16,
    pub namelookup: Duration,
    pub connect: Duration,
    pub appconnect: Duration,
    pub start_transfer: Duration,
    pub total: Duration,
    pub size_download: u64,
    pub size_header: u64,
    pub num_redirects: usize,
    pub url_effective: String,
    pub content_type: String,
    pub remote_ip: String,
    pub remote_port: u16,
    pub exitcode: u8,
    pub ssl_verify_result: i64,
    /// Which URL argument this transfer came from (0-based).
    pub urlnum: usize,
    /// The response's `Retry-After`, for `--retry`.
    pub retry_after: Option<Duration>,
}

/// The `-w` format: the flag's text, or with '@' the contents of that file.
pub fn load_format(arg: Option<&str>) -> Result<Option<String>, Failure> {
    let Some(f) = arg else {
        return Ok(None);
    };
    match f.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map(Some)
            .map_err(|e| Failure::new(exit::READ_ERROR, format!("Failed to read {path}: {e}"))),
        None => Ok(Some(f.to_string())),
    }
}

/// Writes `fmt`, expanded for `s`, to stdout.
pub fn print(fmt: &str, s: &Stats) -> Result<(), Failure> {
    let text = render_write_out(fmt, s);
    let mut out = io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return Err(Failure::new(
            exit::WRITE_ERROR,
            "Failure writing output to destination",
        ));
    }
    Ok(())
}

/// Expands `-w` variables and curl's backslash escapes.
fn render_write_out(fmt: &str, s: &Stats) -> String {
    let mut out = String::new();
    let mut rest = fmt;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("%{") {
            if let Some(end) = after.find('}') {
                out.push_str(&variable(&after[..end], s));
                rest = &after[end + 1..];
                continue;
            }
        }
        if let Some(after) = rest.strip_prefix("%%") {
            out.push('%');
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix('\\') {
            match after.chars().next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('\\') => out.push('\\'),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
            rest = after.get(1..).unwrap_or("");
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The value of `%{var}`; an unknown name stays as written.
fn variable(var: &str, s: &Stats) -> String {
    let secs = |d: Duration| format!("{:.6}", d.as_secs_f64());
    match var {
        "http_code" | "response_code" => format!("{:03}", s.http_code),
        "time_namelookup" => secs(s.namelookup),
        "time_connect" => secs(s.connect),
        "time_appconnect" => secs(s.appconnect),
        "ssl_verify_result" => s.ssl_verify_result.to_string(),
        "time_starttransfer" => secs(s.start_transfer),
        "time_total" => secs(s.total),
        "size_download" => s.size_download.to_string(),
        "size_header" => s.size_header.to_string(),
        "num_redirects" => s.num_redirects.to_string(),
        "exitcode" => s.exitcode.to_string(),
        "urlnum" => s.urlnum.to_string(),
        "url_effective" => s.url_effective.clone(),
        "content_type" => s.content_type.clone(),
        "remote_ip" => s.remote_ip.clone(),
        "remote_port" => s.remote_port.to_string(),
        _ => format!("%{{{var}}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_out_expands_variables_and_escapes() {
        let s = Stats {
            http_code: 200,
            namelookup: Duration::from_micros(1500),
            total: Duration::from_millis(2),
            size_download: 42,
            num_redirects: 1,
            exitcode: 0,
            url_effective: "http://h/x".into(),
            ..Stats::default()
        };
        let cases = [
            ("%{http_code}", "200"),
            ("%{time_namelookup}", "0.001500"),
            ("%{time_total}s", "0.002000s"),
            ("%{size_download} %{num_redirects} %{exitcode}", "42 1 0"),
            ("%{url_effective}\\n", "http://h/x\n"),
            ("a\\tb\\\\c 100%% %", "a\tb\\c 100% %"),
            ("%{nope} %{", "%{nope} %{"),
            ("é %{http_code}", "é 200"),
        ];
        for (fmt, want) in cases {
            assert_eq!(render_write_out(fmt, &s), want, "{fmt}");
        }
        assert_eq!(render_write_out("%{http_code}", &Stats::default()), "000");
    }
}
