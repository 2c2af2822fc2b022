//! SOCKS4, SOCKS4a and SOCKS5 (RFC 1928, with RFC 1929 user/password) as
//! sans-IO step machines. See [`crate::handshake`] for the driver contract.
//!
//! ```text
//! SOCKS4/4a:  Start --request--> AwaitReply --8 bytes, 0x5A--> Open
//!
//! SOCKS5:     Start --greeting--> AwaitMethod --00--------------------------+
//!                                      |--02--> AwaitAuth --01 00-->        |
//!                                                            SendRequest <--+
//!                                             --request--> AwaitReply --00--> Open
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::handshake::{Handshake, Progress, ProxyError};
use crate::url::Credentials;

/// Where the proxy should connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocksTarget {
    /// An address the client resolved itself.
    Addr(SocketAddr),
    /// A name for the proxy to resolve (SOCKS4a, `socks5h`).
    Domain(String, u16),
}

/// SOCKS4 version byte in requests.
const SOCKS4_VERSION: u8 = 0x04;
/// SOCKS4 CONNECT command.
const SOCKS4_CMD_CONNECT: u8 = 0x01;
/// SOCKS4 reply: request granted.
const SOCKS4_GRANTED: u8 = 0x5A;
/// Length of every SOCKS4 reply.
const SOCKS4_REPLY_LEN: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Socks4State {
    /// Nothing sent yet.
    Start,
    /// Request sent; waiting for the 8-byte reply.
    AwaitReply,
    /// Granted: the stream is now the tunnel.
    Open,
}

/// A SOCKS4 or SOCKS4a CONNECT handshake.
#[derive(Debug)]
pub struct Socks4 {
    target: SocksTarget,
    user_id: String,
    state: Socks4State,
}

impl Socks4 {
    /// A handshake to `target`. An [`SocksTarget::Domain`] makes it SOCKS4a.
    /// `user_id` is the USERID field (curl sends the proxy user name).
    pub fn new(target: SocksTarget, user_id: &str) -> Socks4 {
        Socks4 {
            target,
            user_id: user_id.to_string(),
            state: Socks4State::Start,
        }
    }

    fn set_state(&mut self, next: Socks4State) {
        log::trace!("socks4: {:?} => {:?}", self.state, next);
        self.state = next;
    }
}

/// Encodes a SOCKS4 (IPv4) or SOCKS4a (domain) CONNECT request:
/// `04 01 PORT IPv4 USERID 00 [HOSTNAME 00]`.
pub fn encode_socks4_request(target: &SocksTarget, user_id: &str) -> Result<Vec<u8>, ProxyError> {
    if user_id.as_bytes().contains(&0) {
        return Err(ProxyError::BadCredentials);
    }
    let mut out = vec![SOCKS4_VERSION, SOCKS4_CMD_CONNECT];
    match target {
        SocksTarget::Addr(SocketAddr::V4(a)) => {
            out.extend_from_slice(&a.port().to_be_bytes());
            out.extend_from_slice(&a.ip().octets());
            out.extend_from_slice(user_id.as_bytes());
            out.push(0);
        }
        SocksTarget::Addr(SocketAddr::V6(_)) => return Err(ProxyError::Socks4NeedsIpv4),
        SocksTarget::Domain(name, port) => {
            if name.is_empty() || name.len() > 255 || name.as_bytes().contains(&0) {
                return Err(ProxyError::BadHostName);
            }
            out.extend_from_slice(&port.to_be_bytes());
            // 0.0.0.x with x != 0 tells the server a host name follows.
            out.extend_from_slice(&[0, 0, 0, 1]);
            out.extend_from_slice(user_id.as_bytes());
            out.push(0);
            out.extend_from_slice(name.as_bytes());
            out.push(0);
        }
    }
    Ok(out)
}

/// Decodes a SOCKS4 reply. Fails as soon as the code byte is known to be a
/// refusal, so a server that sends 2 bytes and closes is still reported.
pub fn decode_socks4_reply(buf: &[u8]) -> Result<Option<usize>, ProxyError> {
    if buf.is_empty() {
        return Ok(None);
    }
    // The version byte of the reply is 0; some servers send 4.
    if buf[0] != 0x00 && buf[0] != SOCKS4_VERSION {
        return Err(ProxyError::BadVersion {
            expected: 4,
            got: buf[0],
        });
    }
    let Some(&code) = buf.get(1) else {
        return Ok(None);
    };
    match code {
        SOCKS4_GRANTED => Ok((buf.len() >= SOCKS4_REPLY_LEN).then_some(SOCKS4_REPLY_LEN)),
        0x5B => Err(ProxyError::Socks4Rejected),
        0x5C => Err(ProxyError::Socks4IdentdUnreachable),
        0x5D => Err(ProxyError::Socks4IdentdMismatch),
        c => Err(ProxyError::Socks4Unknown(c)),
    }
}

