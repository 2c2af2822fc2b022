//! From curl's TLS options to one shared `rustls::ClientConfig`.
//!
//! The trust store is found as curl on Debian finds it: one CA file and
//! one CA directory, each chosen on its own (curl keeps its built-in
//! default of one when only the other is given: `curl -v --cacert X`
//! shows `CApath: /etc/ssl/certs`):
//! - the file: `--cacert FILE`, else `CURL_CA_BUNDLE` (the `fetch` binary
//!   fills [`TlsOptions::curl_ca_bundle`]; the library never reads it),
//!   else `SSL_CERT_FILE` ([`TlsOptions::from_env`] reads it), else the
//!   system bundle `/etc/ssl/certs/ca-certificates.crt`;
//! - the directory: `--capath DIR`, else `SSL_CERT_DIR`, else the hashed
//!   system directory `/etc/ssl/certs` (not read when the system bundle
//!   is: on Debian both hold the same certificates).
//!
//! A file or directory named by a setting that cannot be read, or a file
//! with no certificate in it, is a [`TlsError::CaStore`] (curl's 77),
//! unless `-k` is on: then, as curl does, the failure is only a warning
//! ([`TlsConfig::warnings`]). A missing system bundle or directory is not
//! an error: with no store at all, every verification fails with "unknown
//! issuer".
//!
//! The config keeps rustls' default in-memory session cache, so one
//! [`TlsConfig`] per client makes later connections to the same host
//! resume their session.
//!
//! The crypto provider is the process's rustls default, as rustls asks of
//! libraries: the one the application installed with
//! `CryptoProvider::install_default`, else the one rustls' crate features
//! name (`ring`, which this crate enables, as the server does).
//! `ring::default_provider` is deprecated from rustls 0.23.48 on.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

use super::files::{load_client_identity, load_trust};
pub use super::files::{read_pem_certs, read_pem_dir};
use super::verify::TrustVerifier;
use super::TlsError;

/// The system's CA bundle on Debian (what curl is built with).
pub const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// The system's hashed CA directory on Debian.
pub const SYSTEM_CA_DIR: &str = "/etc/ssl/certs";
/// How [`TrustSource`] names the system bundle.
pub const SYSTEM_FILE: &str = "system CA file";
/// How [`TrustSource`] names the system directory.
pub const SYSTEM_DIR: &str = "system CA path";
/// The only application protocol offered: `http/1.1`.
pub const ALPN_HTTP11: &[u8] = b"http/1.1";

/// A TLS protocol version, for the minimum and the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlsVersion {
    /// TLS 1.2 (`--tlsv1.2`, `--tls-max 1.2`).
    Tls12,
    /// TLS 1.3 (`--tlsv1.3`, `--tls-max 1.3`).
    Tls13,
}

impl TlsVersion {
    /// Parses curl's `--tls-max` values: `1.2`, `1.3` (and `default`, which
    /// is `None`). Versions older than 1.2 are refused: rustls has none.
    pub fn parse_max(s: &str) -> Result<Option<TlsVersion>, String> {
        match s {
            "1.2" => Ok(Some(TlsVersion::Tls12)),
            "1.3" => Ok(Some(TlsVersion::Tls13)),
            "default" => Ok(None),
            "1.0" | "1.1" => Err(format!("TLS {s} is not supported (1.2 and 1.3 are)")),
            _ => Err(format!("unsupported TLS version {s:?}")),
        }
    }

    /// `TLSv1.2` / `TLSv1.3`, as curl names them.
    pub fn name(self) -> &'static str {
        match self {
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        }
    }
}

