//! One error enum for the client: each variant says what happened, and
//! [`Error::phase`] says when.

use std::fmt;
use std::io;

use brisk_core::ParseError;

use crate::handshake::ProxyError;
use crate::tls::TlsError;
use crate::url::UrlError;

/// The step of a request during which something failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Looking up the host (or the proxy) name.
    Resolve,
    /// Opening the TCP connection (to the origin or the proxy).
    Connect,
    /// The SOCKS or CONNECT handshake with the proxy.
    ProxyHandshake,
    /// The TLS handshake (it counts toward the connect timeout).
    Tls,
    /// Writing the request head and body.
    Send,
    /// Waiting for and reading the response head.
    ReceiveHead,
    /// Reading the response body.
    ReceiveBody,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Resolve => "name resolution",
            Phase::Connect => "connect",
            Phase::ProxyHandshake => "proxy handshake",
            Phase::Tls => "the TLS handshake",
            Phase::Send => "sending the request",
            Phase::ReceiveHead => "receiving the response head",
            Phase::ReceiveBody => "receiving the response body",
        })
    }
}

/// Everything that can go wrong with a request.
#[derive(Debug)]
pub enum Error {
    /// The URL (or a redirect's `Location`, or a proxy URL) is unusable.
    Url(UrlError),
    /// The name did not resolve.
    Resolve {
        /// The name looked up.
        host: String,
        /// True when it was the proxy's name.
        proxy: bool,
        /// What the resolver said.
        source: io::Error,
    },
    /// Every address refused or failed.
    Connect {
        /// `host:port` we tried to reach.
        target: String,
        /// True when it was the proxy.
        proxy: bool,
        /// The last connect error.
        source: io::Error,
    },
    /// A deadline passed.
    Timeout {
        /// Where we were waiting.
        phase: Phase,
    },
    /// The proxy refused or botched its handshake.
    Proxy {
        /// The proxy, as `scheme://host:port`.
        proxy: String,
        /// What it said.
        error: ProxyError,
    },
    /// The connection failed while sending or receiving.
    Io {
        /// When.
        phase: Phase,
        /// The socket error.
        source: io::Error,
    },
    /// The server closed the connection without sending any response byte.
    EmptyReply,
    /// The response is not valid HTTP/1.x.
    BadResponse(ParseError),
    /// The body ended before its declared length or last chunk.
    Incomplete {
        /// Body bytes received.
        received: u64,
    },
    /// More redirects than the policy allows.
    TooManyRedirects {
        /// The limit.
        max: u32,
    },
    /// A body helper refused a body larger than its limit.
    BodyTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// Reading the request body from its source failed.
    RequestBody(io::Error),
    /// A request header name is not a token, or its value holds CR, LF or NUL.
    InvalidHeader {
        /// The header's name as given.
        name: String,
    },
    /// TLS settings, the handshake or the server's certificate failed
    /// ([`TlsError::kind`] says which; a handshake timeout is
    /// [`Error::Timeout`] with [`Phase::Tls`] instead).
    Tls(TlsError),
    /// With [`crate::ClientBuilder::decompress`]: the body's
    /// `Content-Encoding` is not one this client decodes, or the encoded
    /// data is corrupt or cut short (curl's exit 61).
    Decode(io::Error),
}

impl Error {
    /// The phase of the request that failed, when it applies.
    pub fn phase(&self) -> Option<Phase> {
        match self {
            Error::Resolve { .. } => Some(Phase::Resolve),
            Error::Connect { .. } => Some(Phase::Connect),
            Error::Timeout { phase } | Error::Io { phase, .. } => Some(*phase),
            Error::Proxy { .. } => Some(Phase::ProxyHandshake),
            Error::EmptyReply | Error::BadResponse(_) => Some(Phase::ReceiveHead),
            Error::Incomplete { .. } | Error::BodyTooLarge { .. } | Error::Decode(_) => {
                Some(Phase::ReceiveBody)
            }
            Error::RequestBody(_) => Some(Phase::Send),
            Error::Tls(_) => Some(Phase::Tls),
            Error::Url(_) | Error::TooManyRedirects { .. } | Error::InvalidHeader { .. } => None,
        }
    }

