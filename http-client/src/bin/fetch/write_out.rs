//! `-w`/`--write-out`: what a transfer measured, expanded into the format
//! after each URL, with curl 7.88's variables: `%{name}`, `%header{name}`,
//! `%{json}` and `%{header_json}` ([`json`]), `%{onerror}` (the rest only
//! when the transfer failed), `%{stderr}`/`%{stdout}` (where the rest
//! goes), `%%` and backslash escapes. An unknown variable prints nothing
//! and a warning, as in curl.

mod json;

use std::io::{self, Write};
use std::time::Duration;

use crate::exit::{self, Failure};

/// What one transfer measured, for `-w`.
#[derive(Default)]
pub struct Stats {
    /// `-#` drew (or began) a bar: its line ends after the error line.
    pub bar_begun: bool,
    pub http_code: u16,
    pub namelookup: Duration,
    pub connect: Duration,
    pub appconnect: Duration,
    pub start_transfer: Duration,
    pub total: Duration,
    pub size_download: u64,
    pub size_header: u64,
    /// Bytes of the requests sent, heads and bodies (redirects included).
    pub size_request: u64,
    /// Bytes of the last request's body.
    pub size_upload: u64,
    pub num_redirects: usize,
    pub num_connects: usize,
    pub url: String,
    pub url_effective: String,
    pub content_type: String,
    pub remote_ip: String,
    pub remote_port: u16,
    pub exitcode: u8,
    pub errormsg: Option<String>,
    pub ssl_verify_result: i64,
    /// Which URL argument this transfer came from (0-based).
    pub urlnum: usize,
    pub method: String,
    /// "HTTP" or "HTTPS", as curl writes it.
    pub scheme: String,
    pub http_version: String,
    pub filename_effective: Option<String>,
    pub referer: Option<String>,
    /// Where an unfollowed redirect points.
    pub redirect_url: Option<String>,
    /// The final response's header fields, in order.
    pub headers: Vec<(String, String)>,
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

/// Which stream a piece of the output goes to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stream {
    Stdout,
    Stderr,
}

/// Writes `fmt`, expanded for `s`, to stdout (and stderr after `%{stderr}`).
pub fn print(fmt: &str, s: &Stats) -> Result<(), Failure> {
    for (stream, text) in render(fmt, s) {
        let result = match stream {
            Stream::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(text.as_bytes()).and_then(|()| out.flush())
            }
            Stream::Stderr => io::stderr().lock().write_all(text.as_bytes()),
        };
        if result.is_err() {
            return Err(Failure::new(
                exit::WRITE_ERROR,
                "Failure writing output to destination",
            ));
        }
    }
    Ok(())
}

/// Expands `fmt` into pieces of text for each stream.
fn render(fmt: &str, s: &Stats) -> Vec<(Stream, String)> {
    let mut pieces = vec![(Stream::Stdout, String::new())];
    let mut rest = fmt;
    let push = |pieces: &mut Vec<(Stream, String)>, text: &str| {
        if let Some((_, t)) = pieces.last_mut() {
            t.push_str(text);
        }
    };
    while let Some(c) = rest.chars().next() {
        if let Some((name, after)) = braced(rest, "%{") {
            rest = after;
            match name {
                "onerror" if s.exitcode == 0 => break,
                "onerror" => {}
                "stdout" => pieces.push((Stream::Stdout, String::new())),
                "stderr" => pieces.push((Stream::Stderr, String::new())),
                _ => push(&mut pieces, &variable(name, s)),
            }
            continue;
        }
        if let Some((name, after)) = braced(rest, "%header{") {
            rest = after;
            // curl 7.88 gives the first field of that name.
            let value = s
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map_or("", |(_, v)| v.as_str());
            push(&mut pieces, value);
            continue;
        }
        if let Some(after) = rest.strip_prefix("%%") {
            push(&mut pieces, "%");
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix('\\') {
            let (text, used) = match after.chars().next() {
                Some('n') => ("\n".to_string(), 1),
                Some('r') => ("\r".to_string(), 1),
                Some('t') => ("\t".to_string(), 1),
                Some('\\') => ("\\".to_string(), 1),
                Some(other) => (format!("\\{other}"), other.len_utf8()),
                None => ("\\".to_string(), 0),
            };
            push(&mut pieces, &text);
            rest = &after[used..];
            continue;
        }
        push(&mut pieces, &c.to_string());
        rest = &rest[c.len_utf8()..];
    }
    pieces.retain(|(_, t)| !t.is_empty());
    pieces
}

/// `open` ... `}` at the start of `s`: the name inside and the rest.
fn braced<'a>(s: &'a str, open: &str) -> Option<(&'a str, &'a str)> {
    let after = s.strip_prefix(open)?;
    let end = after.find('}')?;
    Some((&after[..end], &after[end + 1..]))
}