/// curl's TLS settings for the origin (and, with `--proxy-cacert` and
/// `--proxy-insecure`, for an HTTPS proxy: a second `TlsOptions`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// `--cacert FILE`: PEM certificates to trust instead of the defaults.
    pub ca_file: Option<PathBuf>,
    /// `--capath DIR`: a directory of PEM certificates (OpenSSL's hashed
    /// names `XXXXXXXX.N`; without any, every `*.pem` and `*.crt` file).
    pub ca_dir: Option<PathBuf>,
    /// `CURL_CA_BUNDLE`, as the `fetch` binary reads it.
    pub curl_ca_bundle: Option<PathBuf>,
    /// `SSL_CERT_FILE` ([`TlsOptions::from_env`] fills it).
    pub ssl_cert_file: Option<PathBuf>,
    /// `SSL_CERT_DIR` ([`TlsOptions::from_env`] fills it).
    pub ssl_cert_dir: Option<PathBuf>,
    /// Overrides [`SYSTEM_CA_BUNDLE`] (tests).
    pub system_bundle: Option<PathBuf>,
    /// Overrides [`SYSTEM_CA_DIR`] (tests).
    pub system_dir: Option<PathBuf>,
    /// `-k`: accept any server certificate (handshake signatures are still
    /// checked, so the session is still with the holder of that key).
    pub insecure: bool,
    /// `--cert FILE`: the client certificate chain, PEM.
    pub client_cert: Option<PathBuf>,
    /// `--key FILE`: its private key, PEM; defaults to the `--cert` file
    /// (curl's rule: both in one file).
    pub client_key: Option<PathBuf>,
    /// `--tlsv1.2` / `--tlsv1.3`: the lowest version offered (default 1.2).
    pub min_version: Option<TlsVersion>,
    /// `--tls-max`: the highest version offered (default 1.3).
    pub max_version: Option<TlsVersion>,
    /// Log session secrets to the file named by `SSLKEYLOGFILE`, as curl
    /// does (for Wireshark); off unless set.
    pub key_log: bool,
}

impl TlsOptions {
    /// Defaults with `SSL_CERT_FILE` and `SSL_CERT_DIR` taken from the
    /// process environment (empty values are ignored).
    pub fn from_env() -> TlsOptions {
        TlsOptions {
            ssl_cert_file: env_path("SSL_CERT_FILE"),
            ssl_cert_dir: env_path("SSL_CERT_DIR"),
            ..TlsOptions::default()
        }
    }

    /// What the `fetch` binary starts from, as curl reads its
    /// environment: [`TlsOptions::from_env`], plus `CURL_CA_BUNDLE`, plus
    /// key logging when `SSLKEYLOGFILE` is set. The flags go on top.
    pub fn from_curl_env() -> TlsOptions {
        TlsOptions {
            curl_ca_bundle: env_path("CURL_CA_BUNDLE"),
            key_log: env_path("SSLKEYLOGFILE").is_some(),
            ..TlsOptions::from_env()
        }
    }
}

/// The value of environment variable `name` as a path, unless empty.
pub fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Where the trusted certificates came from (for `-v`: curl prints
/// `CAfile:` and `CApath:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustSource {
    /// The file read, if any, and the name of the setting it came from.
    pub file: Option<(&'static str, PathBuf)>,
    /// The directory read, if any, and the name of its setting.
    pub dir: Option<(&'static str, PathBuf)>,
    /// Certificates in the store.
    pub count: usize,
}

/// The TLS settings of one client: the shared rustls config (with its
/// session cache), and what `-v` says about trust.
#[derive(Clone)]
pub struct TlsConfig {
    client: Arc<ClientConfig>,
    strict: Arc<TrustVerifier>,
    insecure: bool,
    trust: TrustSource,
    warnings: Vec<String>,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfig")
            .field("insecure", &self.insecure)
            .field("trust", &self.trust)
            .finish_non_exhaustive()
    }
}

impl TlsConfig {
    /// Reads the trust store and the client certificate, and builds the
    /// rustls config.
    ///
    /// # Errors
    /// [`TlsError::CaStore`] (77) for an unreadable or empty CA file or
    /// directory named by a setting (not with `-k`);
    /// [`TlsError::ClientCert`] (58) for a client certificate or key that
    /// cannot be read, parsed or paired; [`TlsError::Settings`] (35) when
    /// the minimum version is above the maximum.
    pub fn new(opts: &TlsOptions) -> Result<TlsConfig, TlsError> {
        TlsConfig::build(opts, true)
    }

    /// [`TlsConfig::new`] for the session to an HTTPS proxy: the same, but
    /// no ALPN offered (curl offers none to a proxy; what is spoken inside
    /// is HTTP/1.1 to the proxy whatever it would answer).
    ///
    /// # Errors
    /// As [`TlsConfig::new`].
    pub fn for_proxy(opts: &TlsOptions) -> Result<TlsConfig, TlsError> {
        TlsConfig::build(opts, false)
    }

    fn build(opts: &TlsOptions, alpn: bool) -> Result<TlsConfig, TlsError> {
        let provider = process_provider();
        let mut warnings = Vec::new();
        let (certs, trust) = match load_trust(opts) {
            Ok(found) => found,
            Err(e) if opts.insecure => {
                warnings.push(format!("{e}, continuing anyway"));
                (
                    Vec::new(),
                    TrustSource {
                        file: None,
                        dir: None,
                        count: 0,
                    },
                )
            }
            Err(e) => return Err(e),
        };
        // One verifier for both: under -k it accepts any certificate in
        // the handshake and still gives the strict verdict for -v and -w.
        let strict = Arc::new(TrustVerifier::new(
            certs,
            Arc::clone(&provider),
            opts.insecure,
        ));
        let versions = versions(opts.min_version, opts.max_version)?;
        let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_protocol_versions(&versions)
            .map_err(|e| TlsError::Settings(e.to_string()))?;
        let builder = builder
            .dangerous()
            .with_custom_certificate_verifier(strict.clone());
        let mut client = match &opts.client_cert {
            Some(cert_path) => {
                let key_path = opts.client_key.as_deref().unwrap_or(cert_path);
                let (chain, key) = load_client_identity(cert_path, key_path)?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|e| TlsError::ClientCert {
                        path: key_path.to_path_buf(),
                        reason: e.to_string(),
                    })?
            }
            None => builder.with_no_client_auth(),
        };
        if alpn {
            client.alpn_protocols = vec![ALPN_HTTP11.to_vec()];
        }
        if opts.key_log {
            client.key_log = Arc::new(rustls::KeyLogFile::new());
        }
        Ok(TlsConfig {
            client: Arc::new(client),
            strict,
            insecure: opts.insecure,
            trust,
            warnings,
        })
    }

    /// The shared rustls config: every connection of a client uses this
    /// one, so its session cache serves later connections.
    pub fn client_config(&self) -> &Arc<ClientConfig> {
        &self.client
    }

    /// True with `-k`.
    pub fn insecure(&self) -> bool {
        self.insecure
    }

    /// Where the trusted certificates came from.
    pub fn trust(&self) -> &TrustSource {
        &self.trust
    }

    /// What `-v` should say before connecting (a CA file ignored under
    /// `-k`).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The client's verifier; its [`TrustVerifier::check`] is the strict
    /// check also under `-k` (whose handshake accepts any certificate):
    /// `%{ssl_verify_result}` and `-v` report what it says.
    pub(crate) fn strict_verifier(&self) -> &Arc<TrustVerifier> {
        &self.strict
    }

    /// The crypto provider of this config.
    pub fn provider(&self) -> &Arc<CryptoProvider> {
        self.client.crypto_provider()
    }
}

