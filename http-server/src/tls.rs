//! TLS settings for the server: where the certificate comes from, and the
//! one place that holds the configuration new connections use, so that a
//! reload (SIGHUP or [`TlsReloader`]) swaps it for new connections while
//! existing ones keep theirs.
//!
//! The crypto provider is the process's rustls default, as in the client:
//! the one the application installed with
//! `rustls::crypto::CryptoProvider::install_default`, else the one rustls'
//! crate features name, `ring` (which this crate enables; one provider for
//! the workspace, see ARCHITECTURE.md). rustls asks libraries to take it
//! this way rather than name a provider (`ring::default_provider` is
//! deprecated from rustls 0.23.48 on). Configurations built here offer TLS
//! 1.2 and 1.3, ALPN `http/1.1` (and `http/1.0`), and resume sessions (a
//! shared session cache and stateless tickets).

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Sessions the server remembers for resumption (shared by all workers).
const SESSION_CACHE_ENTRIES: usize = 4096;

/// The server's TLS configuration: a certificate chain and key read from
/// PEM files (which a reload reads again), or a rustls `ServerConfig` the
/// application built (SNI with several certificates, client
/// authentication, its own ALPN list).
///
/// ```no_run
/// use brisk_server::{Response, Server, StatusCode, TlsConfig};
///
/// let tls = TlsConfig::from_pem_files("cert.pem", "key.pem")?;
/// Server::bind("127.0.0.1:8443")?
///     .tls(tls)
///     .serve(|_: &brisk_server::Request| Response::text(StatusCode::OK, "hello over TLS\n"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct TlsConfig {
    config: Arc<ServerConfig>,
    /// The files a reload reads again; `None` for an application's config.
    files: Option<(PathBuf, PathBuf)>,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl TlsConfig {
    /// Reads a certificate chain (the server's certificate first, then
    /// intermediates) and its private key (PKCS#8, PKCS#1 RSA or SEC1 EC;
    /// ECDSA, RSA and Ed25519 keys) from PEM files. The error names the
    /// file and what is wrong, including a key that does not belong to the
    /// certificate.
    ///
    /// The crypto provider is the process's rustls default (see the module
    /// doc); an application that enables rustls' `aws_lc_rs` feature as
    /// well as `ring` must install one first (rustls panics otherwise).
    pub fn from_pem_files(cert: impl AsRef<Path>, key: impl AsRef<Path>) -> io::Result<TlsConfig> {
        let (cert, key) = (cert.as_ref().to_path_buf(), key.as_ref().to_path_buf());
        let config = Arc::new(config_from_files(&cert, &key)?);
        Ok(TlsConfig {
            config,
            files: Some((cert, key)),
        })
    }

    /// Uses a configuration the application built. Its ALPN list is kept
    /// as given: include `http/1.1` (this server speaks nothing else).
    /// A reload by signal keeps it; [`TlsReloader::set`] replaces it.
    pub fn from_rustls(config: Arc<ServerConfig>) -> TlsConfig {
        TlsConfig {
            config,
            files: None,
        }
    }

    /// The rustls configuration new connections get.
    pub fn rustls_config(&self) -> Arc<ServerConfig> {
        self.config.clone()
    }
}

/// Reads the pair and builds the configuration this crate serves with.
fn config_from_files(cert: &Path, key: &Path) -> io::Result<ServerConfig> {
    let chain = read_chain(cert)?;
    let key_der = read_key(key)?;
    // The process default (see the module doc). rustls panics here only
    // when an application enabled a second provider's feature without
    // installing one: its message says to call `install_default`.
    let builder = ServerConfig::builder().with_no_client_auth();
    let mut config = builder
        .with_single_cert(chain, key_der)
        .map_err(|e| invalid(format!("{} and {}: {e}", cert.display(), key.display())))?;
    // http/1.0 too, as nginx offers: `curl --http1.0` offers only that,
    // and rustls refuses a client whose list has nothing in common.
    config.alpn_protocols = vec![b"http/1.1".to_vec(), b"http/1.0".to_vec()];
    config.session_storage = rustls::server::ServerSessionMemoryCache::new(SESSION_CACHE_ENTRIES);
    config.ticketer = rustls::crypto::ring::Ticketer::new()
        .map_err(|e| io::Error::other(format!("TLS session tickets: {e}")))?;
    Ok(config)
}

fn read_chain(path: &Path) -> io::Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| pem_error(path, "certificate", e))?;
    if chain.is_empty() {
        return Err(invalid(format!(
            "{}: no PEM certificate in the file",
            path.display()
        )));
    }
    Ok(chain)
}

