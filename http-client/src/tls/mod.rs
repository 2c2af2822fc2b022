//! TLS for the client (issue 10): rustls with the `ring` crypto provider.
//!
//! The pieces, each usable on its own so that the connection code only has
//! to call them in order:
//! - [`config`]: [`TlsOptions`] (curl's `--cacert`, `--capath`, `-k`,
//!   `--cert`/`--key`, `--tlsv1.2`/`--tlsv1.3`/`--tls-max`) become a
//!   [`TlsConfig`]: one shared `rustls::ClientConfig` per client, with the
//!   trust store found as curl on Debian finds it, ALPN `http/1.1`, and
//!   rustls' in-memory session cache (later connections resume).
//! - [`verify`]: the server certificate check: webpki, except that a
//!   certificate given as trusted byte for byte (the `openssl req -x509`
//!   dev certificate) is accepted with its name and dates still checked;
//!   failures classified as curl reports them ([`VerifyFailure`]).
//! - [`stream`]: [`TlsConn`], a TLS session over a connected nonblocking
//!   socket, every wait bounded by a deadline, like [`crate::net::Conn`].
//! - [`info`]: what `fetch -v` prints about the session, in curl's words.
//!
//! Errors are [`TlsError`]; [`TlsError::kind`] tells which of curl's exit
//! codes applies (35, 58, 60, 77, or 28 for a deadline).
//!
//! # How a connection uses it
//! 1. Once per client: `TlsConfig::new(&opts)`. Its session cache is what
//!    makes later connections resume, so every connection of the client
//!    shares it (clones share it too). curl reports a bad `--cacert` only
//!    when an https URL is fetched, so build it at the first https
//!    request (or keep the `Result` until then).
//! 2. Open the TCP connection and run the proxy handshakes as for http;
//!    then `TlsConn::new(stream, peer, host, &config)` and
//!    `handshake(connect_deadline)`; map failures with
//!    `Error::from(TlsError)` (a timeout becomes `Error::Timeout` with
//!    `Phase::Tls`). The time it returns is `%{time_appconnect}`.
//! 3. `-v`: [`info::before_handshake`] before, `conn.info().lines()`
//!    after; `%{ssl_verify_result}` is `conn.info().ssl_verify_result()`.
//! 4. The exchange drives a `TlsConn` as it drives `net::Conn`: `fill`,
//!    `read_direct`, `write_all`, `probe_alive` before reuse, `abort` for
//!    an abandoned response, `close(linger)` (close_notify) otherwise. At
//!    `Ok(0)`, a complete `Content-Length` or chunked body is fine with or
//!    without `close_notify_received()`; a short one is `Incomplete`.
//! 5. An HTTPS proxy ([`crate::connect`] does this): a `TlsConn` to the
//!    proxy with [`TlsConfig::for_proxy`] (no ALPN, as curl); `CONNECT`
//!    (or plain requests in absolute form) over it with
//!    `write_all`/`fill`; for an https origin, `TlsConn::over(proxy_session,
//!    ...)` inside the tunnel: a `TlsConn<TlsConn>`, whose `close_notify`
//!    ends the proxy's session too ([`Wire::finish`]).

use std::fmt;
use std::io;
use std::path::PathBuf;

pub mod config;
mod files;
pub mod info;
pub mod stream;
pub mod verify;
mod wire;

pub use config::{TlsConfig, TlsOptions, TlsVersion, TrustSource};
pub use info::SessionInfo;
pub use stream::{TcpWire, TlsConn, Wire};
pub use verify::VerifyFailure;

/// Which of curl's TLS failure classes an error is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsErrorKind {
    /// The CA file or directory cannot be read, or holds no certificate
    /// (curl's 77, `CURLE_SSL_CACERT_BADFILE`).
    CaStore,
    /// The client certificate or key cannot be loaded or do not match
    /// (curl's 58, `CURLE_SSL_CERTPROBLEM`).
    ClientCert,
    /// The handshake failed: no shared version or cipher, an alert, a
    /// server that is not speaking TLS, settings that cannot work
    /// (curl's 35, `CURLE_SSL_CONNECT_ERROR`).
    Handshake,
    /// The server's certificate cannot be verified (curl's 60,
    /// `CURLE_PEER_FAILED_VERIFICATION`).
    Verify,
    /// The deadline passed during the handshake (curl's 28).
    Timeout,
}

/// Why a handshake failed, for the message.
#[derive(Debug)]
pub enum HandshakeFailure {
    /// The server refused every TLS version offered (alert
    /// `protocol_version`, or rustls found none in common).
    NoSharedVersion(String),
    /// No cipher suite, group or signature scheme in common (alert
    /// `handshake_failure`/`insufficient_security`, or found by rustls).
    NoSharedCipher(String),
    /// The server sent another fatal alert.
    Alert(String),
    /// The server answered in plain text (`HTTP/...`): not a TLS port.
    PlainHttp,
    /// The server closed the connection during the handshake.
    Closed,
    /// The socket failed during the handshake (reset, ...).
    Io(io::Error),
    /// Anything else rustls refused (a malformed message, ...).
    Protocol(String),
}