/// The process's default provider (see the module doc). rustls' own
/// builder installs the one its features name when the application has
/// installed none; it panics only when an application enabled a second
/// provider's feature without installing one, with a message saying so.
pub(crate) fn process_provider() -> Arc<CryptoProvider> {
    match CryptoProvider::get_default() {
        Some(provider) => Arc::clone(provider),
        None => Arc::clone(ClientConfig::builder().crypto_provider()),
    }
}

/// The protocol versions from `min` to `max` (defaults 1.2 and 1.3).
fn versions(
    min: Option<TlsVersion>,
    max: Option<TlsVersion>,
) -> Result<Vec<&'static rustls::SupportedProtocolVersion>, TlsError> {
    let lo = min.unwrap_or(TlsVersion::Tls12);
    let hi = max.unwrap_or(TlsVersion::Tls13);
    if lo > hi {
        return Err(TlsError::Settings(format!(
            "the minimum version {} is above the maximum {}",
            lo.name(),
            hi.name()
        )));
    }
    let mut out = Vec::with_capacity(2);
    if hi >= TlsVersion::Tls13 {
        out.push(&rustls::version::TLS13);
    }
    if lo <= TlsVersion::Tls12 {
        out.push(&rustls::version::TLS12);
    }
    Ok(out)
}

