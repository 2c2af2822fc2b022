//! permessage-deflate (RFC 7692): negotiation for both roles, and the
//! codec ([`Deflater`], [`Inflater`]).
//!
//! The server takes the first valid offer (an offer with unknown,
//! repeated or out-of-range parameters is declined and the next one
//! considered; none valid means no compression, never a failed
//! handshake). The client offers and checks the answer.

mod codec;

pub use codec::{Deflater, Inflater};

use super::{HandshakeError, Role};

/// The extension token.
pub const EXTENSION_NAME: &str = "permessage-deflate";

/// What both sides agreed on (RFC 7692 7.1). Window bits are 8..=15.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateParams {
    /// The server resets its compressor after every message.
    pub server_no_context_takeover: bool,
    /// The client resets its compressor after every message.
    pub client_no_context_takeover: bool,
    /// The server compresses with at most this window.
    pub server_max_window_bits: u8,
    /// The client compresses with at most this window.
    pub client_max_window_bits: u8,
}

impl DeflateParams {
    /// The compressor for `role`'s outgoing messages, at zlib `level`.
    pub fn deflater(&self, role: Role, level: u32) -> Deflater {
        match role {
            Role::Server => Deflater::new(
                self.server_max_window_bits,
                level,
                self.server_no_context_takeover,
            ),
            Role::Client => Deflater::new(
                self.client_max_window_bits,
                level,
                self.client_no_context_takeover,
            ),
        }
    }

    /// The decompressor for the messages `role` receives.
    pub fn inflater(&self, role: Role) -> Inflater {
        match role {
            Role::Server => Inflater::new(self.client_no_context_takeover),
            Role::Client => Inflater::new(self.server_no_context_takeover),
        }
    }
}

/// A server's permessage-deflate settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateConfig {
    /// Reset the server's compressor after every message even when the
    /// client did not ask (less memory kept between messages, worse ratio).
    pub server_no_context_takeover: bool,
    /// The largest window the server compresses with (9..=15).
    pub server_max_window_bits: u8,
    /// zlib level, 0..=9.
    pub level: u32,
    /// Messages shorter than this go uncompressed (RFC 7692 allows any
    /// message to be sent either way).
    pub min_compress_len: usize,
}

impl Default for DeflateConfig {
    fn default() -> DeflateConfig {
        DeflateConfig {
            server_no_context_takeover: false,
            server_max_window_bits: 15,
            level: 6,
            min_compress_len: 64,
        }
    }
}

impl DeflateConfig {
    /// Picks the first acceptable offer among the `Sec-WebSocket-Extensions`
    /// field values; `Some` with the parameters and the response value.
    pub fn negotiate<'a>(
        &self,
        extension_fields: impl IntoIterator<Item = &'a [u8]>,
    ) -> Option<(DeflateParams, String)> {
        extension_fields
            .into_iter()
            .filter_map(|v| std::str::from_utf8(v).ok())
            .flat_map(split_outside_quotes(','))
            .find_map(|offer| self.accept(offer))
    }

    /// One offer: its parameters if valid and acceptable.
    fn accept(&self, offer: &str) -> Option<(DeflateParams, String)> {
        let p = parse_extension(offer)?;
        let own_bits = self.server_max_window_bits.clamp(9, 15);
        let server_bits = match p.server_max_window_bits {
            // zlib cannot compress raw DEFLATE with a 256-byte window.
            Some(Some(8)) => return None,
            Some(Some(n)) => n.min(own_bits),
            Some(None) => return None, // server_max_window_bits needs a value
            None => own_bits,
        };
        let params = DeflateParams {
            server_no_context_takeover: p.server_no_context_takeover
                || self.server_no_context_takeover,
            client_no_context_takeover: p.client_no_context_takeover,
            server_max_window_bits: server_bits,
            client_max_window_bits: p.client_max_window_bits.flatten().unwrap_or(15),
        };
        let mut answer = String::from(EXTENSION_NAME);
        if params.server_no_context_takeover {
            answer.push_str("; server_no_context_takeover");
        }
        if params.client_no_context_takeover {
            answer.push_str("; client_no_context_takeover");
        }
        if p.server_max_window_bits.is_some() {
            answer.push_str(&format!("; server_max_window_bits={server_bits}"));
        }
        if let Some(Some(n)) = p.client_max_window_bits {
            answer.push_str(&format!("; client_max_window_bits={n}"));
        }
        Some((params, answer))
    }
}

