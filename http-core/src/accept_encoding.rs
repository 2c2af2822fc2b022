//! `Accept-Encoding` negotiation (RFC 9110 12.5.3), decided once for the
//! server's on-the-fly compression and for static's precompressed
//! siblings.
//!
//! ```
//! use brisk_core::accept_encoding::{negotiate, Choice, Coding};
//!
//! let supported = [Coding::Brotli, Coding::Zstd, Coding::Gzip];
//! assert_eq!(negotiate(Some("gzip, br"), &supported), Choice::Coding(Coding::Brotli));
//! assert_eq!(negotiate(Some("br;q=0.5, gzip"), &supported), Choice::Coding(Coding::Gzip));
//! assert_eq!(negotiate(None, &supported), Choice::Identity);
//! assert_eq!(negotiate(Some("identity;q=0"), &supported), Choice::NotAcceptable);
//! ```
//!
//! # Rules
//!
//! - No header: identity. RFC 9110 allows any coding then, but a client
//!   that can decode says so (curl, browsers), and old clients do not.
//! - `q=0` means "not acceptable"; a malformed weight drops its element.
//! - A coding not named is acceptable only through `*` (its weight).
//! - `identity` is acceptable unless `identity;q=0`, or `*;q=0` without
//!   an `identity` element. Unnamed, it ranks below every acceptable
//!   coding; named, it competes on its weight (a tie goes to the coding).
//! - At equal weight the order is [`Coding::PREFERENCE`]: br, zstd, gzip,
//!   deflate (smallest output first).
//! - [`Choice::NotAcceptable`] is reported, not acted upon: what to send
//!   then is the caller's decision (this workspace sends identity, which
//!   RFC 9110 12.5.3 permits, see `brisk_server::Compression`).

/// A content coding this workspace can produce or decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    Brotli,
    Zstd,
    Gzip,
    /// The zlib format (RFC 1950) named `deflate`: decoded by the client,
    /// never produced by the server (clients disagree on what it means).
    Deflate,
}

impl Coding {
    /// Best first, at equal weight.
    pub const PREFERENCE: [Coding; 4] =
        [Coding::Brotli, Coding::Zstd, Coding::Gzip, Coding::Deflate];

    /// The `Content-Encoding` token.
    pub fn token(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Zstd => "zstd",
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
        }
    }

    /// The coding named by a `Content-Encoding` or `Accept-Encoding`
    /// token (case-insensitive; `x-gzip` is gzip, RFC 9110 8.4.1.3).
    pub fn from_token(token: &str) -> Option<Coding> {
        let token = token.trim();
        Coding::PREFERENCE
            .into_iter()
            .find(|c| token.eq_ignore_ascii_case(c.token()))
            .or_else(|| token.eq_ignore_ascii_case("x-gzip").then_some(Coding::Gzip))
    }
}

/// The outcome of [`negotiate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Send this coding.
    Coding(Coding),
    /// Send the representation as it is.
    Identity,
    /// Neither a supported coding nor identity is acceptable.
    NotAcceptable,
}

/// A weight in thousandths: `q=0.5` is 500.
pub type Quality = u16;

const Q_ONE: Quality = 1000;

/// What one `Accept-Encoding` value says: the weight of each coding,
/// of `identity` and of `*`, where named (the highest if repeated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Weights {
    codings: [Option<Quality>; 4],
    identity: Option<Quality>,
    star: Option<Quality>,
}

impl Weights {
    /// Parses a field value (several fields joined with `,`). Unknown
    /// codings and empty elements are skipped.
    pub fn parse(header: &str) -> Weights {
        let mut w = Weights::default();
        for element in header.split(',') {
            let mut parts = element.split(';');
            let coding = parts.next().unwrap_or("").trim(); // ok: split yields at least one item
            if coding.is_empty() {
                continue;
            }
            let Some(q) = weight(parts) else {
                continue; // a malformed weight: ignore this element
            };
            let slot = if coding == "*" {
                &mut w.star
            } else if coding.eq_ignore_ascii_case("identity") {
                &mut w.identity
            } else if let Some(c) = Coding::from_token(coding) {
                &mut w.codings[index(c)]
            } else {
                continue;
            };
            *slot = Some(slot.map_or(q, |old: Quality| old.max(q)));
        }
        w
    }

    /// The weight of `coding`: its own, else that of `*`, else 0.
    pub fn coding(&self, coding: Coding) -> Quality {
        self.codings[index(coding)].or(self.star).unwrap_or(0)
    }

    /// The weight of identity, `None` when unnamed and acceptable by
    /// default (below any acceptable coding).
    pub fn identity(&self) -> Option<Quality> {
        match (self.identity, self.star) {
            (Some(q), _) => Some(q),
            (None, Some(0)) => Some(0),
            (None, _) => None,
        }
    }

    /// The acceptable codings among `supported`, best first.
    pub fn ranked(&self, supported: &[Coding]) -> Vec<Coding> {
        let mut out: Vec<Coding> = Coding::PREFERENCE
            .into_iter()
            .filter(|c| supported.contains(c) && self.coding(*c) > 0)
            .collect();
        // A stable sort keeps PREFERENCE order among equal weights.
        out.sort_by_key(|c| std::cmp::Reverse(self.coding(*c)));
        out
    }