    /// True for deadline expiries.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// Maps an I/O error of `phase` to `Timeout` or `Io`.
    pub(crate) fn io(phase: Phase, source: io::Error) -> Error {
        if source.kind() == io::ErrorKind::TimedOut {
            Error::Timeout { phase }
        } else {
            Error::Io { phase, source }
        }
    }

    /// Recovers an `Error` carried inside an `io::Error` by the body reader.
    pub fn from_io(e: io::Error) -> Error {
        if e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
            match e.into_inner().map(|b| b.downcast::<Error>()) {
                Some(Ok(inner)) => return *inner,
                Some(Err(other)) => return Error::io(Phase::ReceiveBody, io::Error::other(other)),
                None => return Error::io(Phase::ReceiveBody, io::Error::other("unknown")),
            }
        }
        Error::io(Phase::ReceiveBody, e)
    }

    /// Wraps this error into an `io::Error` (for `Read` implementations).
    pub(crate) fn into_io(self) -> io::Error {
        let kind = match &self {
            Error::Timeout { .. } => io::ErrorKind::TimedOut,
            Error::Incomplete { .. } => io::ErrorKind::UnexpectedEof,
            _ => io::ErrorKind::Other,
        };
        io::Error::new(kind, self)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Url(e) => write!(f, "{e}"),
            Error::Resolve {
                host,
                proxy: true,
                source,
            } => {
                write!(f, "Could not resolve proxy: {host} ({source})")
            }
            Error::Resolve {
                host,
                proxy: false,
                source,
            } => {
                write!(f, "Could not resolve host: {host} ({source})")
            }
            Error::Connect {
                target,
                proxy,
                source,
            } => {
                let what = if *proxy { "proxy " } else { "" };
                write!(f, "Failed to connect to {what}{target}: {source}")
            }
            Error::Timeout { phase } => write!(f, "Timeout during {phase}"),
            Error::Proxy { proxy, error } => write!(f, "{error} (proxy {proxy})"),
            Error::Io { phase, source } => write!(f, "Failure while {phase}: {source}"),
            Error::EmptyReply => f.write_str("Empty reply from server"),
            Error::BadResponse(e) => write!(f, "Invalid response from server: {e}"),
            Error::Incomplete { received } => write!(
                f,
                "transfer closed with outstanding read data remaining ({received} bytes received)"
            ),
            Error::TooManyRedirects { max } => write!(f, "Maximum ({max}) redirects followed"),
            Error::BodyTooLarge { limit } => write!(f, "response body larger than {limit} bytes"),
            Error::RequestBody(e) => write!(f, "reading the request body failed: {e}"),
            Error::InvalidHeader { name } => write!(
                f,
                "invalid request header {name:?}: the name must be a token and the value must not hold CR, LF or NUL"
            ),
            Error::Tls(e) => write!(f, "{e}"),
            Error::Decode(e) => write!(f, "Error while processing content unencoding: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Url(e) => Some(e),
            Error::Resolve { source, .. } | Error::Connect { source, .. } => Some(source),
            Error::Io { source, .. } | Error::RequestBody(source) | Error::Decode(source) => {
                Some(source)
            }
            Error::Proxy { error, .. } => Some(error),
            Error::BadResponse(e) => Some(e),
            Error::Tls(e) => Some(e),
            _ => None,
        }
    }
}

impl From<TlsError> for Error {
    fn from(e: TlsError) -> Error {
        match e {
            TlsError::Timeout => Error::Timeout { phase: Phase::Tls },
            other => Error::Tls(other),
        }
    }
}

impl From<UrlError> for Error {
    fn from(e: UrlError) -> Error {
        Error::Url(e)
    }
}
