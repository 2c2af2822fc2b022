//! curl's exit codes, the [`Failure`] every step returns, and the one
//! line a failure prints on stderr.

use std::io;

use brisk_client::{Error, Phase, ProxyError, UrlError};

use crate::cli::Cli;

// curl's exit codes, where the meaning is the same.
pub const UNSUPPORTED_PROTOCOL: u8 = 1;
pub const USAGE: u8 = 2;
pub const MALFORMED_URL: u8 = 3;
pub const PROXY_NOT_RESOLVED: u8 = 5;
pub const HOST_NOT_RESOLVED: u8 = 6;
pub const CONNECT_FAILED: u8 = 7;
pub const WEIRD_SERVER_REPLY: u8 = 8;
pub const PARTIAL_FILE: u8 = 18;
pub const RANGE_ERROR: u8 = 33;
pub const HTTP_ERROR: u8 = 22;
pub const WRITE_ERROR: u8 = 23;
pub const READ_ERROR: u8 = 26;
pub const TIMEOUT: u8 = 28;
pub const TOO_MANY_REDIRECTS: u8 = 47;
pub const EMPTY_REPLY: u8 = 52;
pub const SEND_ERROR: u8 = 55;
pub const RECV_ERROR: u8 = 56;
pub const BAD_CONTENT_ENCODING: u8 = 61;
pub const FILESIZE_EXCEEDED: u8 = 63;
pub const PROXY_HANDSHAKE: u8 = 97;

/// A failed transfer: curl's exit code and a message.
pub struct Failure {
    pub code: u8,
    pub msg: String,
    /// The connection was refused (for `--retry-connrefused`).
    pub refused: bool,
}

impl Failure {
    pub fn new(code: u8, msg: impl Into<String>) -> Failure {
        Failure {
            code,
            msg: msg.into(),
            refused: false,
        }
    }
}

/// Maps a client error to curl's exit code.
fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Url(UrlError::UnsupportedScheme(_)) => UNSUPPORTED_PROTOCOL,
        Error::Url(UrlError::Malformed(_)) => MALFORMED_URL,
        Error::Resolve { proxy: true, .. } => PROXY_NOT_RESOLVED,
        Error::Resolve { proxy: false, .. } => HOST_NOT_RESOLVED,
        Error::Connect { .. } => CONNECT_FAILED,
        Error::Timeout { .. } => TIMEOUT,
        // curl reports a refused CONNECT as a receive failure, SOCKS as 97.
        Error::Proxy {
            error: ProxyError::ConnectRefused { .. } | ProxyError::ConnectBadReply(_),
            ..
        } => RECV_ERROR,
        Error::Proxy { proxy, .. } if proxy.starts_with("http://") => RECV_ERROR,
        Error::Proxy { proxy, .. } if proxy.starts_with("https://") => RECV_ERROR,
        Error::Proxy { .. } => PROXY_HANDSHAKE,
        Error::Io {
            phase: Phase::Send, ..
        } => SEND_ERROR,
        Error::Io {
            phase: Phase::Connect,
            ..
        } => CONNECT_FAILED,
        Error::Io { .. } => RECV_ERROR,
        Error::EmptyReply => EMPTY_REPLY,
        Error::BadResponse(_) if e.phase() == Some(Phase::ReceiveBody) => RECV_ERROR,
        Error::BadResponse(_) => WEIRD_SERVER_REPLY,
        Error::Incomplete { .. } => PARTIAL_FILE,
        Error::TooManyRedirects { .. } => TOO_MANY_REDIRECTS,
        Error::BodyTooLarge { .. } => RECV_ERROR,
        Error::RequestBody(_) => READ_ERROR,
        Error::InvalidHeader { .. } => USAGE,
        Error::Tls(t) => t.curl_exit_code(),
        Error::Decode(_) => BAD_CONTENT_ENCODING,
    }
}

/// A client error as a failure with curl's exit code.
pub fn failure(e: Error) -> Failure {
    let refused = matches!(&e, Error::Connect { source, .. }
        if source.kind() == io::ErrorKind::ConnectionRefused);
    Failure {
        refused,
        ..Failure::new(exit_code(&e), e.to_string())
    }
}

/// A write to stdout, a `-o` file or the `-D` file failed (exit 23).
pub fn write_failure(e: io::Error) -> Failure {
    Failure::new(
        WRITE_ERROR,
        format!("Failure writing output to destination: {e}"),
    )
}

/// One error line on stderr, unless `-s` without `-S`.
pub fn report(cli: &Cli, f: &Failure) {
    if (!cli.silent || cli.show_error) && !f.msg.is_empty() {
        eprintln!("fetch: ({}) {}", f.code, f.msg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    // A table of (error, curl's exit code): long because it is a table.
    #[test]
    fn errors_map_to_curls_exit_codes() {
        let io_err = || io::Error::other("x");
        let cases: Vec<(Error, u8)> = vec![
            (Error::Url(UrlError::UnsupportedScheme("https".into())), 1),
            (Error::Url(UrlError::Malformed("x")), 3),
            (
                Error::Resolve {
                    host: "p".into(),
                    proxy: true,
                    source: io_err(),
                },
                5,
            ),
            (
                Error::Resolve {
                    host: "h".into(),
                    proxy: false,
                    source: io_err(),
                },
                6,
            ),
            (
                Error::Connect {
                    target: "t".into(),
                    proxy: true,
                    source: io_err(),
                },
                7,
            ),
            (
                Error::Timeout {
                    phase: Phase::ReceiveBody,
                },
                28,
            ),
            (
                Error::Proxy {
                    proxy: "http://p:1".into(),
                    error: ProxyError::ConnectRefused {
                        status: 407,
                        reason: "x".into(),
                    },
                },
                56,
            ),
            (
                Error::Proxy {
                    proxy: "socks5://p:1".into(),
                    error: ProxyError::Socks5NotAllowed,
                },
                97,
            ),
            (
                Error::Io {
                    phase: Phase::Send,
                    source: io_err(),
                },
                55,
            ),
            (
                Error::Io {
                    phase: Phase::ReceiveHead,
                    source: io_err(),
                },
                56,
            ),
            (Error::EmptyReply, 52),
            (Error::Incomplete { received: 1 }, 18),
            (Error::TooManyRedirects { max: 1 }, 47),
            (Error::RequestBody(io_err()), 26),
            (Error::InvalidHeader { name: "x y".into() }, 2),
        ];
        for (e, want) in cases {
            assert_eq!(exit_code(&e), want, "{e:?}");
        }
    }
}
