//! A response: the head as received and the body as a stream.

use std::io::{self, Read};
use std::net::SocketAddr;
use std::time::Duration;

use brisk_core::{Headers, ResponseHead, StatusCode, Version};

use crate::error::Error;
use crate::exchange::BodyReader;
use crate::url::Url;

/// Connect-phase timings of a response (curl's `-w` variables), measured
/// from the start of `send`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Name resolution done (`time_namelookup`).
    pub namelookup: Duration,
    /// TCP connection (to the origin or proxy) established (`time_connect`).
    pub connect: Duration,
    /// TLS handshake done (`time_appconnect`); zero for http and for a
    /// reused connection.
    pub appconnect: Duration,
    /// First response byte (`time_starttransfer`).
    pub start_transfer: Duration,
}

/// One redirect that was followed.
#[derive(Debug, Clone)]
pub struct Hop {
    /// The URL that answered with the redirect.
    pub url: Url,
    /// Its response head as received.
    pub raw_head: Vec<u8>,
    /// Its status.
    pub status: u16,
}

/// A response: head, and the body as a stream.
#[derive(Debug)]
pub struct Response {
    pub(crate) head: ResponseHead,
    pub(crate) raw_head: Vec<u8>,
    pub(crate) url: Url,
    pub(crate) body: BodyReader,
    pub(crate) redirects: Vec<Hop>,
    pub(crate) timings: Timings,
    pub(crate) remote: SocketAddr,
    pub(crate) reused: bool,
    pub(crate) ssl_verify_result: Option<i64>,
    /// The client decodes bodies ([`crate::ClientBuilder::decompress`]).
    pub(crate) decompress: bool,
}

impl Response {
    /// The status code.
    pub fn status(&self) -> u16 {
        self.head.status.as_u16()
    }
    /// The status as http-core's type.
    pub fn status_code(&self) -> StatusCode {
        self.head.status
    }
    /// The reason phrase as sent.
    pub fn reason(&self) -> &str {
        &self.head.reason
    }
    /// The HTTP version of the response.
    pub fn version(&self) -> Version {
        self.head.version
    }
    /// The headers.
    pub fn headers(&self) -> &Headers {
        &self.head.headers
    }
    /// One header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.headers.get_str(name)
    }
    /// The head bytes exactly as received (status line to blank line).
    pub fn raw_head(&self) -> &[u8] {
        &self.raw_head
    }
    /// The URL that gave this response (after redirects).
    pub fn url(&self) -> &Url {
        &self.url
    }
    /// Redirects followed before this response.
    pub fn redirects(&self) -> &[Hop] {
        &self.redirects
    }
    /// Connect-phase timings.
    pub fn timings(&self) -> Timings {
        self.timings
    }
    /// The address of the peer (the proxy's when there is one).
    pub fn remote_addr(&self) -> SocketAddr {
        self.remote
    }
    /// True when the response came over a reused pooled connection.
    pub fn reused_connection(&self) -> bool {
        self.reused
    }
    /// For https: the outcome of the strict certificate check as curl's
    /// `%{ssl_verify_result}` (0 when verified, also under `-k` when the
    /// certificate would have passed); `None` for http.
    pub fn ssl_verify_result(&self) -> Option<i64> {
        self.ssl_verify_result
    }
    /// The body as a reader.
    pub fn body(&mut self) -> &mut BodyReader {
        &mut self.body
    }
    /// Takes the body reader, dropping the head.
    pub fn into_body(self) -> BodyReader {
        self.body
    }
    /// The body as a reader, decoded per its `Content-Encoding` when the
    /// client decompresses ([`crate::ClientBuilder::decompress`]), else as
    /// received. Read errors of a body that does not decode carry a
    /// [`crate::decode::DecodeError`] (see [`Error::from_io`]).
    pub fn decoded_body(self) -> Result<Box<dyn Read + Send>, Error> {
        if !self.decompress {
            return Ok(Box::new(self.body));
        }
        let coding = self
            .head
            .headers
            .get_str("content-encoding")
            .map(str::to_string);
        crate::decode::decoder(coding.as_deref(), self.body)
            .map_err(|e| Error::Decode(io::Error::new(io::ErrorKind::InvalidData, e)))
    }
    /// Reads the whole body (decoded when the client decompresses),
    /// failing past `limit` bytes.
    pub fn bytes(self, limit: u64) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        let mut taken = self.decoded_body()?.take(limit.saturating_add(1));
        taken
            .read_to_end(&mut out)
            .map_err(|e| match crate::decode::is_decode_error(&e) {
                true => Error::Decode(e),
                false => Error::from_io(e),
            })?;
        if out.len() as u64 > limit {
            return Err(Error::BodyTooLarge { limit });
        }
        Ok(out)
    }
    /// Reads the whole body as UTF-8 (lossy), failing past `limit` bytes.
    pub fn text(self, limit: u64) -> Result<String, Error> {
        let b = self.bytes(limit)?;
        Ok(String::from_utf8_lossy(&b).into_owned())
    }
}
