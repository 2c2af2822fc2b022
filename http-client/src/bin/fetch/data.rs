//! The request data of `-d`, `--data-ascii`, `--data-binary`,
//! `--data-raw`, `--data-urlencode` and `--json`, joined as curl joins
//! them: in command-line order, a '&' before every piece but a `--json`
//! one (`-d a --json b --json c` is `a&bc`).

use std::fs::File;
use std::io::{self, Read};

use crate::exit::{self, Failure};

/// Which flag gave a piece of data: how '@' and the bytes are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind {
    /// `-d`, `--data`, `--data-ascii`: `@file` with CR and LF removed.
    Ascii,
    /// `--data-binary`: `@file` as it is.
    Binary,
    /// `--data-raw`: no '@' rule.
    Raw,
    /// `--data-urlencode`: the content percent-encoded (five forms).
    UrlEncode,
    /// `--json`: as `--data-binary`, joined with no '&'.
    Json,
}

/// One data flag as given.
#[derive(Debug, Clone)]
pub struct DataArg {
    pub kind: DataKind,
    pub value: String,
}

/// The joined data, and whether `--json` was among it (curl then sends
/// JSON's Content-Type and Accept).
pub struct Data {
    pub bytes: Vec<u8>,
    pub json: bool,
}

/// The data of every flag, or `None` without any; `quiet` (`-s`) silences
/// the warning about a file that cannot be read (curl sends nothing for it).
pub fn assemble(args: &[DataArg], quiet: bool) -> Result<Option<Data>, Failure> {
    if args.is_empty() {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && a.kind != DataKind::Json {
            bytes.push(b'&');
        }
        bytes.extend(piece(a, quiet)?);
    }
    let json = args.iter().any(|a| a.kind == DataKind::Json);
    Ok(Some(Data { bytes, json }))
}

/// The bytes one flag contributes.
fn piece(a: &DataArg, quiet: bool) -> Result<Vec<u8>, Failure> {
    let v = a.value.as_str();
    let read = |src: &str, shown: &str| read_or_warn(src, shown, quiet);
    match a.kind {
        DataKind::Raw => Ok(v.as_bytes().to_vec()),
        DataKind::Ascii => match v.strip_prefix('@') {
            Some(src) => {
                let mut b = read(src, src);
                // curl's -d @file drops carriage returns and newlines.
                b.retain(|c| *c != b'\r' && *c != b'\n');
                Ok(b)
            }
            None => Ok(v.as_bytes().to_vec()),
        },
        DataKind::Binary | DataKind::Json => match v.strip_prefix('@') {
            Some(src) => Ok(read(src, src)),
            None => Ok(v.as_bytes().to_vec()),
        },
        DataKind::UrlEncode => Ok(url_encoded(v, read)),
    }
}

/// curl's `--data-urlencode` forms: the name ends at the first '=' (or,
/// without one, the first '@', which makes the rest a file name); the
/// name is sent as it is, the content encoded.
/// `read` gets the file's name and the name the warning shows (curl shows
/// `@file` there).
fn url_encoded(v: &str, read: impl Fn(&str, &str) -> Vec<u8>) -> Vec<u8> {
    let split = v.find('=').or_else(|| v.find('@'));
    let (name, content) = match split {
        Some(i) if v.as_bytes()[i] == b'@' => (&v[..i], read(&v[i + 1..], &v[i..])),
        Some(i) => (&v[..i], v.as_bytes()[i + 1..].to_vec()),
        None => ("", v.as_bytes().to_vec()),
    };
    let encoded = form_escape(&content);
    if name.is_empty() {
        encoded.into_bytes()
    } else {
        format!("{name}={encoded}").into_bytes()
    }
}

/// A data file's bytes; one that cannot be read warns (unless `quiet`) and
/// gives nothing, as curl does.
fn read_or_warn(src: &str, shown: &str, quiet: bool) -> Vec<u8> {
    match read_source(src) {
        Ok(b) => b,
        Err(_) => {
            if !quiet {
                eprintln!(
                    "Warning: Couldn't read data from file \"{shown}\", this makes an empty POST."
                );
            }
            Vec::new()
        }
    }
}

/// Percent-encoding as curl 7.88's `--data-urlencode` does it: unreserved
/// bytes (ALPHA, DIGIT, `-._~`) stay, a space becomes '+', every other
/// byte `%XX` in upper case.
pub fn form_escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The bytes of a file, or of stdin for "-".
pub fn read_source(src: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let res = if src == "-" {
        io::stdin().read_to_end(&mut bytes)
    } else {
        File::open(src).and_then(|mut f| f.read_to_end(&mut bytes))
    };
    res.map_err(|e| Failure::new(exit::READ_ERROR, format!("Failed to read {src}: {e}")))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(kind: DataKind, value: &str) -> DataArg {
        DataArg {
            kind,
            value: value.into(),
        }
    }

    #[test]
    fn pieces_join_with_ampersands_except_before_json() {
        use DataKind::*;
        let cases: [(&[DataArg], &str); 4] = [
            (&[arg(Ascii, "x"), arg(Json, "y"), arg(Json, "z")], "xyz"),
            (&[arg(Json, "a"), arg(Ascii, "b"), arg(Json, "c")], "a&bc"),
            (&[arg(Raw, "@f"), arg(Binary, "b")], "@f&b"),
            (&[arg(UrlEncode, "name="), arg(UrlEncode, "")], "name=&"),
        ];
        for (args, want) in cases {
            let got = assemble(args, true).ok().flatten().map(|d| d.bytes);
            assert_eq!(got.as_deref(), Some(want.as_bytes()), "{args:?}");
        }
    }

    #[test]
    fn urlencode_forms_split_at_the_first_equals_then_at() {
        let cases = [
            ("a b", "a+b"),
            ("=a=b", "a%3Db"),
            ("n=é~.-", "n=%C3%A9~.-"),
            ("a@b=c d", "a@b=c+d"),
        ];
        for (v, want) in cases {
            let got = url_encoded(v, |_, _| Vec::new());
            assert_eq!(got, want.as_bytes(), "{v}");
        }
    }
}
