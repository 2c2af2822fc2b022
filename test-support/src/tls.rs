//! Test certificates made per test run (feature `tls`): a CA and the
//! certificates it issues, all ECDSA P-256, as PEM text. Nothing here is
//! committed to the repository; every run makes fresh keys.
//!
//! The cases the TLS tests need:
//! - [`TestPki::good`]: `localhost` and `127.0.0.1`, issued by the test CA;
//! - [`TestPki::expired`] and [`TestPki::not_yet_valid`]: the same names,
//!   with validity periods in the past and in the future;
//! - [`TestPki::other_name`]: issued for `other.example` only;
//! - [`TestPki::self_signed`]: what `openssl req -x509 -newkey ec ...
//!   -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"` makes: self-signed,
//!   `CA:TRUE`, with subject and authority key identifiers;
//! - [`TestPki::client`]: a client certificate (extended key usage
//!   clientAuth) issued by the test CA.
//!
//! Generation cannot fail for these fixed inputs, so failures panic with
//! the reason (this is test code).

use std::path::{Path, PathBuf};

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};

/// A certificate with its private key, both PEM.
#[derive(Clone, Debug)]
pub struct TestCert {
    /// The certificate, PEM (`-----BEGIN CERTIFICATE-----`).
    pub cert_pem: String,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// Its private key, PKCS#8 PEM.
    pub key_pem: String,
}

impl TestCert {
    /// Writes `NAME.crt` and `NAME.key` into `dir`; returns their paths.
    ///
    /// # Panics
    /// When the files cannot be written.
    pub fn write(&self, dir: &Path, name: &str) -> (PathBuf, PathBuf) {
        let cert = dir.join(format!("{name}.crt"));
        let key = dir.join(format!("{name}.key"));
        std::fs::write(&cert, &self.cert_pem).expect("write test certificate"); // ok: test code
        std::fs::write(&key, &self.key_pem).expect("write test key"); // ok: test code
        (cert, key)
    }
}

/// Validity period of an issued certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    /// From 2020 to 4000: valid for any test run.
    Current,
    /// 2000 to 2001: expired.
    Past,
    /// 3000 to 3001: not yet valid.
    Future,
}

fn apply_validity(params: &mut CertificateParams, validity: Validity) {
    let (from, to) = match validity {
        Validity::Current => (2020, 4000),
        Validity::Past => (2000, 2001),
        Validity::Future => (3000, 3001),
    };
    params.not_before = date_time_ymd(from, 1, 1);
    params.not_after = date_time_ymd(to, 1, 1);
}

fn p256_key() -> KeyPair {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("generate a P-256 key")
    // ok: test code
}

/// A certificate authority made for one test run.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    /// The CA's own certificate, PEM: what a client is given as trusted.
    pub cert_pem: String,
    /// The CA's certificate, DER.
    pub cert_der: Vec<u8>,
}