/// A client's permessage-deflate offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeflateOffer {
    /// Ask the server to reset its compressor after every message.
    pub server_no_context_takeover: bool,
    /// Announce that the client resets its compressor after every message.
    pub client_no_context_takeover: bool,
}

impl DeflateOffer {
    /// The `Sec-WebSocket-Extensions` value to send. It always carries
    /// `client_max_window_bits` (as browsers do), so the server may limit
    /// the client's window.
    pub fn header_value(&self) -> String {
        let mut v = String::from(EXTENSION_NAME);
        if self.server_no_context_takeover {
            v.push_str("; server_no_context_takeover");
        }
        if self.client_no_context_takeover {
            v.push_str("; client_no_context_takeover");
        }
        v.push_str("; client_max_window_bits");
        v
    }

    /// Checks the server's `Sec-WebSocket-Extensions` values: `Ok(None)`
    /// when it declined, the parameters to use when it accepted, an error
    /// when it answered with something not offered (the client must then
    /// fail the connection, RFC 6455 4.1).
    pub fn check_response<'a>(
        &self,
        extension_fields: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Option<DeflateParams>, HandshakeError> {
        let mut answers = Vec::new();
        for v in extension_fields {
            let v = std::str::from_utf8(v).map_err(|_| HandshakeError::Negotiation)?;
            answers.extend(split_outside_quotes(',')(v));
        }
        let answer = match answers.as_slice() {
            [] => return Ok(None),
            [one] => parse_extension(one).ok_or(HandshakeError::Negotiation)?,
            _ => return Err(HandshakeError::Negotiation),
        };
        if self.server_no_context_takeover && !answer.server_no_context_takeover {
            // The server may not ignore a request it accepted (7.1.1.1).
            return Err(HandshakeError::Negotiation);
        }
        let client_bits = match answer.client_max_window_bits {
            Some(Some(8)) | Some(None) => return Err(HandshakeError::Negotiation),
            Some(Some(n)) => n,
            None => 15,
        };
        let server_bits = match answer.server_max_window_bits {
            Some(Some(n)) => n,
            Some(None) => return Err(HandshakeError::Negotiation),
            None => 15,
        };
        Ok(Some(DeflateParams {
            server_no_context_takeover: answer.server_no_context_takeover,
            client_no_context_takeover: answer.client_no_context_takeover
                || self.client_no_context_takeover,
            server_max_window_bits: server_bits,
            client_max_window_bits: client_bits,
        }))
    }
}

/// One permessage-deflate element's parameters as written: for the window
/// bits, `Some(None)` is "present without a value".
#[derive(Debug, Default)]
struct Parsed {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<Option<u8>>,
    client_max_window_bits: Option<Option<u8>>,
}

/// Parses `permessage-deflate; param[=value]...`; `None` for another
/// extension or any invalid parameter (unknown, repeated, bad value).
fn parse_extension(element: &str) -> Option<Parsed> {
    let mut parts = split_outside_quotes(';')(element);
    let name = parts.next()?;
    if !name.eq_ignore_ascii_case(EXTENSION_NAME) {
        return None;
    }
    let mut p = Parsed::default();
    for param in parts {
        let (key, value) = match param.split_once('=') {
            Some((k, v)) => (k.trim(), Some(unquote(v.trim())?)),
            None => (param, None),
        };
        let flag = |seen: &mut bool| -> Option<()> {
            if *seen || value.is_some() {
                return None;
            }
            *seen = true;
            Some(())
        };
        match key.to_ascii_lowercase().as_str() {
            "server_no_context_takeover" => flag(&mut p.server_no_context_takeover)?,
            "client_no_context_takeover" => flag(&mut p.client_no_context_takeover)?,
            "server_max_window_bits" if p.server_max_window_bits.is_none() => {
                p.server_max_window_bits = Some(Some(window_bits(value?)?));
            }
            "client_max_window_bits" if p.client_max_window_bits.is_none() => {
                p.client_max_window_bits = Some(match value {
                    Some(v) => Some(window_bits(v)?),
                    None => None,
                });
            }
            _ => return None,
        }
    }
    Some(p)
}

/// `8`..`15`, written as `1*DIGIT` without a leading zero (RFC 7692 7.1.2).
fn window_bits(v: &str) -> Option<u8> {
    if v.starts_with('0') || v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse::<u8>().ok().filter(|n| (8..=15).contains(n))
}