impl Handshake for Socks4 {
    fn first_message(&mut self) -> Result<Vec<u8>, ProxyError> {
        let msg = encode_socks4_request(&self.target, &self.user_id)?;
        self.set_state(Socks4State::AwaitReply);
        Ok(msg)
    }

    fn on_reply(&mut self, received: &[u8]) -> Result<Progress, ProxyError> {
        match self.state {
            // Reply to the CONNECT request: 8 bytes, code 0x5A = granted.
            Socks4State::AwaitReply => match decode_socks4_reply(received)? {
                None => Ok(Progress::NeedMore),
                Some(consumed) => {
                    self.set_state(Socks4State::Open);
                    Ok(Progress::Done { consumed })
                }
            },
            // Bytes before the request or after the tunnel opened are not ours.
            Socks4State::Start | Socks4State::Open => Ok(Progress::Done { consumed: 0 }),
        }
    }
}

/// SOCKS5 version byte.
const SOCKS5_VERSION: u8 = 0x05;
/// RFC 1928 method: no authentication required.
const METHOD_NO_AUTH: u8 = 0x00;
/// RFC 1928 method: username/password (RFC 1929).
const METHOD_USER_PASS: u8 = 0x02;
/// RFC 1928 method reply: no acceptable methods.
const METHOD_NONE_ACCEPTABLE: u8 = 0xFF;
/// RFC 1929 sub-negotiation version.
const USER_PASS_VERSION: u8 = 0x01;
/// RFC 1928 CONNECT command.
const SOCKS5_CMD_CONNECT: u8 = 0x01;
/// RFC 1928 address types.
const ATYP_IPV4: u8 = 0x01;
const ATYP_DOMAIN: u8 = 0x03;
const ATYP_IPV6: u8 = 0x04;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Socks5State {
    /// Nothing sent yet.
    Start,
    /// Greeting sent; waiting for `05 METHOD`.
    AwaitMethod,
    /// RFC 1929 request sent; waiting for `01 STATUS`.
    AwaitAuth,
    /// CONNECT request sent; waiting for `05 REP 00 ATYP ADDR PORT`.
    AwaitReply,
    /// Succeeded: the stream is now the tunnel.
    Open,
}

/// A SOCKS5 CONNECT handshake, with no authentication or RFC 1929.
#[derive(Debug)]
pub struct Socks5 {
    target: SocksTarget,
    credentials: Option<Credentials>,
    state: Socks5State,
}

impl Socks5 {
    /// A handshake to `target`, offering user/password only when
    /// `credentials` are given.
    pub fn new(target: SocksTarget, credentials: Option<Credentials>) -> Socks5 {
        Socks5 {
            target,
            credentials,
            state: Socks5State::Start,
        }
    }

    fn set_state(&mut self, next: Socks5State) {
        log::trace!("socks5: {:?} => {:?}", self.state, next);
        self.state = next;
    }
}

/// `05 N METHODS...`: offer `02` only when we have credentials.
pub fn encode_socks5_greeting(with_credentials: bool) -> Vec<u8> {
    if with_credentials {
        vec![SOCKS5_VERSION, 2, METHOD_NO_AUTH, METHOD_USER_PASS]
    } else {
        vec![SOCKS5_VERSION, 1, METHOD_NO_AUTH]
    }
}

/// RFC 1929: `01 ULEN USER PLEN PASS`.
pub fn encode_socks5_auth(c: &Credentials) -> Result<Vec<u8>, ProxyError> {
    let (u, p) = (c.user.as_bytes(), c.password.as_bytes());
    let (Ok(ulen), Ok(plen)) = (u8::try_from(u.len()), u8::try_from(p.len())) else {
        return Err(ProxyError::BadCredentials);
    };
    if ulen == 0 {
        return Err(ProxyError::BadCredentials);
    }
    let mut out = Vec::with_capacity(3 + u.len() + p.len());
    out.extend_from_slice(&[USER_PASS_VERSION, ulen]);
    out.extend_from_slice(u);
    out.push(plen);
    out.extend_from_slice(p);
    Ok(out)
}