fn secs(d: Duration) -> String {
    format!("{:.6}", d.as_secs_f64())
}

/// Bytes per second over `total`, as curl's whole number.
fn speed(bytes: u64, total: Duration) -> u64 {
    let t = total.as_secs_f64();
    if t > 0.0 {
        (bytes as f64 / t) as u64
    } else {
        0
    }
}

/// The value of `%{var}`; an unknown name warns and gives nothing.
fn variable(var: &str, s: &Stats) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    match var {
        "http_code" | "response_code" => format!("{:03}", s.http_code),
        "time_namelookup" => secs(s.namelookup),
        "time_connect" => secs(s.connect),
        "time_appconnect" => secs(s.appconnect),
        "time_pretransfer" => secs(s.appconnect.max(s.connect)),
        "time_redirect" => secs(Duration::ZERO),
        "time_starttransfer" => secs(s.start_transfer),
        "time_total" => secs(s.total),
        "ssl_verify_result" | "proxy_ssl_verify_result" => s.ssl_verify_result.to_string(),
        "size_download" => s.size_download.to_string(),
        "size_header" => s.size_header.to_string(),
        "size_request" => s.size_request.to_string(),
        "size_upload" => s.size_upload.to_string(),
        "speed_download" => speed(s.size_download, s.total).to_string(),
        "speed_upload" => speed(s.size_upload, s.total).to_string(),
        "num_redirects" => s.num_redirects.to_string(),
        "num_connects" => s.num_connects.to_string(),
        "num_headers" => s.headers.len().to_string(),
        "exitcode" => s.exitcode.to_string(),
        "errormsg" => opt(&s.errormsg),
        "urlnum" => s.urlnum.to_string(),
        "url" => s.url.clone(),
        "url_effective" => s.url_effective.clone(),
        "content_type" => s.content_type.clone(),
        "remote_ip" => s.remote_ip.clone(),
        "remote_port" => s.remote_port.to_string(),
        "method" => s.method.clone(),
        "scheme" => s.scheme.clone(),
        "http_version" => s.http_version.clone(),
        "filename_effective" => opt(&s.filename_effective),
        "referer" => opt(&s.referer),
        "redirect_url" => opt(&s.redirect_url),
        "json" => json::all(s),
        "header_json" => json::headers(&s.headers),
        _ => {
            eprintln!("fetch: unknown --write-out variable: '{var}'");
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(fmt: &str, s: &Stats) -> String {
        render(fmt, s).into_iter().map(|(_, t)| t).collect()
    }

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
            headers: vec![
                ("Set-Cookie".into(), "a=1".into()),
                ("set-cookie".into(), "b=2".into()),
            ],
            ..Stats::default()
        };
        let cases = [
            ("%{http_code}", "200"),
            ("%{time_namelookup}", "0.001500"),
            ("%{time_total}s", "0.002000s"),
            ("%{size_download} %{num_redirects} %{exitcode}", "42 1 0"),
            ("%{url_effective}\\n", "http://h/x\n"),
            ("a\\tb\\\\c 100%% %", "a\tb\\c 100% %"),
            ("%{nope}| %{", "| %{"),
            ("é %{http_code}", "é 200"),
            ("%header{set-cookie} %{num_headers}", "a=1 2"),
            ("ok%{onerror} failed", "ok"),
        ];
        for (fmt, want) in cases {
            assert_eq!(text(fmt, &s), want, "{fmt}");
        }
        assert_eq!(text("%{http_code}", &Stats::default()), "000");
        let failed = Stats {
            exitcode: 7,
            ..Stats::default()
        };
        assert_eq!(text("a%{onerror}b", &failed), "ab");
        assert_eq!(
            render("o%{stderr}e%{stdout}o2", &s),
            [
                (Stream::Stdout, "o".to_string()),
                (Stream::Stderr, "e".to_string()),
                (Stream::Stdout, "o2".to_string())
            ]
        );
    }
}