impl fmt::Display for HandshakeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandshakeFailure::NoSharedVersion(d) => {
                write!(f, "no TLS version in common with the server ({d})")
            }
            HandshakeFailure::NoSharedCipher(d) => {
                write!(f, "no cipher suite in common with the server ({d})")
            }
            HandshakeFailure::Alert(d) => write!(f, "the server sent a fatal alert: {d}"),
            HandshakeFailure::PlainHttp => {
                f.write_str("the server answered in plain HTTP, not TLS (wrong version number)")
            }
            HandshakeFailure::Closed => {
                f.write_str("the server closed the connection during the TLS handshake")
            }
            HandshakeFailure::Io(e) => write!(f, "{e}"),
            HandshakeFailure::Protocol(d) => f.write_str(d),
        }
    }
}

/// Everything that can go wrong in the TLS layer.
#[derive(Debug)]
pub enum TlsError {
    /// A CA file or directory is unusable; `what` names the setting it
    /// came from: `--cacert`, `--capath`, `CURL_CA_BUNDLE`,
    /// `SSL_CERT_FILE`, `SSL_CERT_DIR`, `system CA file`, `system CA path`.
    CaStore {
        /// Where the path came from.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The client certificate or key cannot be used.
    ClientCert {
        /// The certificate or key file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The settings cannot work together (`--tlsv1.3 --tls-max 1.2`).
    Settings(String),
    /// The handshake failed.
    Handshake(HandshakeFailure),
    /// The server's certificate was refused.
    Verify(VerifyFailure),
    /// The deadline passed during the handshake.
    Timeout,
}

impl TlsError {
    /// The failure class (which of curl's exit codes applies).
    pub fn kind(&self) -> TlsErrorKind {
        match self {
            TlsError::CaStore { .. } => TlsErrorKind::CaStore,
            TlsError::ClientCert { .. } => TlsErrorKind::ClientCert,
            TlsError::Settings(_) | TlsError::Handshake(_) => TlsErrorKind::Handshake,
            TlsError::Verify(_) => TlsErrorKind::Verify,
            TlsError::Timeout => TlsErrorKind::Timeout,
        }
    }

    /// curl's exit code for this error: 77, 58, 35, 60 or 28.
    pub fn curl_exit_code(&self) -> u8 {
        match self.kind() {
            TlsErrorKind::CaStore => 77,
            TlsErrorKind::ClientCert => 58,
            TlsErrorKind::Handshake => 35,
            TlsErrorKind::Verify => 60,
            TlsErrorKind::Timeout => 28,
        }
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::CaStore { what, path, reason } => {
                // curl's words first, then why and where the path came from.
                let kind = if matches!(*what, "--capath" | "SSL_CERT_DIR" | config::SYSTEM_DIR) {
                    "path"
                } else {
                    "file"
                };
                write!(
                    f,
                    "error setting certificate {kind}: {} ({what}: {reason})",
                    path.display()
                )
            }
            TlsError::ClientCert { path, reason } => write!(
                f,
                "could not load client certificate or key from {}: {reason}",
                path.display()
            ),
            TlsError::Settings(d) => write!(f, "TLS settings: {d}"),
            TlsError::Handshake(h) => write!(f, "TLS connect error: {h}"),
            TlsError::Verify(v) => write!(f, "{v}"),
            TlsError::Timeout => f.write_str("TLS handshake timed out"),
        }
    }
}

impl std::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TlsError::Handshake(HandshakeFailure::Io(e)) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client and its responses cross threads: so must what they hold.
    #[test]
    fn tls_types_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<TlsConfig>();
        send_sync::<TlsError>();
        send::<TlsConn>();
        send::<TlsConn<Box<dyn Wire + Send>>>();
        send::<TlsConn<TlsConn>>();
    }

    #[test]
    fn exit_codes_are_curls() {
        let io = || HandshakeFailure::Io(io::Error::other("reset"));
        for (e, code) in [
            (
                TlsError::CaStore {
                    what: "--cacert",
                    path: "/x".into(),
                    reason: "missing".into(),
                },
                77,
            ),
            (
                TlsError::ClientCert {
                    path: "/k".into(),
                    reason: "bad".into(),
                },
                58,
            ),
            (TlsError::Settings("min > max".into()), 35),
            (TlsError::Handshake(io()), 35),
            (TlsError::Handshake(HandshakeFailure::PlainHttp), 35),
            (TlsError::Verify(VerifyFailure::Expired), 60),
            (TlsError::Timeout, 28),
        ] {
            assert_eq!(e.curl_exit_code(), code, "{e}");
        }
        assert_eq!(
            TlsError::CaStore {
                what: "--cacert",
                path: "/nonexist".into(),
                reason: "No such file or directory (os error 2)".into(),
            }
            .to_string(),
            "error setting certificate file: /nonexist (--cacert: No such file or directory (os error 2))"
        );
        let e = crate::Error::from(TlsError::Verify(VerifyFailure::UnknownIssuer));
        assert_eq!(e.phase(), Some(crate::Phase::Tls));
        assert_eq!(
            e.to_string(),
            "SSL certificate problem: unable to get local issuer certificate"
        );
    }
}
