//! `%{json}` and `%{header_json}` in curl 7.88's shapes: every variable in
//! curl's key order (those fetch cannot know, such as FTP's or the local
//! address, as curl writes them when empty), and the response headers as
//! lower-cased names with arrays of values, one per line.

use super::{secs, speed, Stats};

/// A JSON string literal.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A string, or `null` when absent (curl's way for unset text).
fn nullable(v: Option<&str>) -> String {
    v.map_or_else(|| "null".to_string(), string)
}

/// `%{header_json}`.
pub fn headers(fields: &[(String, String)]) -> String {
    let mut names: Vec<String> = Vec::new();
    for (n, _) in fields {
        let lower = n.to_ascii_lowercase();
        if !names.contains(&lower) {
            names.push(lower);
        }
    }
    let lines: Vec<String> = names
        .iter()
        .map(|name| {
            let values: Vec<String> = fields
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| string(v))
                .collect();
            format!("{}:[{}]", string(name), values.join(","))
        })
        .collect();
    format!("{{{}\n}}", lines.join(",\n"))
}

/// `%{json}`.
pub fn all(s: &Stats) -> String {
    let content_type = (!s.content_type.is_empty()).then_some(s.content_type.as_str());
    let fields: Vec<(&str, String)> = vec![
        ("certs", string("")),
        ("content_type", nullable(content_type)),
        ("errormsg", nullable(s.errormsg.as_deref())),
        ("exitcode", s.exitcode.to_string()),
        (
            "filename_effective",
            nullable(s.filename_effective.as_deref()),
        ),
        ("ftp_entry_path", "null".into()),
        ("http_code", s.http_code.to_string()),
        ("http_connect", "0".into()),
        ("http_version", string(&s.http_version)),
        ("local_ip", string("")),
        ("local_port", "0".into()),
        ("method", string(&s.method)),
        ("num_certs", "0".into()),
        ("num_connects", s.num_connects.to_string()),
        ("num_headers", s.headers.len().to_string()),
        ("num_redirects", s.num_redirects.to_string()),
        ("proxy_ssl_verify_result", "0".into()),
        ("redirect_url", nullable(s.redirect_url.as_deref())),
        ("referer", nullable(s.referer.as_deref())),
        ("remote_ip", string(&s.remote_ip)),
        ("remote_port", s.remote_port.to_string()),
        ("response_code", s.http_code.to_string()),
        ("scheme", string(&s.scheme)),
        ("size_download", s.size_download.to_string()),
        ("size_header", s.size_header.to_string()),
        ("size_request", s.size_request.to_string()),
        ("size_upload", s.size_upload.to_string()),
        (
            "speed_download",
            speed(s.size_download, s.total).to_string(),
        ),
        ("speed_upload", speed(s.size_upload, s.total).to_string()),
        ("ssl_verify_result", s.ssl_verify_result.to_string()),
        ("time_appconnect", secs(s.appconnect)),
        ("time_connect", secs(s.connect)),
        ("time_namelookup", secs(s.namelookup)),
        ("time_pretransfer", secs(s.appconnect.max(s.connect))),
        ("time_redirect", secs(std::time::Duration::ZERO)),
        ("time_starttransfer", secs(s.start_transfer)),
        ("time_total", secs(s.total)),
        ("url", string(&s.url)),
        ("url_effective", string(&s.url_effective)),
        ("urlnum", s.urlnum.to_string()),
        (
            "curl_version",
            string(&format!("fetch/{}", env!("CARGO_PKG_VERSION"))),
        ),
    ];
    let body: Vec<String> = fields
        .into_iter()
        .map(|(k, v)| format!("{}:{v}", string(k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_json_is_curls_shape() {
        let h = vec![
            ("Server".to_string(), "py".to_string()),
            ("Set-Cookie".to_string(), "x=\"1\"".to_string()),
            ("set-cookie".to_string(), "y=2".to_string()),
        ];
        assert_eq!(
            headers(&h),
            "{\"server\":[\"py\"],\n\"set-cookie\":[\"x=\\\"1\\\"\",\"y=2\"]\n}"
        );
    }
}
