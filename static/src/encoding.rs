//! `Accept-Encoding` negotiation for precompressed siblings (RFC 9110 12.5.3).
//!
//! The files are compressed ahead of time (`FILE.br`, `FILE.gz`); this module
//! only decides which of those codings the client accepts, best first.

/// A content coding we can serve from a sibling file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The `Content-Encoding` token.
    pub fn token(self) -> &'static str {
        match self {
            Encoding::Identity => "identity",
            Encoding::Gzip => "gzip",
            Encoding::Brotli => "br",
        }
    }

    /// The suffix of the sibling file holding this coding.
    pub fn extension(self) -> &'static str {
        match self {
            Encoding::Identity => "",
            Encoding::Gzip => ".gz",
            Encoding::Brotli => ".br",
        }
    }
}

/// Quality values are kept in thousandths: `q=0.5` is 500.
type Quality = u16;

const Q_ONE: Quality = 1000;

/// The precompressed codings (`Brotli`, `Gzip`) that `accept_encoding`
/// allows, best first; on equal quality brotli wins (smaller files). No
/// header means identity only: clients that want compression say so.
pub fn preferred(accept_encoding: Option<&str>) -> Vec<Encoding> {
    let Some(header) = accept_encoding else {
        return Vec::new();
    };
    let (mut br, mut gzip, mut star) = (None, None, None);
    for element in header.split(',') {
        let mut parts = element.split(';');
        let coding = parts.next().unwrap_or("").trim(); // ok: split yields at least one item
        if coding.is_empty() {
            continue;
        }
        let mut q = Some(Q_ONE);
        for param in parts {
            if let Some((name, value)) = param.split_once('=') {
                if name.trim().eq_ignore_ascii_case("q") {
                    q = parse_q(value.trim());
                }
            }
        }
        let Some(q) = q else {
            continue; // a malformed weight: ignore this element
        };
        let slot = if coding.eq_ignore_ascii_case("br") {
            &mut br
        } else if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            &mut gzip
        } else if coding == "*" {
            &mut star
        } else {
            continue;
        };
        // Repeated codings: keep the highest weight.
        *slot = Some(slot.map_or(q, |old: Quality| old.max(q)));
    }
    let br = br.or(star).unwrap_or(0);
    let gzip = gzip.or(star).unwrap_or(0);
    let mut out = Vec::with_capacity(2);
    match (br > 0, gzip > 0) {
        (true, true) if gzip > br => out.extend([Encoding::Gzip, Encoding::Brotli]),
        (true, true) => out.extend([Encoding::Brotli, Encoding::Gzip]),
        (true, false) => out.push(Encoding::Brotli),
        (false, true) => out.push(Encoding::Gzip),
        (false, false) => {}
    }
    out
}

/// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`
fn parse_q(s: &str) -> Option<Quality> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: Quality = 0;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += Quality::from(b - b'0') * [100, 10, 1][i];
    }
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(Q_ONE),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Encoding::*;

    #[test]
    fn preferred_table() {
        let table: &[(Option<&str>, &[Encoding])] = &[
            (None, &[]),
            (Some(""), &[]),
            (Some("identity"), &[]),
            (Some("gzip"), &[Gzip]),
            (Some("x-gzip"), &[Gzip]),
            (Some("GZIP"), &[Gzip]),
            (Some("br"), &[Brotli]),
            (Some("gzip, deflate, br"), &[Brotli, Gzip]),
            (Some("deflate, gzip;q=1.0, *;q=0.5"), &[Gzip, Brotli]),
            (Some("br;q=0.5, gzip;q=0.8"), &[Gzip, Brotli]),
            (Some("br;q=0.8, gzip;q=0.8"), &[Brotli, Gzip]),
            (Some("gzip;q=0, br"), &[Brotli]),
            (Some("br;q=0"), &[]),
            (Some("*"), &[Brotli, Gzip]),
            (Some("*;q=0, gzip"), &[Gzip]),
            (Some("gzip ; Q=0.001"), &[Gzip]),
            (Some("gzip;q=0.000"), &[]),
            (Some("gzip;q=2"), &[]),
            (Some("gzip;q=0.1234"), &[]),
            (Some("gzip;q=abc, br"), &[Brotli]),
            (Some(" , ,gzip"), &[Gzip]),
            (Some("gzip;q=0, gzip;q=0.5"), &[Gzip]),
        ];
        for (header, expect) in table {
            assert_eq!(preferred(*header), expect.to_vec(), "{header:?}");
        }
    }

    #[test]
    fn q_values() {
        let table = [
            ("1", Some(1000)),
            ("1.", Some(1000)),
            ("1.000", Some(1000)),
            ("1.001", None),
            ("0", Some(0)),
            ("0.5", Some(500)),
            ("0.05", Some(50)),
            ("0.999", Some(999)),
            ("", None),
            ("-1", None),
            (".5", None),
        ];
        for (s, expect) in table {
            assert_eq!(parse_q(s), expect, "{s:?}");
        }
    }
}