/// A webpki verifier for `roots`, or `None` when there is no root.
pub(crate) fn webpki_verifier(
    roots: &[CertificateDer<'static>],
    provider: Arc<CryptoProvider>,
) -> Option<Arc<WebPkiServerVerifier>> {
    let mut store = RootCertStore::empty();
    let (added, ignored) = store.add_parsable_certificates(roots.iter().cloned());
    if ignored > 0 {
        log::debug!("trust store: {ignored} certificates ignored (not parsable as CAs)");
    }
    if added == 0 {
        return None;
    }
    WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
        .build()
        .map_err(|e| log::debug!("trust store: {e}"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::super::files::is_hashed_name;
    use super::*;
    use crate::tls::TlsErrorKind;
    use std::path::Path;
    use test_support::tls::TestPki;

    fn opts_in(dir: &Path) -> TlsOptions {
        TlsOptions {
            system_bundle: Some(dir.join("no-bundle.crt")),
            system_dir: Some(dir.join("no-dir")),
            ..TlsOptions::default()
        }
    }

    #[test]
    fn versions_between_min_and_max() {
        let v = |lo, hi| versions(lo, hi).map(|v| v.iter().map(|x| x.version).collect::<Vec<_>>());
        use rustls::ProtocolVersion::{TLSv1_2, TLSv1_3};
        assert_eq!(v(None, None).unwrap(), [TLSv1_3, TLSv1_2]);
        assert_eq!(v(Some(TlsVersion::Tls13), None).unwrap(), [TLSv1_3]);
        assert_eq!(v(None, Some(TlsVersion::Tls12)).unwrap(), [TLSv1_2]);
        let err = v(Some(TlsVersion::Tls13), Some(TlsVersion::Tls12)).unwrap_err();
        assert_eq!(err.kind(), TlsErrorKind::Handshake);
        assert_eq!(TlsVersion::parse_max("1.2"), Ok(Some(TlsVersion::Tls12)));
        assert_eq!(TlsVersion::parse_max("default"), Ok(None));
        assert!(TlsVersion::parse_max("1.1").is_err());
    }

    #[test]
    fn trust_order_follows_curl() {
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki::new();
        let ca = pki.write_all(dir.path());
        let other = dir.path().join("other.crt");
        std::fs::write(&other, &pki.self_signed.cert_pem).unwrap();
        let base = opts_in(dir.path());

        // --cacert beats everything.
        let o = TlsOptions {
            ca_file: Some(ca.clone()),
            curl_ca_bundle: Some(other.clone()),
            ssl_cert_file: Some(other.clone()),
            ..base.clone()
        };
        let c = TlsConfig::new(&o).unwrap();
        assert_eq!(c.trust().file, Some(("--cacert", ca.clone())));
        assert_eq!(c.trust().count, 1);
        // CURL_CA_BUNDLE beats SSL_CERT_FILE.
        let o = TlsOptions {
            curl_ca_bundle: Some(ca.clone()),
            ssl_cert_file: Some(other.clone()),
            ..base.clone()
        };
        let c = TlsConfig::new(&o).unwrap();
        assert_eq!(c.trust().file, Some(("CURL_CA_BUNDLE", ca.clone())));
        // SSL_CERT_FILE, then the system bundle.
        let o = TlsOptions {
            ssl_cert_file: Some(other.clone()),
            ..base.clone()
        };
        let c = TlsConfig::new(&o).unwrap();
        assert_eq!(c.trust().file, Some(("SSL_CERT_FILE", other.clone())));
        let o = TlsOptions {
            system_bundle: Some(ca.clone()),
            ..base.clone()
        };
        let c = TlsConfig::new(&o).unwrap();
        assert_eq!(c.trust().file, Some((SYSTEM_FILE, ca.clone())));
        // --cacert keeps the default CA path (curl's rule), and the
        // default bundle with --capath.
        let sysdir = dir.path().join("sysdir");
        std::fs::create_dir(&sysdir).unwrap();
        std::fs::write(sysdir.join("0a1b2c3d.0"), &pki.self_signed.cert_pem).unwrap();
        let o = TlsOptions {
            ca_file: Some(ca.clone()),
            system_dir: Some(sysdir.clone()),
            ..base.clone()
        };
        let c = TlsConfig::new(&o).unwrap();
        assert_eq!(c.trust().dir, Some((SYSTEM_DIR, sysdir.clone())));
        assert_eq!(c.trust().count, 2);
        let o = TlsOptions {
            ca_dir: Some(sysdir.clone()),
            system_bundle: Some(ca.clone()),
            ..base.clone()
        };
        let c = TlsConfig::new(&o).unwrap();
        assert_eq!(c.trust().file, Some((SYSTEM_FILE, ca.clone())));
        assert_eq!(c.trust().dir, Some(("--capath", sysdir.clone())));
        assert_eq!(c.trust().count, 2);
        // Both defaults: the bundle alone is read.
        let o = TlsOptions {
            system_bundle: Some(ca.clone()),
            system_dir: Some(sysdir.clone()),
            ..base.clone()
        };
        let c = TlsConfig::new(&o).unwrap();
        assert_eq!(c.trust().count, 1);
        // No bundle, no dir: an empty store is no error.
        let c = TlsConfig::new(&base).unwrap();
        assert_eq!(c.trust().count, 0);
    }

    #[test]
    fn unreadable_or_empty_ca_files_are_77_unless_insecure() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.crt");
        let empty = dir.path().join("empty.crt");
        std::fs::write(&empty, "no certificate here\n").unwrap();
        for (o, what) in [
            (
                TlsOptions {
                    ca_file: Some(missing.clone()),
                    ..opts_in(dir.path())
                },
                "error setting certificate file",
            ),
            (
                TlsOptions {
                    ca_file: Some(empty.clone()),
                    ..opts_in(dir.path())
                },
                "(--cacert: no PEM certificate in it)",
            ),
            (
                TlsOptions {
                    ca_dir: Some(dir.path().join("no-such-dir")),
                    ..opts_in(dir.path())
                },
                "error setting certificate path",
            ),
            (
                TlsOptions {
                    ssl_cert_file: Some(missing.clone()),
                    ..opts_in(dir.path())
                },
                "(SSL_CERT_FILE: ",
            ),
        ] {
            let e = TlsConfig::new(&o).unwrap_err();
            assert_eq!(e.kind(), TlsErrorKind::CaStore, "{e}");
            assert_eq!(e.curl_exit_code(), 77);
            assert!(e.to_string().contains(what), "{e}");
            let c = TlsConfig::new(&TlsOptions {
                insecure: true,
                ..o
            })
            .unwrap();
            assert_eq!(c.warnings().len(), 1);
        }
    }

    #[test]
    fn capath_reads_hashed_names_or_pem_files() {
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki::new();
        let plain = dir.path().join("plain");
        std::fs::create_dir(&plain).unwrap();
        std::fs::write(plain.join("a.pem"), &pki.ca.cert_pem).unwrap();
        std::fs::write(plain.join("b.crt"), &pki.self_signed.cert_pem).unwrap();
        std::fs::write(plain.join("README"), "not a certificate").unwrap();
        assert_eq!(read_pem_dir(&plain).unwrap().len(), 2);
        let hashed = dir.path().join("hashed");
        std::fs::create_dir(&hashed).unwrap();
        std::fs::write(hashed.join("0a1b2c3d.0"), &pki.ca.cert_pem).unwrap();
        std::fs::write(hashed.join("ignored.pem"), &pki.self_signed.cert_pem).unwrap();
        let got = read_pem_dir(&hashed).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].as_ref(), pki.ca.cert_der.as_slice());
        assert!(is_hashed_name("9d66eef0.1") && !is_hashed_name("9d66eef0.pem"));
    }

    #[test]
    fn client_certificate_problems_are_58() {
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki::new();
        pki.write_all(dir.path());
        let base = opts_in(dir.path());
        let ok = TlsOptions {
            client_cert: Some(dir.path().join("client.crt")),
            client_key: Some(dir.path().join("client.key")),
            ..base.clone()
        };
        TlsConfig::new(&ok).unwrap();
        // Both in one file, as curl allows.
        let both = dir.path().join("both.pem");
        std::fs::write(
            &both,
            format!("{}{}", pki.client.cert_pem, pki.client.key_pem),
        )
        .unwrap();
        TlsConfig::new(&TlsOptions {
            client_cert: Some(both),
            ..base.clone()
        })
        .unwrap();
        for bad in [
            TlsOptions {
                client_cert: Some(dir.path().join("missing.crt")),
                ..base.clone()
            },
            TlsOptions {
                client_cert: Some(dir.path().join("client.crt")),
                client_key: Some(dir.path().join("missing.key")),
                ..base.clone()
            },
            // A certificate without a key in its file.
            TlsOptions {
                client_cert: Some(dir.path().join("client.crt")),
                ..base.clone()
            },
            // A key that is not the certificate's.
            TlsOptions {
                client_cert: Some(dir.path().join("client.crt")),
                client_key: Some(dir.path().join("good.key")),
                ..base.clone()
            },
        ] {
            let e = TlsConfig::new(&bad).unwrap_err();
            assert_eq!(e.kind(), TlsErrorKind::ClientCert, "{e}");
            assert_eq!(e.curl_exit_code(), 58);
        }
    }

    #[test]
    fn alpn_is_http11_and_sessions_are_cached() {
        let dir = tempfile::tempdir().unwrap();
        let c = TlsConfig::new(&opts_in(dir.path())).unwrap();
        assert_eq!(c.client_config().alpn_protocols, [b"http/1.1".to_vec()]);
        assert!(c.client_config().enable_sni);
        let cloned = c.clone();
        assert!(Arc::ptr_eq(c.client_config(), cloned.client_config()));
    }
}
