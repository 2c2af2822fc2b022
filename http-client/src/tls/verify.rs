//! The server certificate check, and its failures in curl's words.
//!
//! `TrustVerifier` delegates to rustls' `WebPkiServerVerifier`, with one
//! exception: a server certificate that is byte for byte one of the
//! certificates given as trusted is accepted without building a chain,
//! its name and validity dates still checked. This is the self-signed
//! certificate that `openssl req -x509` makes for local use: it is marked
//! `CA:TRUE`, and webpki refuses a CA certificate as the server's own
//! (`CaUsedAsEndEntity`), while curl (OpenSSL) accepts it when it is given
//! with `--cacert`. The handshake signatures are always verified with the
//! provider's algorithms, so the server must hold the certificate's key.
//!
//! Under `-k` the same verifier accepts any certificate in the handshake
//! (the handshake signatures are still checked against the certificate's
//! key), while [`TrustVerifier::check`] still tells what the strict check
//! says (`%{ssl_verify_result}`).

use std::fmt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, Error, OtherError, SignatureScheme};

use super::config::webpki_verifier;

/// Why the server's certificate was refused, as curl (OpenSSL) says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyFailure {
    /// No trusted CA issued it.
    UnknownIssuer,
    /// A self-signed certificate that is not among the trusted ones.
    SelfSigned,
    /// Past its `notAfter` date.
    Expired,
    /// Before its `notBefore` date.
    NotYetValid,
    /// Issued for other names.
    WrongName {
        /// The name connected to.
        host: String,
        /// The names the certificate holds (subjectAltName).
        presented: Vec<String>,
    },
    /// Anything else (bad signature, bad encoding, wrong purpose, ...).
    Other(String),
}

impl VerifyFailure {
    /// OpenSSL's `X509_V_ERR_*` number, as `%{ssl_verify_result}` shows it
    /// (curl with OpenSSL): 20 unable to get local issuer certificate, 18
    /// self-signed, 10 expired, 9 not yet valid, and 1 (unspecified) for
    /// the rest, a wrong name included (curl 7.88 shows 1 there).
    pub fn ssl_verify_result(&self) -> i64 {
        match self {
            VerifyFailure::UnknownIssuer => 20,
            VerifyFailure::SelfSigned => 18,
            VerifyFailure::Expired => 10,
            VerifyFailure::NotYetValid => 9,
            VerifyFailure::WrongName { .. } | VerifyFailure::Other(_) => 1,
        }
    }

    /// OpenSSL's short text for the failure (what curl prints after
    /// `SSL certificate verify result:` under `-k`).
    pub fn reason(&self) -> String {
        match self {
            VerifyFailure::UnknownIssuer => "unable to get local issuer certificate".into(),
            VerifyFailure::SelfSigned => "self-signed certificate".into(),
            VerifyFailure::Expired => "certificate has expired".into(),
            VerifyFailure::NotYetValid => "certificate is not yet valid".into(),
            VerifyFailure::WrongName { .. } => "hostname mismatch".into(),
            VerifyFailure::Other(d) => d.clone(),
        }
    }

    /// Classifies a rustls certificate error; `host` is the name
    /// connected to (for the wrong-name message).
    pub fn from_certificate_error(e: &CertificateError, host: &str) -> VerifyFailure {
        match e {
            CertificateError::UnknownIssuer => VerifyFailure::UnknownIssuer,
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                VerifyFailure::Expired
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                VerifyFailure::NotYetValid
            }
            CertificateError::NotValidForName => VerifyFailure::WrongName {
                host: host.to_string(),
                presented: Vec::new(),
            },
            CertificateError::NotValidForNameContext {
                expected,
                presented,
            } => VerifyFailure::WrongName {
                host: server_name_str(expected),
                presented: presented.clone(),
            },
            CertificateError::BadSignature => {
                VerifyFailure::Other("certificate signature failure".into())
            }
            CertificateError::Other(OtherError(inner)) if inner.is::<SelfSignedCert>() => {
                VerifyFailure::SelfSigned
            }
            other => VerifyFailure::Other(other.to_string()),
        }
    }

    /// Classifies a rustls error, if it is about the certificate.
    pub fn from_rustls(e: &Error, host: &str) -> Option<VerifyFailure> {
        match e {
            Error::InvalidCertificate(ce) => Some(VerifyFailure::from_certificate_error(ce, host)),
            _ => None,
        }
    }
}