fn read_key(path: &Path) -> io::Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| pem_error(path, "private key", e))
}

fn pem_error(path: &Path, what: &str, e: rustls::pki_types::pem::Error) -> io::Error {
    use rustls::pki_types::pem::Error as Pem;
    match e {
        Pem::Io(e) => io::Error::new(e.kind(), format!("{}: {e}", path.display())),
        Pem::NoItemsFound => invalid(format!("{}: no PEM {what} in the file", path.display())),
        other => invalid(format!("{}: bad PEM {what}: {other}", path.display())),
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// The configuration new connections take, swapped by reloads. Shared by
/// the workers (a read lock per accepted connection, uncontended except
/// during a reload) and the reloaders.
#[derive(Default)]
pub(crate) struct TlsSlot {
    current: RwLock<Option<TlsConfig>>,
    /// Told the outcome of each reload by signal ([`crate::Server::on_tls_reload`]).
    on_reload: RwLock<Option<ReloadHook>>,
}

/// What [`crate::Server::on_tls_reload`] keeps.
pub(crate) type ReloadHook = Arc<dyn Fn(&io::Result<()>) + Send + Sync>;

impl TlsSlot {
    pub(crate) fn install(&self, tls: TlsConfig) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(tls);
    }

    /// The configuration for a connection accepted now, if TLS is on.
    pub(crate) fn current(&self) -> Option<Arc<ServerConfig>> {
        let guard = self.current.read().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().map(|t| t.config.clone())
    }

    pub(crate) fn set_reload_hook(&self, hook: ReloadHook) {
        *self.on_reload.write().unwrap_or_else(|p| p.into_inner()) = Some(hook);
    }

    fn reload_hook(&self) -> Option<ReloadHook> {
        let guard = self.on_reload.read().unwrap_or_else(|p| p.into_inner());
        guard.clone()
    }

    pub(crate) fn is_on(&self) -> bool {
        let guard = self.current.read().unwrap_or_else(|p| p.into_inner());
        guard.is_some()
    }

    /// Reads the files again; on any error the old pair stays.
    fn reload(&self) -> io::Result<()> {
        let files = {
            let guard = self.current.read().unwrap_or_else(|p| p.into_inner());
            match guard.as_ref() {
                None => return Err(io::Error::other("TLS is not configured")),
                Some(t) => t.files.clone(),
            }
        };
        let Some((cert, key)) = files else {
            return Err(io::Error::other(
                "the TLS configuration came from the application: nothing to read again",
            ));
        };
        let config = Arc::new(config_from_files(&cert, &key)?);
        self.install(TlsConfig {
            config,
            files: Some((cert, key)),
        });
        Ok(())
    }
}

/// Reloads a server's certificate from any thread: new connections use
/// the new configuration, connections already open keep theirs. Got from
/// [`crate::Server::tls_reloader`]; `SIGHUP` does the same in programs
/// that call [`crate::Server::shutdown_on_signals`].
#[derive(Clone)]
pub struct TlsReloader {
    pub(crate) slot: Arc<TlsSlot>,
}

impl fmt::Debug for TlsReloader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsReloader")
            .field("tls", &self.slot.is_on())
            .finish()
    }
}

impl TlsReloader {
    /// Reads the certificate and key files again. A pair that cannot be
    /// read, or whose key does not match, is refused with the reason, and
    /// the old one stays in use.
    pub fn reload(&self) -> io::Result<()> {
        self.slot.reload()
    }

    /// Replaces the configuration outright (for applications that build
    /// their own).
    pub fn set(&self, tls: TlsConfig) {
        self.slot.install(tls);
    }

    /// The reload `SIGHUP` asks for: its outcome goes to the
    /// application's hook, or else to the log.
    pub(crate) fn reload_and_log(&self) {
        if !self.slot.is_on() {
            log::info!("SIGHUP: no TLS configured, nothing to reload");
            return;
        }
        let outcome = self.reload();
        if let Some(hook) = self.slot.reload_hook() {
            // A panicking hook must not end the signal thread (no more
            // shutdowns by signal): it is the hook's own failure.
            let told = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(&outcome)));
            if told.is_err() {
                log::error!("the TLS reload hook panicked");
            }
            return;
        }
        match outcome {
            Ok(()) => log::info!("SIGHUP: TLS certificate reloaded"),
            Err(e) => log::error!("SIGHUP: TLS reload refused, keeping the old certificate: {e}"),
        }
    }
}