/// A quoted-string's content (no escapes needed for the values RFC 7692
/// allows), or the token as it is.
fn unquote(v: &str) -> Option<&str> {
    match v.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"').filter(|s| !s.contains(['"', '\\'])),
        None => Some(v),
    }
}

/// Splits on `sep` outside double quotes, trimming, skipping empty items.
fn split_outside_quotes(sep: char) -> impl Fn(&str) -> std::vec::IntoIter<&str> {
    move |s: &str| {
        let mut items = Vec::new();
        let mut quoted = false;
        let mut start = 0;
        for (i, c) in s.char_indices() {
            match c {
                '"' => quoted = !quoted,
                c if c == sep && !quoted => {
                    items.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        items.push(&s[start..]);
        items
            .into_iter()
            .map(|x| x.trim_matches([' ', '\t']))
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negotiate(offers: &[&str]) -> Option<(DeflateParams, String)> {
        DeflateConfig::default().negotiate(offers.iter().map(|s| s.as_bytes()))
    }

    #[test]
    fn a_browser_offer_is_accepted() {
        let (p, answer) = negotiate(&["permessage-deflate; client_max_window_bits"]).unwrap();
        assert_eq!(answer, "permessage-deflate");
        assert_eq!(
            (p.server_max_window_bits, p.client_max_window_bits),
            (15, 15)
        );
    }

    #[test]
    fn parameters_are_honoured_and_echoed() {
        let (p, answer) = negotiate(&[
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12",
        ])
        .unwrap();
        assert!(p.server_no_context_takeover && p.client_no_context_takeover);
        assert_eq!(
            (p.server_max_window_bits, p.client_max_window_bits),
            (10, 12)
        );
        assert_eq!(
            answer,
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12"
        );
        let (p, _) = negotiate(&["permessage-deflate; server_max_window_bits=\"11\""]).unwrap();
        assert_eq!(p.server_max_window_bits, 11);
    }

    #[test]
    fn an_invalid_offer_is_declined_and_the_next_considered() {
        for bad in [
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=08",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_max_window_bits=8",
            "permessage-deflate; client_max_window_bits=7",
            "permessage-deflate; foo",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; client_no_context_takeover=1",
            "x-webkit-deflate-frame",
        ] {
            assert_eq!(negotiate(&[bad]), None, "{bad}");
            let (p, _) =
                negotiate(&[bad, "permessage-deflate; client_no_context_takeover"]).expect(bad);
            assert!(p.client_no_context_takeover, "{bad}");
            // The same in one field, comma-separated.
            let one = format!("{bad}, permessage-deflate");
            assert!(negotiate(&[&one]).is_some(), "{one}");
        }
    }

    #[test]
    fn the_client_checks_the_answer() {
        let offer = DeflateOffer::default();
        assert_eq!(
            offer.header_value(),
            "permessage-deflate; client_max_window_bits"
        );
        let ok = |v: &str| offer.check_response([v.as_bytes()]);
        assert_eq!(offer.check_response(std::iter::empty()), Ok(None));
        let p = ok("permessage-deflate; client_max_window_bits=10")
            .unwrap()
            .unwrap();
        assert_eq!(p.client_max_window_bits, 10);
        assert!(ok("permessage-deflate; bogus").is_err());
        assert!(ok("permessage-deflate, permessage-deflate").is_err());
        assert!(ok("permessage-deflate; client_max_window_bits=8").is_err());
        let strict = DeflateOffer {
            server_no_context_takeover: true,
            ..DeflateOffer::default()
        };
        assert!(strict.check_response([&b"permessage-deflate"[..]]).is_err());
    }

    #[test]
    fn negotiated_codecs_talk_to_each_other() {
        let (p, answer) = negotiate(&["permessage-deflate; client_no_context_takeover"]).unwrap();
        let client_p = DeflateOffer::default()
            .check_response([answer.as_bytes()])
            .unwrap()
            .unwrap();
        let mut server_out = p.deflater(Role::Server, 6);
        let mut client_in = client_p.inflater(Role::Client);
        let mut wire = Vec::new();
        assert!(server_out.compress(b"hello hello hello", &mut wire));
        let mut back = Vec::new();
        client_in.inflate(&wire, &mut back, 100).unwrap();
        client_in.finish(&mut back, 100).unwrap();
        assert_eq!(back, b"hello hello hello");
    }
}
