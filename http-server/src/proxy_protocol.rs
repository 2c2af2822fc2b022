//! The PROXY protocol header (HAProxy's specification, versions 1 and 2),
//! as a pure decoder: bytes in, the client's address (or "none") and the
//! header's length out. No sockets, no clock.
//!
//! A load balancer in front of the server sends this header once, before
//! anything else on the connection (before TLS or HTTP), to say which
//! client it accepted the connection from. Only a listener configured for
//! it may read it: on any other, a client could claim any address.
//!
//! ```text
//!  v1: "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n"   (at most 107 bytes)
//!      "PROXY TCP6 2001:db8::1 2001:db8::2 56324 443\r\n"
//!      "PROXY UNKNOWN ...\r\n"                             (no address)
//!  v2: \r\n\r\n\0\r\nQUIT\n  ver|cmd  fam|proto  len(2, BE)  addresses  TLVs
//!      ver|cmd 0x21 PROXY, 0x20 LOCAL (health checks: no address)
//!      fam|proto 0x11 TCP over IPv4 (12 bytes), 0x21 TCP over IPv6 (36)
//! ```
//!
//! `decode` answers `Ok(None)` while the bytes so far are a prefix of a
//! valid header, and an error as soon as they cannot become one, so that a
//! connection without the header is closed at its first bytes instead of
//! waiting for the head deadline.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Longest version 1 header, CRLF included (the specification's bound).
pub const V1_MAX_BYTES: usize = 107;
/// The 12 bytes that open a version 2 header.
pub const V2_SIGNATURE: &[u8; 12] = b"\r\n\r\n\0\r\nQUIT\n";
/// Bytes of a version 2 header before its variable part.
const V2_FIXED_BYTES: usize = 16;
/// Largest variable part accepted (addresses and TLVs). HAProxy sends a
/// few hundred bytes at most; the field allows 65535.
pub const V2_MAX_PAYLOAD_BYTES: usize = 1024;

/// What the header says about the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxiedFrom {
    /// The balancer relays a client connection from `source` to `destination`.
    Client {
        source: SocketAddr,
        destination: SocketAddr,
    },
    /// The balancer speaks for itself (v2 LOCAL, a health check) or does not
    /// know the client (v1 UNKNOWN, a v2 family other than TCP): keep the
    /// connection's own peer address.
    Unknown,
}

/// Why bytes are not a PROXY protocol header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyHeaderError {
    /// Neither signature: the peer did not send the header at all.
    Missing,
    /// A version 1 line that is malformed or longer than 107 bytes.
    V1,
    /// A version 2 header with a bad version, command, family or length.
    V2,
}

impl fmt::Display for ProxyHeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProxyHeaderError::Missing => "no PROXY protocol header",
            ProxyHeaderError::V1 => "malformed PROXY protocol v1 header",
            ProxyHeaderError::V2 => "malformed PROXY protocol v2 header",
        })
    }
}

impl std::error::Error for ProxyHeaderError {}

/// Decodes the header at the start of `buf`: `Ok(Some((what, len)))` once
/// it is complete (the connection's own bytes start at `len`), `Ok(None)`
/// while `buf` is a valid prefix, an error as soon as it cannot be one.
pub fn decode(buf: &[u8]) -> Result<Option<(ProxiedFrom, usize)>, ProxyHeaderError> {
    const V1_PREFIX: &[u8] = b"PROXY ";
    let n = buf.len().min(V2_SIGNATURE.len());
    if buf[..n] == V2_SIGNATURE[..n] {
        return if n < V2_SIGNATURE.len() {
            Ok(None)
        } else {
            decode_v2(buf)
        };
    }
    let n = buf.len().min(V1_PREFIX.len());
    if buf[..n] == V1_PREFIX[..n] {
        return if n < V1_PREFIX.len() {
            Ok(None)
        } else {
            decode_v1(buf)
        };
    }
    Err(ProxyHeaderError::Missing)
}

/// `PROXY SP proto SP src SP dst SP sport SP dport CRLF`, or
/// `PROXY SP UNKNOWN [anything] CRLF`.
fn decode_v1(buf: &[u8]) -> Result<Option<(ProxiedFrom, usize)>, ProxyHeaderError> {
    let window = &buf[..buf.len().min(V1_MAX_BYTES)];
    let Some(lf) = window.iter().position(|&b| b == b'\n') else {
        return if buf.len() >= V1_MAX_BYTES {
            Err(ProxyHeaderError::V1)
        } else {
            Ok(None)
        };
    };
    let line = window[..lf]
        .strip_suffix(b"\r")
        .ok_or(ProxyHeaderError::V1)?;
    let line = std::str::from_utf8(line).map_err(|_| ProxyHeaderError::V1)?;
    let mut words = line.split(' ');
    words.next(); // "PROXY", checked by the caller.
    let from = match words.next() {
        Some("UNKNOWN") => ProxiedFrom::Unknown,
        Some(proto @ ("TCP4" | "TCP6")) => {
            let mut field = || words.next().ok_or(ProxyHeaderError::V1);
            let (src, dst) = (field()?, field()?);
            let (sport, dport) = (field()?, field()?);
            if words.next().is_some() {
                return Err(ProxyHeaderError::V1);
            }
            let v6 = proto == "TCP6";
            ProxiedFrom::Client {
                source: SocketAddr::new(v1_ip(src, v6)?, v1_port(sport)?),
                destination: SocketAddr::new(v1_ip(dst, v6)?, v1_port(dport)?),
            }
        }
        _ => return Err(ProxyHeaderError::V1),
    };
    Ok(Some((from, lf + 1)))
}