    /// The choice among `supported` (see the module's rules).
    pub fn choose(&self, supported: &[Coding]) -> Choice {
        let best = self.ranked(supported).first().copied();
        match (best, self.identity()) {
            (Some(c), Some(iq)) if iq > self.coding(c) => Choice::Identity,
            (Some(c), _) => Choice::Coding(c),
            (None, Some(0)) => Choice::NotAcceptable,
            (None, _) => Choice::Identity,
        }
    }
}

/// The coding to send for a request's `Accept-Encoding` (`None`: no
/// such field), among the codings `supported` for this response.
pub fn negotiate(header: Option<&str>, supported: &[Coding]) -> Choice {
    match header {
        None => Choice::Identity,
        Some(h) => Weights::parse(h).choose(supported),
    }
}

fn index(c: Coding) -> usize {
    match c {
        Coding::Brotli => 0,
        Coding::Zstd => 1,
        Coding::Gzip => 2,
        Coding::Deflate => 3,
    }
}

/// The weight among an element's parameters: 1 without `q`, `None` when
/// `q` is malformed.
fn weight<'a>(params: impl Iterator<Item = &'a str>) -> Option<Quality> {
    let mut q = Some(Q_ONE);
    for param in params {
        if let Some((name, value)) = param.split_once('=') {
            if name.trim().eq_ignore_ascii_case("q") {
                q = parse_q(value.trim());
            }
        }
    }
    q
}

/// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`
pub fn parse_q(s: &str) -> Option<Quality> {
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
    use Choice::{Identity, NotAcceptable};
    use Coding::*;

    const ALL3: &[Coding] = &[Brotli, Zstd, Gzip];

    fn c(coding: Coding) -> Choice {
        Choice::Coding(coding)
    }

    #[test]
    fn negotiate_table() {
        let table: &[(Option<&str>, &[Coding], Choice)] = &[
            (None, ALL3, Identity),
            (Some(""), ALL3, Identity),
            (Some("identity"), ALL3, Identity),
            (Some("gzip"), ALL3, c(Gzip)),
            (Some("x-gzip"), ALL3, c(Gzip)),
            (Some("GZIP"), ALL3, c(Gzip)),
            (Some("deflate, gzip, br, zstd"), ALL3, c(Brotli)),
            (Some("gzip, zstd"), ALL3, c(Zstd)),
            (Some("gzip, deflate, br"), &[Gzip], c(Gzip)),
            (Some("deflate"), ALL3, Identity),
            (Some("br;q=0.5, gzip;q=0.8"), ALL3, c(Gzip)),
            (Some("br;q=0.8, gzip;q=0.8, zstd;q=0.8"), ALL3, c(Brotli)),
            (Some("gzip;q=0, br"), ALL3, c(Brotli)),
            (Some("gzip;q=0"), ALL3, Identity),
            (Some("*"), ALL3, c(Brotli)),
            (Some("*;q=0.5, gzip"), ALL3, c(Gzip)),
            (Some("*;q=0, gzip"), ALL3, c(Gzip)),
            (Some("*;q=0"), ALL3, NotAcceptable),
            (Some("*;q=0, identity"), ALL3, Identity),
            (Some("identity;q=0"), ALL3, NotAcceptable),
            (Some("identity;q=0, gzip"), ALL3, c(Gzip)),
            (Some("identity;q=0, deflate"), ALL3, NotAcceptable),
            (Some("gzip;q=0.5, identity"), ALL3, Identity),
            (Some("gzip, identity"), ALL3, c(Gzip)),
            (Some("gzip;q=0.5"), ALL3, c(Gzip)),
            (Some("gzip"), &[], Identity),
            (Some("gzip ; Q=0.001"), ALL3, c(Gzip)),
            (Some("gzip;q=0.000"), ALL3, Identity),
            (Some("gzip;q=2, br"), ALL3, c(Brotli)),
            (Some("gzip;q=0.1234"), ALL3, Identity),
            (Some(" , ,gzip"), ALL3, c(Gzip)),
            (Some("gzip;q=0, gzip;q=0.5"), ALL3, c(Gzip)),
        ];
        for (header, supported, expect) in table {
            assert_eq!(
                negotiate(*header, supported),
                *expect,
                "{header:?} {supported:?}"
            );
        }
    }

    #[test]
    fn ranked_best_first() {
        let table: &[(&str, &[Coding])] = &[
            ("", &[]),
            ("gzip, br", &[Brotli, Gzip]),
            ("br;q=0.5, gzip;q=0.8", &[Gzip, Brotli]),
            ("*", &[Brotli, Zstd, Gzip]),
            ("*;q=0.1, gzip", &[Gzip, Brotli, Zstd]),
            ("br;q=0", &[]),
        ];
        for (header, expect) in table {
            assert_eq!(
                Weights::parse(header).ranked(ALL3),
                expect.to_vec(),
                "{header:?}"
            );
        }
    }

    #[test]
    fn tokens_round_trip() {
        for coding in Coding::PREFERENCE {
            assert_eq!(Coding::from_token(coding.token()), Some(coding));
        }
        assert_eq!(Coding::from_token(" X-GZIP "), Some(Gzip));
        assert_eq!(Coding::from_token("compress"), None);
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
