//! `-n`/`--netrc`, `--netrc-file FILE`, `--netrc-optional`: Basic
//! credentials for a URL's host from a netrc file (`machine NAME login
//! USER password PASS`, `default`, `macdef` skipped, double-quoted
//! tokens), as curl reads it: without `-u`; with `-n` and `--netrc-file`
//! the file wins over credentials in the URL, with `--netrc-optional` the
//! URL's win.

use std::path::{Path, PathBuf};

use crate::cli::Cli;

/// One entry: the host it is for (`None`: `default`), login, password.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    machine: Option<String>,
    login: Option<String>,
    password: Option<String>,
}

/// The netrc entries of a run.
#[derive(Debug, Default)]
pub struct Netrc {
    entries: Vec<Entry>,
    /// `--netrc-optional`: credentials in the URL come first.
    optional: bool,
}

/// The file the flags name: `--netrc-file`, else `$HOME/.netrc`.
fn path(cli: &Cli) -> Option<PathBuf> {
    if let Some(f) = &cli.netrc_file {
        return Some(f.clone());
    }
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".netrc"))
}

impl Netrc {
    /// The entries, when a flag asks for them (an unreadable file gives
    /// none, as curl goes on without).
    pub fn open(cli: &Cli) -> Option<Netrc> {
        if !(cli.netrc || cli.netrc_optional || cli.netrc_file.is_some()) {
            return None;
        }
        let text = path(cli)
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default();
        Some(Netrc {
            entries: parse(&text),
            optional: cli.netrc_optional,
        })
    }

    /// The `user:password` for `host`, unless the URL's own credentials
    /// win (`--netrc-optional`). With a user in the URL (`url_user`), a
    /// machine entry must have that login; the `default` entry lends its
    /// password to the URL's user (curl 7.88's reading).
    pub fn credentials_for(&self, host: &str, url_user: Option<&str>) -> Option<(String, String)> {
        if self.optional && url_user.is_some() {
            return None;
        }
        let machine = self.entries.iter().find(|e| {
            e.machine
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case(host))
                && url_user.is_none_or(|u| e.login.as_deref() == Some(u))
        });
        if let Some(e) = machine {
            return Some((e.login.clone()?, e.password.clone().unwrap_or_default()));
        }
        let d = self.entries.iter().find(|e| e.machine.is_none())?;
        let user = url_user.map(str::to_string).or_else(|| d.login.clone())?;
        Some((user, d.password.clone().unwrap_or_default()))
    }
}

/// The words of a netrc file: whitespace-separated, double quotes with
/// `\` escapes around a word with spaces.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut w = String::new();
        if c == '"' {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => w.extend(chars.next()),
                    c => w.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                w.push(c);
                chars.next();
            }
        }
        out.push(w);
    }
    out
}

fn parse(text: &str) -> Vec<Entry> {
    // macdef bodies run to the next blank line: drop them first.
    let mut kept = String::new();
    let mut in_macro = false;
    for line in text.lines() {
        if in_macro {
            in_macro = !line.trim().is_empty();
            continue;
        }
        if line.split_whitespace().next() == Some("macdef") {
            in_macro = true;
            continue;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    let mut entries: Vec<Entry> = Vec::new();
    let mut it = words(&kept).into_iter();
    while let Some(w) = it.next() {
        match w.as_str() {
            "machine" => entries.push(Entry {
                machine: it.next(),
                login: None,
                password: None,
            }),
            "default" => entries.push(Entry {
                machine: None,
                login: None,
                password: None,
            }),
            "login" => {
                let v = it.next();
                if let Some(e) = entries.last_mut() {
                    e.login = v;
                }
            }
            "password" => {
                let v = it.next();
                if let Some(e) = entries.last_mut() {
                    e.password = v;
                }
            }
            _ => {}
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_and_lookup_as_curl_reads_them() {
        let text = "machine a.test login ann password \"p w\"\n\
                    macdef init\ncd /\n\n\
                    machine B.test\n  login bob\n  password pb\n\
                    default login any password pd\n";
        let n = Netrc {
            entries: parse(text),
            optional: false,
        };
        let creds = |h: &str| n.credentials_for(h, None);
        assert_eq!(creds("a.test"), Some(("ann".into(), "p w".into())));
        assert_eq!(creds("b.TEST"), Some(("bob".into(), "pb".into())));
        assert_eq!(creds("other"), Some(("any".into(), "pd".into())));
        let optional = Netrc {
            optional: true,
            ..n
        };
        assert_eq!(optional.credentials_for("a.test", Some("u")), None);
        let n = Netrc {
            optional: false,
            ..optional
        };
        assert_eq!(
            n.credentials_for("a.test", Some("u")),
            Some(("u".into(), "pd".into()))
        );
        assert_eq!(
            n.credentials_for("a.test", Some("ann")),
            Some(("ann".into(), "p w".into()))
        );
    }
}