impl fmt::Display for VerifyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyFailure::WrongName { host, presented } => {
                write!(
                    f,
                    "SSL: no alternative certificate subject name matches target host name '{host}'"
                )?;
                if !presented.is_empty() {
                    write!(f, " (the certificate is for {})", presented.join(", "))?;
                }
                Ok(())
            }
            other => write!(f, "SSL certificate problem: {}", other.reason()),
        }
    }
}

/// The host part of a server name (`localhost`, `127.0.0.1`, `::1`).
pub fn server_name_str(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(d) => d.as_ref().to_string(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

/// Marker inside `CertificateError::Other`: a self-signed server
/// certificate that is not trusted.
#[derive(Debug)]
struct SelfSignedCert;

impl fmt::Display for SelfSignedCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("self-signed certificate")
    }
}

impl std::error::Error for SelfSignedCert {}

/// True when the certificate's issuer is its own subject.
fn is_self_issued(der: &[u8]) -> bool {
    match x509_parser::parse_x509_certificate(der) {
        Ok((_, cert)) => cert.subject().as_raw() == cert.issuer().as_raw(),
        Err(_) => false,
    }
}

/// The first moment `der` is valid (its `notBefore`), if it parses.
fn valid_from(der: &[u8]) -> Option<UnixTime> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let secs = u64::try_from(cert.validity().not_before.timestamp()).ok()?;
    Some(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        secs,
    )))
}

/// Checks the validity dates of `der` against `now`.
fn check_dates(der: &[u8], now: UnixTime) -> Result<(), Error> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let t = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let validity = cert.validity();
    let not_before = validity.not_before.timestamp();
    let not_after = validity.not_after.timestamp();
    let unix = |s: i64| UnixTime::since_unix_epoch(std::time::Duration::from_secs(s.max(0) as u64));
    if t < not_before {
        return Err(Error::InvalidCertificate(
            CertificateError::NotValidYetContext {
                time: now,
                not_before: unix(not_before),
            },
        ));
    }
    if t > not_after {
        return Err(Error::InvalidCertificate(
            CertificateError::ExpiredContext {
                time: now,
                not_after: unix(not_after),
            },
        ));
    }
    Ok(())
}

/// The verifier of every client: strict, or under `-k` (`insecure`)
/// accepting any certificate in the handshake.
pub(crate) struct TrustVerifier {
    /// webpki over the trust store; `None` when the store is empty.
    webpki: Option<Arc<WebPkiServerVerifier>>,
    /// The trusted certificates themselves, for the byte-for-byte rule.
    trusted: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
    /// `-k`: the handshake accepts any certificate.
    insecure: bool,
}

impl fmt::Debug for TrustVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TrustVerifier({} trusted{})",
            self.trusted.len(),
            if self.insecure { ", insecure" } else { "" }
        )
    }
}

impl TrustVerifier {
    /// A verifier trusting `roots`; with `insecure` (`-k`) the handshake
    /// accepts any certificate.
    pub(crate) fn new(
        roots: Vec<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
        insecure: bool,
    ) -> Self {
        TrustVerifier {
            webpki: webpki_verifier(&roots, Arc::clone(&provider)),
            trusted: roots,
            provider,
            insecure,
        }
    }