fn v1_ip(s: &str, v6: bool) -> Result<IpAddr, ProxyHeaderError> {
    let ip = if v6 {
        s.parse::<Ipv6Addr>().map(IpAddr::V6)
    } else {
        s.parse::<Ipv4Addr>().map(IpAddr::V4)
    };
    ip.map_err(|_| ProxyHeaderError::V1)
}

/// A port as the specification writes it: 1 to 5 digits, no sign, no
/// leading zero (HAProxy refuses them), at most 65535.
fn v1_port(s: &str) -> Result<u16, ProxyHeaderError> {
    let plain = !s.is_empty()
        && s.len() <= 5
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s == "0" || !s.starts_with('0'));
    if !plain {
        return Err(ProxyHeaderError::V1);
    }
    s.parse().map_err(|_| ProxyHeaderError::V1)
}

/// The binary header; `buf` starts with the full signature.
fn decode_v2(buf: &[u8]) -> Result<Option<(ProxiedFrom, usize)>, ProxyHeaderError> {
    let Some(fixed) = buf.get(..V2_FIXED_BYTES) else {
        // The version and command byte can be judged before the rest.
        return match buf.get(12) {
            Some(&vc) if vc != 0x20 && vc != 0x21 => Err(ProxyHeaderError::V2),
            _ => Ok(None),
        };
    };
    let (ver_cmd, fam) = (fixed[12], fixed[13]);
    let len = usize::from(u16::from_be_bytes([fixed[14], fixed[15]]));
    if ver_cmd >> 4 != 2 || len > V2_MAX_PAYLOAD_BYTES {
        return Err(ProxyHeaderError::V2);
    }
    let local = match ver_cmd & 0x0f {
        0 => true,
        1 => false,
        _ => return Err(ProxyHeaderError::V2),
    };
    let Some(payload) = buf.get(V2_FIXED_BYTES..V2_FIXED_BYTES + len) else {
        return Ok(None);
    };
    let total = V2_FIXED_BYTES + len;
    if local {
        // LOCAL: the addresses, if any, are the balancer's own; ignore them.
        return Ok(Some((ProxiedFrom::Unknown, total)));
    }
    let from = match fam {
        // TCP over IPv4: src(4) dst(4) sport(2) dport(2).
        0x11 => {
            let a = payload.get(..12).ok_or(ProxyHeaderError::V2)?;
            let ip = |i: usize| IpAddr::V4(Ipv4Addr::new(a[i], a[i + 1], a[i + 2], a[i + 3]));
            let port = |i: usize| u16::from_be_bytes([a[i], a[i + 1]]);
            ProxiedFrom::Client {
                source: SocketAddr::new(ip(0), port(8)),
                destination: SocketAddr::new(ip(4), port(10)),
            }
        }
        // TCP over IPv6: src(16) dst(16) sport(2) dport(2).
        0x21 => {
            let a = payload.get(..36).ok_or(ProxyHeaderError::V2)?;
            let ip = |i: usize| {
                let mut octets = [0u8; 16];
                octets.copy_from_slice(&a[i..i + 16]);
                IpAddr::V6(Ipv6Addr::from(octets))
            };
            let port = |i: usize| u16::from_be_bytes([a[i], a[i + 1]]);
            ProxiedFrom::Client {
                source: SocketAddr::new(ip(0), port(32)),
                destination: SocketAddr::new(ip(16), port(34)),
            }
        }
        // UNSPEC, UDP, or UNIX sockets: a valid header with no TCP client
        // address to report.
        0x00 | 0x12 | 0x22 | 0x31 | 0x32 => ProxiedFrom::Unknown,
        _ => return Err(ProxyHeaderError::V2),
    };
    Ok(Some((from, total)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(src: &str, dst: &str) -> ProxiedFrom {
        ProxiedFrom::Client {
            source: src.parse().expect("test address"),
            destination: dst.parse().expect("test address"),
        }
    }

    fn v2(ver_cmd: u8, fam: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = V2_SIGNATURE.to_vec();
        out.extend_from_slice(&[ver_cmd, fam]);
        out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    /// Every complete header: its meaning and length, and every proper
    /// prefix of it is "not yet", never an error or an early answer.
    #[test]
    fn complete_headers_and_all_their_prefixes() {
        let v4 = [192, 0, 2, 1, 198, 51, 100, 2, 0xdc, 0x04, 0x01, 0xbb];
        let mut v6 = Vec::new();
        v6.extend_from_slice(&"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets());
        v6.extend_from_slice(&"2001:db8::2".parse::<Ipv6Addr>().unwrap().octets());
        v6.extend_from_slice(&[0xdc, 0x04, 0x01, 0xbb]);
        let mut v4_tlv = v4.to_vec();
        v4_tlv.extend_from_slice(&[0x04, 0x00, 0x02, b'h', b'i']); // a NOOP TLV
        let cases: Vec<(Vec<u8>, ProxiedFrom)> = vec![
            (
                b"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n".to_vec(),
                client("192.0.2.1:56324", "198.51.100.2:443"),
            ),
            (
                b"PROXY TCP6 2001:db8::1 2001:db8::2 56324 443\r\n".to_vec(),
                client("[2001:db8::1]:56324", "[2001:db8::2]:443"),
            ),
            (b"PROXY UNKNOWN\r\n".to_vec(), ProxiedFrom::Unknown),
            (
                b"PROXY UNKNOWN ffff:f::1 ffff:f::2 1 2\r\n".to_vec(),
                ProxiedFrom::Unknown,
            ),
            (
                v2(0x21, 0x11, &v4),
                client("192.0.2.1:56324", "198.51.100.2:443"),
            ),
            (
                v2(0x21, 0x21, &v6),
                client("[2001:db8::1]:56324", "[2001:db8::2]:443"),
            ),
            (
                v2(0x21, 0x11, &v4_tlv),
                client("192.0.2.1:56324", "198.51.100.2:443"),
            ),
            (v2(0x20, 0x00, &[]), ProxiedFrom::Unknown),
            (v2(0x20, 0x11, &v4), ProxiedFrom::Unknown),
            (v2(0x21, 0x31, &[0; 216]), ProxiedFrom::Unknown),
        ];
        for (header, want) in cases {
            let mut wire = header.clone();
            wire.extend_from_slice(b"GET / HTTP/1.1\r\n");
            assert_eq!(
                decode(&wire),
                Ok(Some((want, header.len()))),
                "{:?}",
                String::from_utf8_lossy(&header)
            );
            for cut in 0..header.len() {
                assert_eq!(
                    decode(&header[..cut]),
                    Ok(None),
                    "prefix of {cut} bytes of {:?}",
                    String::from_utf8_lossy(&header)
                );
            }
        }
    }

    #[test]
    fn malformed_headers_are_errors() {
        use ProxyHeaderError::*;
        let long = format!("PROXY TCP4 {}\r\n", "1".repeat(120));
        let cases: Vec<(Vec<u8>, ProxyHeaderError)> = vec![
            (b"GET / HTTP/1.1\r\n".to_vec(), Missing),
            (b"\x16\x03\x01\x02\x00".to_vec(), Missing), // a TLS ClientHello
            (b"PROXY\r\n".to_vec(), Missing),
            (b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n".to_vec(), V1), // bare LF
            (b"PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n".to_vec(), V1),
            (b"PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n".to_vec(), V1),
            (b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n".to_vec(), V1),
            (b"PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n".to_vec(), V1),
            (b"PROXY TCP4 ::1 ::2 1 2\r\n".to_vec(), V1),
            (b"PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n".to_vec(), V1),
            (b"PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n".to_vec(), V1),
            (b"PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n".to_vec(), V1),
            (b"PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n".to_vec(), V1),
            (long.into_bytes(), V1),
            (v2(0x11, 0x11, &[0; 12]), V2), // version 1 in a v2 header
            (v2(0x22, 0x11, &[0; 12]), V2), // command 2
            (v2(0x21, 0x11, &[0; 11]), V2), // too short for IPv4
            (v2(0x21, 0x21, &[0; 35]), V2), // too short for IPv6
            (v2(0x21, 0x41, &[0; 12]), V2), // unknown family
        ];
        for (wire, want) in cases {
            assert_eq!(
                decode(&wire),
                Err(want),
                "{:?}",
                String::from_utf8_lossy(&wire)
            );
        }
        // A v2 length past the bound is refused from the fixed part alone.
        let mut huge = V2_SIGNATURE.to_vec();
        huge.extend_from_slice(&[0x21, 0x11, 0xff, 0xff]);
        assert_eq!(decode(&huge), Err(V2));
    }

    /// The decision comes at the first byte that rules a header out, not
    /// after 107 bytes or at the deadline.
    #[test]
    fn a_missing_header_is_refused_at_once() {
        assert_eq!(decode(b"G"), Err(ProxyHeaderError::Missing));
        assert_eq!(decode(b"PROXX"), Err(ProxyHeaderError::Missing));
        assert_eq!(
            decode(b"\r\n\r\n\0\r\nQUIT\n\x31"),
            Err(ProxyHeaderError::V2)
        );
        assert_eq!(decode(b""), Ok(None));
    }
}
