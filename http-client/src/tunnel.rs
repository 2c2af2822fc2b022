//! HTTP `CONNECT` tunnel (RFC 9110 9.3.6) as a sans-IO handshake.
//!
//! ```text
//! Start --CONNECT host:port--> AwaitReply --1xx--> AwaitReply
//!                                         --2xx--> Open (bytes after the head are tunnel bytes)
//!                                         --other--> refused (read the head, give up the connection)
//! ```
//!
//! The reply is parsed by http-core's response parser, like any response.
//! A 2xx reply has no body whatever its headers say; a failure reply is
//! framed differently by different proxies (tinyproxy: until close; squid:
//! Content-Length), so after a refusal the connection is dropped.

use brisk_core::{Header, Headers, Limits, Method, ResponseParser, Status, Version, EMPTY_HEADER};

use crate::handshake::{Handshake, Progress, ProxyError};
use crate::url::Credentials;

/// Header slots for a CONNECT reply.
const MAX_CONNECT_REPLY_HEADERS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConnectState {
    /// Nothing sent yet.
    Start,
    /// Request sent; waiting for the reply head.
    AwaitReply,
    /// 2xx received: the stream is the tunnel.
    Open,
}

/// A CONNECT handshake to `authority` (`host:port`, IPv6 in brackets).
#[derive(Debug)]
pub struct HttpConnect {
    authority: String,
    credentials: Option<Credentials>,
    user_agent: Option<String>,
    parser: ResponseParser,
    state: ConnectState,
    /// The raw reply head, kept for `-v`.
    reply_head: Vec<u8>,
}

impl HttpConnect {
    /// A handshake for `authority`; `credentials` become
    /// `Proxy-Authorization: Basic`.
    pub fn new(
        authority: &str,
        credentials: Option<Credentials>,
        user_agent: Option<&str>,
    ) -> HttpConnect {
        HttpConnect {
            authority: authority.to_string(),
            credentials,
            user_agent: user_agent.map(str::to_string),
            parser: crate::exchange::machine::response_parser(Limits::default()),
            state: ConnectState::Start,
            reply_head: Vec::new(),
        }
    }

    /// The reply head as received (empty before the reply; a refused
    /// reply's head too).
    pub fn reply_head(&self) -> &[u8] {
        &self.reply_head
    }

    /// The request this handshake sends.
    pub fn encode_request(&self) -> Vec<u8> {
        let mut headers = Headers::new();
        headers.append("Host", &self.authority);
        if let Some(ua) = &self.user_agent {
            headers.append("User-Agent", ua);
        }
        if let Some(c) = &self.credentials {
            headers.append("Proxy-Authorization", c.basic_auth());
        }
        headers.append("Proxy-Connection", "Keep-Alive");
        let mut out = Vec::with_capacity(128);
        brisk_core::encode_request_head(
            &Method::Connect,
            &self.authority,
            Version::Http11,
            &headers,
            &mut out,
        );
        out
    }

    fn set_state(&mut self, next: ConnectState) {
        log::trace!("connect: {:?} => {:?}", self.state, next);
        self.state = next;
    }
}

impl Handshake for HttpConnect {
    fn first_message(&mut self) -> Result<Vec<u8>, ProxyError> {
        self.set_state(ConnectState::AwaitReply);
        Ok(self.encode_request())
    }

    fn speaks_http(&self) -> bool {
        true
    }

    fn reply_head(&self) -> &[u8] {
        HttpConnect::reply_head(self)
    }

    fn on_reply(&mut self, received: &[u8]) -> Result<Progress, ProxyError> {
        if self.state != ConnectState::AwaitReply {
            // Before the request or after the tunnel opened: nothing is ours.
            return Ok(Progress::Done { consumed: 0 });
        }
        let mut slots: [Header<'_>; MAX_CONNECT_REPLY_HEADERS] =
            [EMPTY_HEADER; MAX_CONNECT_REPLY_HEADERS];
        let (status, reason, consumed) = match self.parser.parse(received, &mut slots) {
            Ok(Status::Partial) => return Ok(Progress::NeedMore),
            Ok(Status::Complete((view, n))) => (view.status, view.reason.to_string(), n),
            Err(e) => return Err(ProxyError::ConnectBadReply(e.to_string())),
        };
        self.reply_head = received[..consumed].to_vec();
        self.parser.reset();
        match status {
            // An interim reply: the real one follows.
            100..=199 => Ok(Progress::Next {
                consumed,
                send: Vec::new(),
            }),
            // Any 2xx: the tunnel starts right after the blank line.
            200..=299 => {
                self.set_state(ConnectState::Open);
                Ok(Progress::Done { consumed })
            }
            // Refused (407 needs credentials, 403 forbidden, 5xx upstream failure).
            _ => Err(ProxyError::ConnectRefused { status, reason }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_carries_host_and_basic_auth() {
        let h = HttpConnect::new(
            "[::1]:8080",
            Some(Credentials::from_pair("u:p")),
            Some("fetch/1"),
        );
        let req = String::from_utf8(h.encode_request()).unwrap();
        assert_eq!(
            req,
            "CONNECT [::1]:8080 HTTP/1.1\r\nHost: [::1]:8080\r\nUser-Agent: fetch/1\r\n\
             Proxy-Authorization: Basic dTpw\r\nProxy-Connection: Keep-Alive\r\n\r\n"
        );
    }

    #[test]
    fn reply_2xx_keeps_tunnel_bytes_and_refusals_are_named() {
        let mut h = HttpConnect::new("h:80", None, None);
        h.first_message().unwrap();
        let reply = b"HTTP/1.0 200 Connection established\r\nContent-Length: 99\r\n\r\nHTTP/1.1";
        for i in 0..reply.len() - 8 {
            assert_eq!(h.on_reply(&reply[..i]), Ok(Progress::NeedMore), "{i}");
        }
        assert_eq!(
            h.on_reply(reply),
            Ok(Progress::Done {
                consumed: reply.len() - 8
            })
        );

        let mut h = HttpConnect::new("h:80", None, None);
        h.first_message().unwrap();
        let r = h.on_reply(b"HTTP/1.0 407 Proxy Authentication Required\r\n\r\n");
        assert_eq!(
            r,
            Err(ProxyError::ConnectRefused {
                status: 407,
                reason: "Proxy Authentication Required".into()
            })
        );
        let mut h = HttpConnect::new("h:80", None, None);
        h.first_message().unwrap();
        assert!(matches!(
            h.on_reply(b"SSH-2.0-x\r\n\r\n"),
            Err(ProxyError::ConnectBadReply(_))
        ));
    }
}
