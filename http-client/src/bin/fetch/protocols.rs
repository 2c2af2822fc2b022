//! `--proto` and `--proto-redir`: which schemes a transfer and its
//! redirects may use, in curl's list syntax (`=https`, `-all,+http`,
//! `+https`, separated by commas; an unknown name warns and, after '=',
//! leaves nothing allowed).

use brisk_client::Scheme;

use crate::exit::{self, Failure};

/// The schemes fetch speaks, by curl's names.
const KNOWN: [(&str, Scheme); 2] = [("http", Scheme::Http), ("https", Scheme::Https)];

/// The allowed schemes after `spec`, starting from all; `quiet`: no
/// warning for an unknown name.
pub fn parse(spec: &str, flag: &str, quiet: bool) -> Result<Vec<Scheme>, Failure> {
    let mut allowed: Vec<Scheme> = KNOWN.iter().map(|(_, s)| *s).collect();
    for token in spec.split(',').filter(|t| !t.is_empty()) {
        let name = token.trim_start_matches(['=', '-', '+']);
        let modifiers = &token[..token.len() - name.len()];
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(Failure::new(
                exit::USAGE,
                format!("option {flag}: is badly used here"),
            ));
        }
        // The last modifier decides, as in curl.
        let action = modifiers.chars().last().unwrap_or('+'); // ok: no modifier means allow
        let named: Option<Vec<Scheme>> = if name.eq_ignore_ascii_case("all") {
            Some(KNOWN.iter().map(|(_, s)| *s).collect())
        } else {
            KNOWN
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, s)| vec![*s])
        };
        if action == '=' {
            allowed.clear();
        }
        match (named, action) {
            (Some(set), '-') => allowed.retain(|s| !set.contains(s)),
            (Some(set), _) => {
                for s in set {
                    if !allowed.contains(&s) {
                        allowed.push(s);
                    }
                }
            }
            (None, _) => {
                if !quiet {
                    eprintln!("Warning: unrecognized protocol '{name}'");
                }
            }
        }
    }
    Ok(allowed)
}

/// curl's exit 1 for a URL whose scheme `--proto` leaves out.
pub fn check_url(url: &str, allowed: &[Scheme]) -> Result<(), Failure> {
    let scheme = match url.split_once("://") {
        Some((s, _)) => s.to_ascii_lowercase(),
        None => "http".to_string(),
    };
    let ok = KNOWN
        .iter()
        .any(|(n, s)| *n == scheme && allowed.contains(s));
    // Other schemes are the library's to refuse (also exit 1).
    if ok || !KNOWN.iter().any(|(n, _)| *n == scheme) {
        return Ok(());
    }
    Err(Failure::new(
        exit::UNSUPPORTED_PROTOCOL,
        format!("Protocol \"{scheme}\" not supported or disabled in libcurl"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_as_curl_reads_them() {
        let p = |s: &str| parse(s, "--proto", true).ok();
        assert_eq!(p("=https"), Some(vec![Scheme::Https]));
        assert_eq!(p("-http"), Some(vec![Scheme::Https]));
        assert_eq!(p("-all,+http"), Some(vec![Scheme::Http]));
        assert_eq!(p("=bogus"), Some(vec![]));
        assert_eq!(p("bogus"), Some(vec![Scheme::Http, Scheme::Https]));
        assert_eq!(p("=https,http"), Some(vec![Scheme::Https, Scheme::Http]));
        assert!(p("=").is_none());
    }
}
