//! The checks on flag combinations and values that clap cannot make, and
//! the TLS settings the flags make (apart from [`Cli`] itself, so that
//! neither file grows too long).

use std::time::Duration;

use brisk_client::tls::{TlsOptions, TlsVersion};

use crate::cli::Cli;
use crate::exit::{self, Failure};

impl Cli {
    /// The checks on flag combinations that clap cannot make; `has_data`:
    /// `-d` or `--data-binary` gave a body.
    pub fn check_combinations(&self, has_data: bool) -> Result<(), Failure> {
        if has_data && !self.form_args.is_empty() {
            return Err(Failure::new(
                exit::USAGE,
                "You can only select one HTTP request method! You asked for both POST (-d, --data) and multipart formpost (-F, --form).",
            ));
        }
        if self.head && has_data && !self.get {
            return Err(Failure::new(
                exit::USAGE,
                "You can only select one HTTP request method! You asked for both POST (-d) and HEAD (-I).",
            ));
        }
        if self.max_redirs < -1 {
            return Err(Failure::new(
                exit::USAGE,
                "option --max-redirs: expected a proper numerical parameter",
            ));
        }
        Ok(())
    }

    /// The TLS settings: curl's environment (`CURL_CA_BUNDLE`,
    /// `SSL_CERT_FILE`, `SSL_CERT_DIR`) with the flags on top.
    pub fn tls_options(&self) -> Result<TlsOptions, Failure> {
        let mut o = TlsOptions::from_curl_env();
        o.insecure = self.insecure;
        if self.cacert.is_some() {
            o.ca_file.clone_from(&self.cacert);
        }
        if self.capath.is_some() {
            o.ca_dir.clone_from(&self.capath);
        }
        o.client_cert.clone_from(&self.cert);
        o.client_key.clone_from(&self.key);
        if self.tlsv1_3 {
            o.min_version = Some(TlsVersion::Tls13);
        } else if self.tlsv1_2 {
            o.min_version = Some(TlsVersion::Tls12);
        }
        if let Some(v) = &self.tls_max {
            o.max_version = TlsVersion::parse_max(v)
                .map_err(|e| Failure::new(exit::USAGE, format!("--tls-max: {e}")))?;
        }
        Ok(o)
    }
}

impl Cli {
    /// The TLS settings for an HTTPS proxy, as curl's tool sets them:
    /// `--proxy-cacert` else the system bundle (`CURL_CA_BUNDLE` and
    /// `SSL_CERT_FILE` are for the server only), `--proxy-capath` else
    /// `--capath` else the system directory, `--proxy-insecure`. Versions
    /// and client certificates stay the defaults.
    pub fn proxy_tls_options(&self) -> TlsOptions {
        TlsOptions {
            ca_file: self.proxy_cacert.clone(),
            ca_dir: self.proxy_capath.clone().or_else(|| self.capath.clone()),
            insecure: self.proxy_insecure,
            key_log: TlsOptions::from_curl_env().key_log,
            ..TlsOptions::default()
        }
    }
}

/// A `--connect-timeout` or `--max-time` value: absent or 0 is no limit.
pub fn parse_secs(v: Option<f64>, flag: &str) -> Result<Option<Duration>, Failure> {
    match v {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 => Ok(Some(Duration::from_secs_f64(s))),
        // curl: 0 means no limit.
        Some(0.0) => Ok(None),
        Some(_) => Err(Failure::new(
            exit::USAGE,
            format!("{flag}: expected a positive number of seconds"),
        )),
    }
}
