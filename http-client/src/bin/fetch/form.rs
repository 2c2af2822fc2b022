//! `-F`/`--form` and `--form-string` read as curl 7.88 reads them, into
//! the library's [`Form`]: `name=value`, `name=@file` (the file's name,
//! a type from its extension, streamed from disk), `name=@a,b` (a nested
//! multipart/mixed part), `name=<file` (the file as the value), `@-` and
//! `<-` (stdin), and the `;type=`, `;filename=`, `;headers=` parameters,
//! with curl's double quotes and backslash escapes.

use std::path::Path;

use brisk_client::multipart::{Content, Escape, Form, Part};

use crate::data::read_source;
use crate::exit::{self, Failure};

/// One form flag as given.
#[derive(Debug, Clone)]
pub struct FormArg {
    pub value: String,
    /// `--form-string`: the value is taken as it is.
    pub literal: bool,
}

/// The form of every flag, in order.
pub fn build(args: &[FormArg], escape: Escape) -> Result<Form, Failure> {
    let mut form = Form::new().escape(escape);
    for a in args {
        let Some((name, value)) = a.value.split_once('=') else {
            return Err(Failure::new(exit::USAGE, "option -F: is badly used here"));
        };
        let name = (!name.is_empty()).then_some(name);
        if a.literal {
            form.push(Part::new(name, Content::Bytes(value.as_bytes().to_vec())));
        } else {
            form.push(field(name, value)?);
        }
    }
    Ok(form)
}

/// curl's words for a form file it cannot read (exit 26).
fn unreadable() -> Failure {
    Failure::new(
        exit::READ_ERROR,
        "Failed to open/read local data from file/application",
    )
}

/// One `-F` field.
fn field(name: Option<&str>, value: &str) -> Result<Part, Failure> {
    if let Some(files) = value.strip_prefix('@') {
        return file_field(name, files);
    }
    if let Some(src) = value.strip_prefix('<') {
        let (word, rest) = word(src, None);
        let params = Params::parse(rest);
        // The file is the value: no file name is sent, whatever ;filename says.
        let content = if word == "-" {
            Content::Bytes(read_source("-").map_err(|_| unreadable())?)
        } else {
            readable(&word)?;
            Content::File(word.into())
        };
        return Ok(params.apply(Part::new(name, content), false));
    }
    let (word, rest) = word(value, None);
    let params = Params::parse(rest);
    Ok(params.apply(Part::new(name, Content::Bytes(word.into_bytes())), false))
}

/// `@file[;params][,file[;params]]...`: one file part, or several in a
/// nested multipart/mixed part.
fn file_field(name: Option<&str>, mut spec: &str) -> Result<Part, Failure> {
    let mut files = Vec::new();
    loop {
        let (path, rest) = word(spec, Some(','));
        let (params, rest) = Params::parse_until_comma(rest);
        files.push(file_part(&path, params)?);
        match rest.strip_prefix(',') {
            Some(next) => spec = next,
            None => break,
        }
    }
    if files.len() == 1 {
        return Ok(files.remove(0).named(name));
    }
    let mut mixed = Form::mixed();
    for f in files {
        mixed.push(f);
    }
    Ok(Part::new(name, Content::Mixed(mixed)))
}

/// One file of an `@` field (unnamed: the caller names it).
fn file_part(path: &str, params: Params) -> Result<Part, Failure> {
    let base = Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned());
    let filename = params.filename.clone().unwrap_or(base);
    let (content, default_type) = if path == "-" {
        let bytes = read_source("-").map_err(|_| unreadable())?;
        // curl gives stdin a type only from the file name's extension.
        (Content::Bytes(bytes), type_for(&filename))
    } else {
        readable(path)?;
        let t = type_for(&filename).unwrap_or("application/octet-stream");
        (Content::File(path.into()), Some(t))
    };
    let mut part = Part::new(None, content).filename(&filename);
    if params.content_type.is_none() {
        if let Some(t) = default_type {
            part = part.content_type(t);
        }
    }
    Ok(params.apply(part, true))
}

/// Fails with curl's exit 26 unless `path` opens for reading.
fn readable(path: &str) -> Result<(), Failure> {
    std::fs::File::open(path)
        .map(drop)
        .map_err(|_| unreadable())
}

/// curl's table of types by file-name extension (lib/mime.c).
fn type_for(filename: &str) -> Option<&'static str> {
    const TYPES: [(&str, &str); 10] = [
        (".gif", "image/gif"),
        (".jpg", "image/jpeg"),
        (".jpeg", "image/jpeg"),
        (".png", "image/png"),
        (".svg", "image/svg+xml"),
        (".txt", "text/plain"),
        (".htm", "text/html"),
        (".html", "text/html"),
        (".pdf", "application/pdf"),
        (".xml", "application/xml"),
    ];
    let lower = filename.to_ascii_lowercase();
    TYPES
        .iter()
        .find(|(ext, _)| lower.ends_with(ext))
        .map(|(_, t)| *t)
}