/// `05 01 00 ATYP ADDR PORT`.
pub fn encode_socks5_request(target: &SocksTarget) -> Result<Vec<u8>, ProxyError> {
    let mut out = vec![SOCKS5_VERSION, SOCKS5_CMD_CONNECT, 0x00];
    let port = match target {
        SocksTarget::Addr(SocketAddr::V4(a)) => {
            out.push(ATYP_IPV4);
            out.extend_from_slice(&a.ip().octets());
            a.port()
        }
        SocksTarget::Addr(SocketAddr::V6(a)) => {
            out.push(ATYP_IPV6);
            out.extend_from_slice(&a.ip().octets());
            a.port()
        }
        SocksTarget::Domain(name, port) => {
            let len = u8::try_from(name.len()).map_err(|_| ProxyError::BadHostName)?;
            if len == 0 || name.as_bytes().contains(&0) {
                return Err(ProxyError::BadHostName);
            }
            out.extend_from_slice(&[ATYP_DOMAIN, len]);
            out.extend_from_slice(name.as_bytes());
            *port
        }
    };
    out.extend_from_slice(&port.to_be_bytes());
    Ok(out)
}

/// Decodes `05 METHOD`; `Some(method)` once two bytes are there.
pub fn decode_socks5_method(buf: &[u8]) -> Result<Option<u8>, ProxyError> {
    match buf {
        [] => Ok(None),
        [v, ..] if *v != SOCKS5_VERSION => Err(ProxyError::BadVersion {
            expected: 5,
            got: *v,
        }),
        [_] => Ok(None),
        [_, m, ..] => Ok(Some(*m)),
    }
}

/// Decodes the RFC 1929 reply `01 STATUS`; `Some(())` on success.
pub fn decode_socks5_auth(buf: &[u8]) -> Result<Option<()>, ProxyError> {
    match buf {
        [] | [_] => Ok(None),
        // Some servers answer the sub-negotiation with version 5; accept both.
        [v, _, ..] if *v != USER_PASS_VERSION && *v != SOCKS5_VERSION => {
            Err(ProxyError::BadVersion {
                expected: USER_PASS_VERSION,
                got: *v,
            })
        }
        [_, 0, ..] => Ok(Some(())),
        [_, s, ..] => Err(ProxyError::Socks5AuthFailed(*s)),
    }
}

/// Decodes `05 REP 00 ATYP BND.ADDR BND.PORT`; `Some(len)` once complete.
/// A failure code is reported as soon as its byte arrives. BND.ADDR is
/// ignored: for CONNECT it carries nothing we need (it can be 0.0.0.0:0).
pub fn decode_socks5_reply(buf: &[u8]) -> Result<Option<usize>, ProxyError> {
    if buf.is_empty() {
        return Ok(None);
    }
    if buf[0] != SOCKS5_VERSION {
        return Err(ProxyError::BadVersion {
            expected: 5,
            got: buf[0],
        });
    }
    let Some(&rep) = buf.get(1) else {
        return Ok(None);
    };
    match rep {
        0x00 => {}
        0x01 => return Err(ProxyError::Socks5GeneralFailure),
        0x02 => return Err(ProxyError::Socks5NotAllowed),
        0x03 => return Err(ProxyError::Socks5NetworkUnreachable),
        0x04 => return Err(ProxyError::Socks5HostUnreachable),
        0x05 => return Err(ProxyError::Socks5ConnectionRefused),
        0x06 => return Err(ProxyError::Socks5TtlExpired),
        0x07 => return Err(ProxyError::Socks5CommandNotSupported),
        0x08 => return Err(ProxyError::Socks5AddressTypeNotSupported),
        c => return Err(ProxyError::Socks5Unknown(c)),
    }
    let Some(&atyp) = buf.get(3) else {
        return Ok(None);
    };
    let len = match atyp {
        ATYP_IPV4 => 4 + 4 + 2,
        ATYP_IPV6 => 4 + 16 + 2,
        ATYP_DOMAIN => match buf.get(4) {
            Some(&n) => 4 + 1 + usize::from(n) + 2,
            None => return Ok(None),
        },
        t => return Err(ProxyError::Socks5BadAddressType(t)),
    };
    Ok((buf.len() >= len).then_some(len))
}

impl Handshake for Socks5 {
    fn first_message(&mut self) -> Result<Vec<u8>, ProxyError> {
        // Check what we will send later now, before any byte goes out.
        if let Some(c) = &self.credentials {
            encode_socks5_auth(c)?;
        }
        encode_socks5_request(&self.target)?;
        self.set_state(Socks5State::AwaitMethod);
        Ok(encode_socks5_greeting(self.credentials.is_some()))
    }