    /// webpki's verdict at `now`, an untrusted self-signed certificate
    /// named as such (as OpenSSL does).
    fn webpki_check(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let result = match &self.webpki {
            Some(v) => {
                v.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            None => Err(Error::InvalidCertificate(CertificateError::UnknownIssuer)),
        };
        match result {
            Err(Error::InvalidCertificate(
                CertificateError::UnknownIssuer | CertificateError::Other(_),
            )) if intermediates.is_empty() && is_self_issued(end_entity.as_ref()) => {
                Err(Error::InvalidCertificate(CertificateError::Other(
                    OtherError(Arc::new(SelfSignedCert)),
                )))
            }
            other => other,
        }
    }

    /// The strict check (also under `-k`), classified.
    pub(crate) fn check(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), VerifyFailure> {
        self.verify_strict(end_entity, intermediates, server_name, &[], now)
            .map(|_| ())
            .map_err(|e| {
                VerifyFailure::from_rustls(&e, &server_name_str(server_name))
                    .unwrap_or_else(|| VerifyFailure::Other(e.to_string()))
            })
    }

    /// The certificate check without `-k`: the byte-for-byte rule, else
    /// webpki, with failures ordered as OpenSSL orders them.
    fn verify_strict(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if self
            .trusted
            .iter()
            .any(|t| t.as_ref() == end_entity.as_ref())
        {
            // Given as trusted itself: no chain to build, but the name and
            // the dates must still hold.
            let parsed = ParsedCertificate::try_from(end_entity)?;
            rustls::client::verify_server_name(&parsed, server_name)?;
            check_dates(end_entity.as_ref(), now)?;
            return Ok(ServerCertVerified::assertion());
        }
        let result = self.webpki_check(end_entity, intermediates, server_name, ocsp_response, now);
        if let Err(Error::InvalidCertificate(
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. },
        )) = &result
        {
            // webpki looks at the dates first, OpenSSL builds the chain
            // first: an expired certificate from an unknown issuer is
            // "unable to get local issuer certificate" (20) in curl. Ask
            // again at a time the certificate was valid.
            if let Some(then) = valid_from(end_entity.as_ref()) {
                if let Err(
                    e @ Error::InvalidCertificate(
                        CertificateError::UnknownIssuer | CertificateError::Other(_),
                    ),
                ) =
                    self.webpki_check(end_entity, intermediates, server_name, ocsp_response, then)
                {
                    return Err(e);
                }
            }
        }
        result
    }
}

