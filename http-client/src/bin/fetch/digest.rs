//! HTTP Digest authentication (RFC 7616) as curl 7.88 sends it for
//! `--digest` and `--anyauth`: the challenge of a 401's
//! `WWW-Authenticate: Digest ...` (MD5, MD5-sess, SHA-256, SHA-256-sess;
//! `qop=auth`), and the `Authorization` value in curl's field order with
//! a random base64 cnonce.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use base64::Engine;
use md5::Md5;
use sha2::{Digest, Sha256};

/// A hash the challenge names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Md5,
    Sha256,
}

/// What a server's Digest challenge says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    realm: String,
    nonce: String,
    opaque: Option<String>,
    /// "auth" when the server offers it (curl's choice over auth-int).
    qop: Option<String>,
    hash: Hash,
    /// `-sess`: HA1 includes the nonce and cnonce.
    session: bool,
    /// The algorithm as the server wrote it, echoed back (curl's way).
    algorithm: Option<String>,
}

/// The `name=value` parameters of a challenge, quotes and `\` escapes
/// undone.
fn params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else {
            break;
        };
        let name = rest[..eq]
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        rest = rest[eq + 1..].trim_start();
        let mut value = String::new();
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            rest = &quoted[end..];
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_string();
            rest = &rest[end..];
        }
        out.push((name, value));
        rest = rest.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

impl Challenge {
    /// The first Digest challenge among `WWW-Authenticate` values with an
    /// algorithm fetch speaks.
    pub fn from_headers<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Challenge> {
        values.into_iter().find_map(Challenge::parse)
    }

    fn parse(value: &str) -> Option<Challenge> {
        let (scheme, rest) = value.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("digest") {
            return None;
        }
        let p = params(rest);
        let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let algorithm = get("algorithm");
        let alg = algorithm
            .clone()
            .unwrap_or_else(|| "MD5".into())
            .to_ascii_uppercase();
        let (hash, session) = match alg.as_str() {
            "MD5" => (Hash::Md5, false),
            "MD5-SESS" => (Hash::Md5, true),
            "SHA-256" => (Hash::Sha256, false),
            "SHA-256-SESS" => (Hash::Sha256, true),
            _ => return None,
        };
        let qop = get("qop").and_then(|q| {
            q.split(',')
                .map(str::trim)
                .any(|t| t.eq_ignore_ascii_case("auth"))
                .then(|| "auth".to_string())
        });
        Some(Challenge {
            realm: get("realm").unwrap_or_default(),
            nonce: get("nonce")?,
            opaque: get("opaque"),
            qop,
            hash,
            session,
            algorithm,
        })
    }

    fn h(&self, s: &str) -> String {
        let bytes: Vec<u8> = match self.hash {
            Hash::Md5 => Md5::digest(s.as_bytes()).to_vec(),
            Hash::Sha256 => Sha256::digest(s.as_bytes()).to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The `Authorization` value for `method` on `uri` (the request
    /// target), with a fresh cnonce.
    pub fn authorization(&self, user: &str, pass: &str, method: &str, uri: &str) -> String {
        self.authorization_with(user, pass, method, uri, &cnonce())
    }

    fn authorization_with(
        &self,
        user: &str,
        pass: &str,
        method: &str,
        uri: &str,
        cnonce: &str,
    ) -> String {
        const NC: &str = "00000001";
        let mut ha1 = self.h(&format!("{user}:{}:{pass}", self.realm));
        if self.session {
            ha1 = self.h(&format!("{ha1}:{}:{cnonce}", self.nonce));
        }
        let ha2 = self.h(&format!("{method}:{uri}"));
        let quote = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        let mut out = match &self.qop {
            Some(qop) => {
                let response = self.h(&format!("{ha1}:{}:{NC}:{cnonce}:{qop}:{ha2}", self.nonce));
                format!(
                    "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\", cnonce=\"{cnonce}\", nc={NC}, qop={qop}, response=\"{response}\"",
                    quote(user),
                    quote(&self.realm),
                    self.nonce
                )
            }
            None => {
                let response = self.h(&format!("{ha1}:{}:{ha2}", self.nonce));
                format!(
                    "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\", response=\"{response}\"",
                    quote(user),
                    quote(&self.realm),
                    self.nonce
                )
            }
        };
        if let Some(o) = &self.opaque {
            out.push_str(&format!(", opaque=\"{o}\""));
        }
        if let Some(a) = &self.algorithm {
            out.push_str(&format!(", algorithm={a}"));
        }
        out
    }
}

/// curl's cnonce shape: 32 random hex digits, base64-encoded.
fn cnonce() -> String {
    let hex: String = (0..2)
        .map(|i| {
            let mut h = RandomState::new().build_hasher();
            h.write_u64(i);
            format!("{:016x}", h.finish())
        })
        .collect();
    base64::engine::general_purpose::STANDARD.encode(hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7616_example_responses() {
        // RFC 7616 section 3.9.1: the same request with SHA-256 and MD5.
        let value = |alg: &str| {
            format!("Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm={alg}, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"")
        };
        let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        for (alg, want) in [
            (
                "SHA-256",
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
            ),
            ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ] {
            let c = Challenge::from_headers([value(alg).as_str()]).expect("a challenge");
            let auth =
                c.authorization_with("Mufasa", "Circle of Life", "GET", "/dir/index.html", cnonce);
            assert!(auth.contains(&format!("response=\"{want}\"")), "{auth}");
            assert!(auth.ends_with(&format!("algorithm={alg}")), "{auth}");
        }
        assert_eq!(Challenge::from_headers(["Basic realm=\"x\""]), None);
        assert_eq!(super::cnonce().len(), 44);
    }
}
