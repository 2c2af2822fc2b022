//! Certificates, keys and trust stores read from files: PEM bundles, the
//! hashed CA directory, the client identity, and the trust store in
//! curl's order (see `config.rs` for the rules). Errors say which file and
//! why, in the words the caller turns into curl's messages.

use std::fs;
use std::path::{Path, PathBuf};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::config::{
    TlsOptions, TrustSource, SYSTEM_CA_BUNDLE, SYSTEM_CA_DIR, SYSTEM_DIR, SYSTEM_FILE,
};
use super::TlsError;

/// The certificates to trust, in curl's order (see the module docs).
pub(super) fn load_trust(
    opts: &TlsOptions,
) -> Result<(Vec<CertificateDer<'static>>, TrustSource), TlsError> {
    let system_bundle = opts
        .system_bundle
        .clone()
        .unwrap_or_else(|| PathBuf::from(SYSTEM_CA_BUNDLE));
    let system_dir = opts
        .system_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(SYSTEM_CA_DIR));
    // curl keeps a CA file and a CA path, each set or left at its default
    // on its own (`curl -v --cacert X` shows `CApath: /etc/ssl/certs`).
    let file: Option<(&'static str, PathBuf)> = if let Some(p) = &opts.ca_file {
        Some(("--cacert", p.clone()))
    } else if let Some(p) = &opts.curl_ca_bundle {
        Some(("CURL_CA_BUNDLE", p.clone()))
    } else if let Some(p) = &opts.ssl_cert_file {
        Some(("SSL_CERT_FILE", p.clone()))
    } else if system_bundle.is_file() {
        Some((SYSTEM_FILE, system_bundle))
    } else {
        None
    };
    let dir: Option<(&'static str, PathBuf)> = if let Some(p) = &opts.ca_dir {
        Some(("--capath", p.clone()))
    } else if let Some(p) = &opts.ssl_cert_dir {
        Some(("SSL_CERT_DIR", p.clone()))
    } else if system_dir.is_dir() {
        Some((SYSTEM_DIR, system_dir))
    } else {
        None
    };
    let system = |src: &Option<(&'static str, PathBuf)>, name: &str| {
        src.as_ref().is_some_and(|(what, _)| *what == name)
    };
    // Debian's update-ca-certificates writes the same certificates to the
    // bundle and to the hashed directory: with both at their defaults,
    // reading the bundle is enough.
    let read_dir = !(system(&file, SYSTEM_FILE) && system(&dir, SYSTEM_DIR));
    let mut certs = Vec::new();
    if let Some((what, path)) = &file {
        match read_pem_certs(path) {
            Ok(found) if found.is_empty() => {
                return Err(TlsError::CaStore {
                    what,
                    path: path.clone(),
                    reason: "no PEM certificate in it".into(),
                })
            }
            Ok(found) => certs.extend(found),
            Err(reason) => {
                return Err(TlsError::CaStore {
                    what,
                    path: path.clone(),
                    reason,
                })
            }
        }
    }
    if let Some((what, path)) = dir.as_ref().filter(|_| read_dir) {
        match read_pem_dir(path) {
            Ok(found) => certs.extend(found),
            Err(_) if *what == SYSTEM_DIR => {}
            Err(reason) => {
                return Err(TlsError::CaStore {
                    what,
                    path: path.clone(),
                    reason,
                })
            }
        }
    }
    let count = certs.len();
    Ok((certs, TrustSource { file, dir, count }))
}

/// Every certificate of a PEM file (other PEM sections are skipped).
pub fn read_pem_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let bytes = fs::read(path).map_err(|e| e.to_string())?;
    CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("bad PEM: {e}"))
}

/// True for OpenSSL's hashed names: eight hex digits, a dot, a number.
pub(super) fn is_hashed_name(name: &str) -> bool {
    let Some((hash, n)) = name.split_once('.') else {
        return false;
    };
    hash.len() == 8
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
}

/// The certificates of a CA directory: the files with OpenSSL's hashed
/// names (what OpenSSL, and so curl, looks at), or, in a directory that
/// has none (never `c_rehash`ed), every `*.pem` and `*.crt` file. Files
/// that do not parse are skipped, as OpenSSL skips them.
pub fn read_pem_dir(dir: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let entries = fs::read_dir(dir).map_err(|e| e.to_string())?;
    let mut names: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        names.push(entry.path());
    }
    names.sort();
    let file_name = |p: &PathBuf| {
        p.file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned)
            .unwrap_or_default()
    };
    let hashed: Vec<&PathBuf> = names
        .iter()
        .filter(|p| is_hashed_name(&file_name(p)))
        .collect();
    let chosen: Vec<&PathBuf> = if hashed.is_empty() {
        names
            .iter()
            .filter(|p| {
                let n = file_name(p);
                n.ends_with(".pem") || n.ends_with(".crt")
            })
            .collect()
    } else {
        hashed
    };
    let mut certs = Vec::new();
    for p in chosen {
        match read_pem_certs(p) {
            Ok(found) => certs.extend(found),
            Err(e) => log::debug!("CA path: skipping {}: {e}", p.display()),
        }
    }
    Ok(certs)
}

/// The client certificate chain and its key.
pub(super) fn load_client_identity(
    cert_path: &Path,
    key_path: &Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    let chain = read_pem_certs(cert_path).map_err(|reason| TlsError::ClientCert {
        path: cert_path.to_path_buf(),
        reason,
    })?;
    if chain.is_empty() {
        return Err(TlsError::ClientCert {
            path: cert_path.to_path_buf(),
            reason: "no PEM certificate in it".into(),
        });
    }
    let bytes = fs::read(key_path).map_err(|e| TlsError::ClientCert {
        path: key_path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let key = PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| TlsError::ClientCert {
        path: key_path.to_path_buf(),
        reason: format!("no usable private key: {e}"),
    })?;
    Ok((chain, key))
}