impl ServerCertVerifier for TrustVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if self.insecure {
            return Ok(ServerCertVerified::assertion());
        }
        self.verify_strict(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};
    use test_support::tls::{TestCa, TestPki, Validity};

    fn provider() -> Arc<CryptoProvider> {
        crate::tls::config::process_provider()
    }

    fn der(v: &[u8]) -> CertificateDer<'static> {
        CertificateDer::from(v.to_vec())
    }

    fn name(s: &str) -> ServerName<'static> {
        ServerName::try_from(s.to_string()).unwrap()
    }

    fn now() -> UnixTime {
        UnixTime::now()
    }

    #[test]
    fn good_certificate_for_both_names() {
        let pki = TestPki::new();
        let v = TrustVerifier::new(vec![der(&pki.ca.cert_der)], provider(), false);
        let ee = der(&pki.good.cert_der);
        assert_eq!(v.check(&ee, &[], &name("localhost"), now()), Ok(()));
        assert_eq!(v.check(&ee, &[], &name("127.0.0.1"), now()), Ok(()));
    }

    #[test]
    fn each_failure_is_classified() {
        let pki = TestPki::new();
        let v = TrustVerifier::new(vec![der(&pki.ca.cert_der)], provider(), false);
        let host = name("localhost");
        assert_eq!(
            v.check(&der(&pki.expired.cert_der), &[], &host, now()),
            Err(VerifyFailure::Expired)
        );
        assert_eq!(
            v.check(&der(&pki.not_yet_valid.cert_der), &[], &host, now()),
            Err(VerifyFailure::NotYetValid)
        );
        let wrong = v
            .check(&der(&pki.other_name.cert_der), &[], &host, now())
            .unwrap_err();
        match &wrong {
            VerifyFailure::WrongName { host, presented } => {
                assert_eq!(host, "localhost");
                assert!(
                    presented.iter().any(|p| p.contains("other.example")),
                    "{presented:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        let msg = wrong.to_string();
        assert!(msg.contains("target host name 'localhost'"), "{msg}");
        assert!(msg.contains("other.example"), "{msg}");
        assert_eq!(wrong.ssl_verify_result(), 1);

        let stranger = TestCa::new("another CA").issue(&["localhost"], Validity::Current);
        let e = v
            .check(&der(&stranger.cert_der), &[], &host, now())
            .unwrap_err();
        assert_eq!(e, VerifyFailure::UnknownIssuer);
        assert_eq!(
            e.to_string(),
            "SSL certificate problem: unable to get local issuer certificate"
        );
        // Untrusted self-signed: OpenSSL's "self-signed certificate" (18).
        let e = v
            .check(&der(&pki.self_signed.cert_der), &[], &host, now())
            .unwrap_err();
        assert_eq!(e, VerifyFailure::SelfSigned);
        assert_eq!(e.ssl_verify_result(), 18);
    }

    #[test]
    fn a_trusted_self_signed_ca_true_certificate_is_accepted_with_its_name_and_dates_checked() {
        let pki = TestPki::new();
        let ss = der(&pki.self_signed.cert_der);
        // webpki alone refuses it (CaUsedAsEndEntity): the reason for the rule.
        let plain = webpki_verifier(std::slice::from_ref(&ss), provider()).unwrap();
        assert!(plain
            .verify_server_cert(&ss, &[], &name("localhost"), &[], now())
            .is_err());
        let v = TrustVerifier::new(vec![der(&pki.ca.cert_der), ss.clone()], provider(), false);
        assert_eq!(v.check(&ss, &[], &name("localhost"), now()), Ok(()));
        assert_eq!(v.check(&ss, &[], &name("127.0.0.1"), now()), Ok(()));
        assert!(matches!(
            v.check(&ss, &[], &name("other.example"), now()),
            Err(VerifyFailure::WrongName { .. })
        ));
        let later = UnixTime::since_unix_epoch(
            SystemTime::UNIX_EPOCH
                .elapsed()
                .unwrap_or_default()
                .saturating_add(Duration::from_secs(3000 * 365 * 86400)),
        );
        assert_eq!(
            v.check(&ss, &[], &name("localhost"), later),
            Err(VerifyFailure::Expired)
        );
        let early = UnixTime::since_unix_epoch(Duration::from_secs(86400));
        assert_eq!(
            v.check(&ss, &[], &name("localhost"), early),
            Err(VerifyFailure::NotYetValid)
        );
    }

    #[test]
    fn an_unknown_issuer_comes_before_the_dates_as_in_openssl() {
        let pki = TestPki::new();
        let v = TrustVerifier::new(Vec::new(), provider(), false);
        for ee in [&pki.expired, &pki.not_yet_valid] {
            assert_eq!(
                v.check(&der(&ee.cert_der), &[], &name("localhost"), now()),
                Err(VerifyFailure::UnknownIssuer)
            );
        }
        let stranger = TestCa::new("another CA");
        let v = TrustVerifier::new(vec![der(&stranger.cert_der)], provider(), false);
        assert_eq!(
            v.check(&der(&pki.expired.cert_der), &[], &name("localhost"), now()),
            Err(VerifyFailure::UnknownIssuer)
        );
    }

    #[test]
    fn insecure_accepts_in_the_handshake_and_still_reports_the_strict_verdict() {
        let pki = TestPki::new();
        let v = TrustVerifier::new(Vec::new(), provider(), true);
        let ee = der(&pki.expired.cert_der);
        assert!(v
            .verify_server_cert(&ee, &[], &name("localhost"), &[], now())
            .is_ok());
        assert_eq!(
            v.check(&ee, &[], &name("localhost"), now()),
            Err(VerifyFailure::UnknownIssuer)
        );
    }

    #[test]
    fn an_empty_store_knows_no_issuer() {
        let pki = TestPki::new();
        let v = TrustVerifier::new(Vec::new(), provider(), false);
        assert_eq!(
            v.check(&der(&pki.good.cert_der), &[], &name("localhost"), now()),
            Err(VerifyFailure::UnknownIssuer)
        );
    }
}