    fn on_reply(&mut self, received: &[u8]) -> Result<Progress, ProxyError> {
        match self.state {
            // Method selection: 00 -> request; 02 -> RFC 1929; FF -> refused.
            Socks5State::AwaitMethod => {
                let Some(method) = decode_socks5_method(received)? else {
                    return Ok(Progress::NeedMore);
                };
                match (method, &self.credentials) {
                    (METHOD_NO_AUTH, _) => {
                        self.set_state(Socks5State::AwaitReply);
                        let send = encode_socks5_request(&self.target)?;
                        Ok(Progress::Next { consumed: 2, send })
                    }
                    (METHOD_USER_PASS, Some(c)) => {
                        let send = encode_socks5_auth(c)?;
                        self.set_state(Socks5State::AwaitAuth);
                        Ok(Progress::Next { consumed: 2, send })
                    }
                    (METHOD_NONE_ACCEPTABLE, c) => Err(ProxyError::Socks5NoAcceptableMethod {
                        offered_credentials: c.is_some(),
                    }),
                    (m, _) => Err(ProxyError::Socks5UnexpectedMethod(m)),
                }
            }
            // RFC 1929 status: 00 = success, then the CONNECT request.
            Socks5State::AwaitAuth => match decode_socks5_auth(received)? {
                None => Ok(Progress::NeedMore),
                Some(()) => {
                    self.set_state(Socks5State::AwaitReply);
                    let send = encode_socks5_request(&self.target)?;
                    Ok(Progress::Next { consumed: 2, send })
                }
            },
            // CONNECT reply: REP 00 = succeeded; the tunnel follows.
            Socks5State::AwaitReply => match decode_socks5_reply(received)? {
                None => Ok(Progress::NeedMore),
                Some(consumed) => {
                    self.set_state(Socks5State::Open);
                    Ok(Progress::Done { consumed })
                }
            },
            // Nothing is expected before the greeting or after the tunnel opened.
            Socks5State::Start | Socks5State::Open => Ok(Progress::Done { consumed: 0 }),
        }
    }
}