impl TestCa {
    /// A new CA whose subject is `CN=<common_name>, O=http-client tests`.
    ///
    /// # Panics
    /// When rcgen refuses the parameters (it does not for these).
    pub fn new(common_name: &str) -> TestCa {
        let key = p256_key();
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::OrganizationName, "http-client tests");
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        apply_validity(&mut params, Validity::Current);
        let cert = params.self_signed(&key).expect("self-sign the test CA"); // ok: test code
        TestCa {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate for `names` (DNS names or IP literals), with
    /// `CN=<first name>`, extended key usage serverAuth.
    ///
    /// # Panics
    /// When a name is neither a DNS name nor an IP literal.
    pub fn issue(&self, names: &[&str], validity: Validity) -> TestCert {
        self.issue_with(
            names,
            names.first().copied(),
            validity,
            ExtendedKeyUsagePurpose::ServerAuth,
        )
    }

    /// A client certificate with `CN=<common_name>`, extended key usage
    /// clientAuth.
    pub fn issue_client(&self, common_name: &str) -> TestCert {
        self.issue_with(
            &[],
            Some(common_name),
            Validity::Current,
            ExtendedKeyUsagePurpose::ClientAuth,
        )
    }

    fn issue_with(
        &self,
        names: &[&str],
        common_name: Option<&str>,
        validity: Validity,
        purpose: ExtendedKeyUsagePurpose,
    ) -> TestCert {
        let key = p256_key();
        let owned: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(owned).expect("valid certificate names"); // ok: test code
        params.distinguished_name = rcgen::DistinguishedName::new();
        if let Some(cn) = common_name {
            params.distinguished_name.push(DnType::CommonName, cn);
        }
        params.extended_key_usages = vec![purpose];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.use_authority_key_identifier_extension = true;
        apply_validity(&mut params, validity);
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("sign the certificate"); // ok: test code
        TestCert {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            key_pem: key.serialize_pem(),
        }
    }
}

/// A self-signed certificate as `openssl req -x509` makes it for local
/// use: `CA:TRUE` (critical), subject and authority key identifiers, no key
/// usage, subject `CN=<first name>`, the names as subjectAltName.
///
/// # Panics
/// When a name is neither a DNS name nor an IP literal.
pub fn self_signed_dev_cert(names: &[&str]) -> TestCert {
    let key = p256_key();
    let owned: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut params = CertificateParams::new(owned).expect("valid certificate names"); // ok: test code
    params.distinguished_name = rcgen::DistinguishedName::new();
    if let Some(first) = names.first() {
        params.distinguished_name.push(DnType::CommonName, *first);
    }
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.use_authority_key_identifier_extension = true;
    apply_validity(&mut params, Validity::Current);
    let cert = params
        .self_signed(&key)
        .expect("self-sign the dev certificate"); // ok: test code
    TestCert {
        cert_pem: cert.pem(),
        cert_der: cert.der().to_vec(),
        key_pem: key.serialize_pem(),
    }
}

/// Every certificate case of the TLS tests, from one test CA.
pub struct TestPki {
    /// The CA (`CN=http-client test CA`).
    pub ca: TestCa,
    /// `localhost` and `127.0.0.1`, valid now.
    pub good: TestCert,
    /// `localhost` and `127.0.0.1`, expired in 2001.
    pub expired: TestCert,
    /// `localhost` and `127.0.0.1`, valid from 3000.
    pub not_yet_valid: TestCert,
    /// `other.example` only.
    pub other_name: TestCert,
    /// Self-signed `CA:TRUE` for `localhost` and `127.0.0.1`.
    pub self_signed: TestCert,
    /// A client certificate `CN=test client`.
    pub client: TestCert,
}

impl TestPki {
    /// Makes every case (a few milliseconds: P-256 keys are cheap).
    pub fn new() -> TestPki {
        let ca = TestCa::new("http-client test CA");
        let names = ["localhost", "127.0.0.1"];
        TestPki {
            good: ca.issue(&names, Validity::Current),
            expired: ca.issue(&names, Validity::Past),
            not_yet_valid: ca.issue(&names, Validity::Future),
            other_name: ca.issue(&["other.example"], Validity::Current),
            self_signed: self_signed_dev_cert(&names),
            client: ca.issue_client("test client"),
            ca,
        }
    }

    /// Writes the CA as `ca.crt` and every case as `NAME.crt`/`NAME.key`
    /// into `dir` (good, expired, not_yet_valid, other_name, self_signed,
    /// client); returns the CA's path.
    ///
    /// # Panics
    /// When a file cannot be written.
    pub fn write_all(&self, dir: &Path) -> PathBuf {
        let ca = dir.join("ca.crt");
        std::fs::write(&ca, &self.ca.cert_pem).expect("write the test CA"); // ok: test code
        for (name, cert) in [
            ("good", &self.good),
            ("expired", &self.expired),
            ("not_yet_valid", &self.not_yet_valid),
            ("other_name", &self.other_name),
            ("self_signed", &self.self_signed),
            ("client", &self.client),
        ] {
            cert.write(dir, name);
        }
        ca
    }
}

impl Default for TestPki {
    fn default() -> Self {
        TestPki::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_is_pem_and_distinct() {
        let pki = TestPki::new();
        let all = [
            &pki.good,
            &pki.expired,
            &pki.not_yet_valid,
            &pki.other_name,
            &pki.self_signed,
            &pki.client,
        ];
        for c in all {
            assert!(c.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
            assert!(c.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        }
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.cert_der, b.cert_der);
            }
        }
        let dir = std::env::temp_dir().join(format!("test-support-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = pki.write_all(&dir);
        assert!(ca.is_file() && dir.join("self_signed.key").is_file());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