/// A word up to ';' (or `end`), spaces around it trimmed; in double quotes
/// it may hold those, with `\"` and `\\` escaped. Returns the word and
/// the rest from the ';' or `end` on.
fn word(s: &str, end: Option<char>) -> (String, &str) {
    let s = s.trim_start();
    let stops = |c: char| c == ';' || Some(c) == end;
    if let Some(quoted) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' if quoted[i + 1..].starts_with(['"', '\\']) => {
                    if let Some((_, next)) = chars.next() {
                        out.push(next);
                    }
                }
                '"' => {
                    let after = &quoted[i + 1..];
                    // Anything after the closing quote up to the next
                    // separator is dropped (curl warns about it).
                    let rest = after.find(stops).map_or("", |j| &after[j..]);
                    return (out, rest);
                }
                c => out.push(c),
            }
        }
        // No closing quote: the quote is part of an unquoted word.
    }
    let cut = s.find(stops).unwrap_or(s.len());
    (s[..cut].trim_end().to_string(), &s[cut..])
}

/// The `;type=`, `;filename=` and `;headers=` parameters of one value.
#[derive(Default, Clone)]
struct Params {
    content_type: Option<String>,
    filename: Option<String>,
    headers: Vec<String>,
}

/// The parameter names curl knows; a ';' before anything else belongs to
/// the type before it (`type=text/plain;charset=utf-8`).
const KEYWORDS: [&str; 4] = ["type=", "filename=", "headers=", "encoder="];

impl Params {
    fn parse(s: &str) -> Params {
        Params::parse_until(s, None).0
    }

    fn parse_until_comma(s: &str) -> (Params, &str) {
        Params::parse_until(s, Some(','))
    }

    /// Parameters from a ';' on, until `end` (returned with the rest).
    fn parse_until(mut s: &str, end: Option<char>) -> (Params, &str) {
        let mut p = Params::default();
        while let Some(after) = s.strip_prefix(';') {
            let after = after.trim_start();
            if let Some(t) = after.strip_prefix("type=") {
                let (value, rest) = type_value(t, end);
                p.content_type = Some(value);
                s = rest;
            } else if let Some(f) = after.strip_prefix("filename=") {
                let (value, rest) = word(f, end);
                p.filename = Some(value);
                s = rest;
            } else if let Some(h) = after.strip_prefix("headers=") {
                let (value, rest) = word(h, end);
                p.headers.extend(header_lines(&value));
                s = rest;
            } else {
                // encoder= and unknown parameters: skipped, as curl skips them.
                let (_, rest) = word(after, end);
                s = rest;
            }
        }
        (p, s)
    }

    /// Sets the parameters on a part; `filename` only where curl sends it
    /// (file parts).
    fn apply(self, mut part: Part, filename: bool) -> Part {
        if let Some(t) = &self.content_type {
            part = part.content_type(t);
        }
        if filename {
            if let Some(f) = &self.filename {
                part = part.filename(f);
            }
        }
        for h in &self.headers {
            part = part.header(h);
        }
        part
    }
}

/// A type value: up to the ';' that starts a known parameter, or `end`.
fn type_value(s: &str, end: Option<char>) -> (String, &str) {
    let mut cut = 0;
    loop {
        let rest = &s[cut..];
        let stop = rest.find(|c: char| c == ';' || Some(c) == end);
        match stop {
            Some(j) if rest[j..].starts_with(';') => {
                let next = rest[j + 1..].trim_start();
                if KEYWORDS.iter().any(|k| next.starts_with(k)) {
                    cut += j;
                    break;
                }
                cut += j + 1;
            }
            Some(j) => {
                cut += j;
                break;
            }
            None => {
                cut = s.len();
                break;
            }
        }
    }
    (s[..cut].trim().to_string(), &s[cut..])
}

/// `headers=@file` (its lines, `#` comments skipped; an unreadable file
/// adds none, as in curl) or one header line.
fn header_lines(value: &str) -> Vec<String> {
    let Some(path) = value.strip_prefix('@') else {
        return vec![value.to_string()];
    };
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_parameters_as_curl_splits_them() {
        assert_eq!(word(" a b ;x", None), ("a b".to_string(), ";x"));
        assert_eq!(word("\"x;y\\\"z\";t", None), ("x;y\"z".to_string(), ";t"));
        assert_eq!(word("a.txt,b", Some(',')), ("a.txt".to_string(), ",b"));
        let p = Params::parse(";type=text/plain;charset=utf-8;filename=\"a b\";headers=\"X: 1\"");
        assert_eq!(p.content_type.as_deref(), Some("text/plain;charset=utf-8"));
        assert_eq!(p.filename.as_deref(), Some("a b"));
        assert_eq!(p.headers, ["X: 1"]);
        assert_eq!(type_for("D.XML"), Some("application/xml"));
        assert_eq!(type_for("noext"), None);
    }
}