/// The SOCKS4 target for a resolved IPv4 address, used by callers that
/// resolved locally.
pub fn ipv4_target(ip: Ipv4Addr, port: u16) -> SocksTarget {
    SocksTarget::Addr(SocketAddr::new(IpAddr::V4(ip), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `reply` one byte at a time: every strict prefix must be
    /// NeedMore and the whole must give `want`.
    fn feed_bytewise(h: &mut dyn Handshake, reply: &[u8]) -> Result<Progress, ProxyError> {
        for i in 0..reply.len() {
            let p = h.on_reply(&reply[..i])?;
            assert_eq!(p, Progress::NeedMore, "prefix {i} of {reply:02x?}");
        }
        h.on_reply(reply)
    }

    #[test]
    fn socks4_request_layout() {
        let t = ipv4_target(Ipv4Addr::new(127, 0, 0, 1), 8080);
        assert_eq!(
            encode_socks4_request(&t, "bob").unwrap(),
            [4, 1, 0x1f, 0x90, 127, 0, 0, 1, b'b', b'o', b'b', 0]
        );
        let t = SocksTarget::Domain("ex.com".into(), 80);
        assert_eq!(
            encode_socks4_request(&t, "").unwrap(),
            [4, 1, 0, 80, 0, 0, 0, 1, 0, b'e', b'x', b'.', b'c', b'o', b'm', 0]
        );
        let t6 = SocksTarget::Addr("[::1]:80".parse().unwrap());
        assert_eq!(
            encode_socks4_request(&t6, ""),
            Err(ProxyError::Socks4NeedsIpv4)
        );
    }

    #[test]
    fn socks4_reply_codes() {
        let mut h = Socks4::new(ipv4_target(Ipv4Addr::LOCALHOST, 1), "");
        h.first_message().unwrap();
        let mut granted = vec![0, 0x5A, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            feed_bytewise(&mut h, &granted),
            Ok(Progress::Done { consumed: 8 })
        );
        // Bytes after the reply belong to the tunnel: consumed stays 8.
        granted.extend_from_slice(b"HTTP");
        let mut h = Socks4::new(ipv4_target(Ipv4Addr::LOCALHOST, 1), "");
        h.first_message().unwrap();
        assert_eq!(h.on_reply(&granted), Ok(Progress::Done { consumed: 8 }));
        for (code, err) in [
            (0x5B, ProxyError::Socks4Rejected),
            (0x5C, ProxyError::Socks4IdentdUnreachable),
            (0x5D, ProxyError::Socks4IdentdMismatch),
            (0x10, ProxyError::Socks4Unknown(0x10)),
        ] {
            // Two bytes are enough to report the refusal.
            assert_eq!(decode_socks4_reply(&[4, code]), Err(err));
        }
        assert_eq!(
            decode_socks4_reply(&[5, 0xff]),
            Err(ProxyError::BadVersion {
                expected: 4,
                got: 5
            })
        );
    }

    #[test]
    fn socks5_no_auth_lockstep() {
        let target = SocksTarget::Domain("origin".into(), 8080);
        let mut h = Socks5::new(target, None);
        assert_eq!(h.first_message().unwrap(), [5, 1, 0]);
        let p = feed_bytewise(&mut h, &[5, 0]).unwrap();
        let want_req = [
            5, 1, 0, 3, 6, b'o', b'r', b'i', b'g', b'i', b'n', 0x1f, 0x90,
        ];
        assert_eq!(
            p,
            Progress::Next {
                consumed: 2,
                send: want_req.to_vec()
            }
        );
        let reply = [5, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            feed_bytewise(&mut h, &reply),
            Ok(Progress::Done { consumed: 10 })
        );
    }

    #[test]
    fn socks5_user_pass_and_reply_lengths() {
        let creds = Credentials::from_pair("u:pw");
        let target = SocksTarget::Addr("[::1]:80".parse().unwrap());
        let mut h = Socks5::new(target, Some(creds));
        assert_eq!(h.first_message().unwrap(), [5, 2, 0, 2]);
        let p = h.on_reply(&[5, 2]).unwrap();
        assert_eq!(
            p,
            Progress::Next {
                consumed: 2,
                send: vec![1, 1, b'u', 2, b'p', b'w']
            }
        );
        let p = feed_bytewise(&mut h, &[1, 0]).unwrap();
        let Progress::Next { send, .. } = p else {
            panic!("{p:?}")
        };
        assert_eq!(send[..4], [5, 1, 0, 4]);
        assert_eq!(send.len(), 4 + 16 + 2);
        // An IPv6 BND.ADDR: 22 bytes; a domain one: 7 + len.
        let mut reply6 = vec![5, 0, 0, 4];
        reply6.extend_from_slice(&[0; 18]);
        assert_eq!(
            feed_bytewise(&mut h, &reply6),
            Ok(Progress::Done { consumed: 22 })
        );
        assert_eq!(
            decode_socks5_reply(&[5, 0, 0, 3, 2, b'a', b'b', 0, 1]),
            Ok(Some(9))
        );
        assert_eq!(decode_socks5_reply(&[5, 0, 0, 3, 2, b'a']), Ok(None));
        assert_eq!(
            decode_socks5_reply(&[5, 0, 0, 9]),
            Err(ProxyError::Socks5BadAddressType(9))
        );
    }

    #[test]
    fn socks5_failures_are_named() {
        let codes = [
            (1, ProxyError::Socks5GeneralFailure),
            (2, ProxyError::Socks5NotAllowed),
            (3, ProxyError::Socks5NetworkUnreachable),
            (4, ProxyError::Socks5HostUnreachable),
            (5, ProxyError::Socks5ConnectionRefused),
            (6, ProxyError::Socks5TtlExpired),
            (7, ProxyError::Socks5CommandNotSupported),
            (8, ProxyError::Socks5AddressTypeNotSupported),
            (9, ProxyError::Socks5Unknown(9)),
        ];
        for (code, err) in codes {
            // Reported from the first two bytes: servers may close right after.
            assert_eq!(decode_socks5_reply(&[5, code]), Err(err));
        }
        let mut h = Socks5::new(SocksTarget::Domain("x".into(), 1), None);
        h.first_message().unwrap();
        assert_eq!(
            h.on_reply(&[5, 0xff]),
            Err(ProxyError::Socks5NoAcceptableMethod {
                offered_credentials: false
            })
        );
        let mut h = Socks5::new(SocksTarget::Domain("x".into(), 1), None);
        h.first_message().unwrap();
        assert_eq!(
            h.on_reply(&[5, 2]),
            Err(ProxyError::Socks5UnexpectedMethod(2))
        );
        assert_eq!(
            decode_socks5_auth(&[1, 1]),
            Err(ProxyError::Socks5AuthFailed(1))
        );
        let long = "x".repeat(256);
        assert_eq!(
            Socks5::new(SocksTarget::Domain(long, 1), None).first_message(),
            Err(ProxyError::BadHostName)
        );
        let creds = Credentials::from_pair(&format!("{}:p", "u".repeat(300)));
        assert_eq!(
            Socks5::new(SocksTarget::Domain("x".into(), 1), Some(creds)).first_message(),
            Err(ProxyError::BadCredentials)
        );
    }
}
