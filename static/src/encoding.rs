//! `Accept-Encoding` negotiation for precompressed siblings (RFC 9110 12.5.3).
//!
//! The files are compressed ahead of time (`FILE.br`, `FILE.gz`); this module
//! only decides which of those codings the client accepts, best first.

use brisk_core::accept_encoding::{Coding, Weights};

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

    /// The sibling coding for a content coding, if siblings exist for it.
    pub fn of_coding(coding: Coding) -> Option<Encoding> {
        match coding {
            Coding::Brotli => Some(Encoding::Brotli),
            Coding::Gzip => Some(Encoding::Gzip),
            Coding::Zstd | Coding::Deflate => None,
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

/// The precompressed codings (`Brotli`, `Gzip`) that `accept_encoding`
/// allows, best first, by [`brisk_core::accept_encoding`]'s rules (on equal
/// weight brotli wins). No header means identity only: clients that want
/// compression say so.
pub fn preferred(accept_encoding: Option<&str>) -> Vec<Encoding> {
    let Some(header) = accept_encoding else {
        return Vec::new();
    };
    Weights::parse(header)
        .ranked(&[Coding::Brotli, Coding::Gzip])
        .into_iter()
        .filter_map(Encoding::of_coding)
        .collect()
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
}
