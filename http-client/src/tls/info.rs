//! What `fetch -v` prints about TLS, in curl's (OpenSSL backend) words,
//! and `%{ssl_verify_result}`.
//!
//! Before the handshake ([`before_handshake`]):
//! ```text
//! * ALPN: offers http/1.1
//! *  CAfile: /etc/ssl/certs/ca-certificates.crt
//! *  CApath: /etc/ssl/certs
//! ```
//! After it ([`SessionInfo::lines`]):
//! ```text
//! * SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384
//! * ALPN: server accepted http/1.1
//! * Server certificate:
//! *  subject: CN=localhost
//! *  start date: Jan  1 00:00:00 2020 GMT
//! *  expire date: Jan  1 00:00:00 4000 GMT
//! *  subjectAltName: host "localhost" matched cert's "localhost"
//! *  issuer: O=http-client tests; CN=http-client test CA
//! *  SSL certificate verify ok.
//! ```
//! The lines are returned without curl's `* ` prefix (the trace adds it).

use rustls::{CipherSuite, ClientConnection, HandshakeKind, ProtocolVersion};
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{X509Certificate, X509Name};

use super::config::ALPN_HTTP11;
use super::verify::VerifyFailure;
use super::TlsConfig;

/// The lines curl prints before its ClientHello.
pub fn before_handshake(config: &TlsConfig) -> Vec<String> {
    let mut out = Vec::new();
    if !config.client_config().alpn_protocols.is_empty() {
        out.push(format!(
            "ALPN: offers {}",
            String::from_utf8_lossy(ALPN_HTTP11)
        ));
    }
    out.extend(config.warnings().iter().cloned());
    if config.insecure() {
        // curl names no CA file or path when it does not verify.
        return out;
    }
    let trust = config.trust();
    let show = |p: &Option<(&'static str, std::path::PathBuf)>| {
        p.as_ref()
            .map_or_else(|| "none".to_string(), |(_, p)| p.display().to_string())
    };
    out.push(format!(" CAfile: {}", show(&trust.file)));
    out.push(format!(" CApath: {}", show(&trust.dir)));
    out
}

/// The server certificate's fields that `-v` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSummary {
    /// `CN=localhost` (OpenSSL's one-line form, `; ` between parts).
    pub subject: String,
    /// The issuer, in the same form.
    pub issuer: String,
    /// `Jan  1 00:00:00 2020 GMT`.
    pub start_date: String,
    /// `Jan  1 00:00:00 4000 GMT`.
    pub expire_date: String,
    /// The subjectAltName DNS names.
    pub dns_names: Vec<String>,
    /// The subjectAltName IP addresses.
    pub ip_addresses: Vec<std::net::IpAddr>,
}

impl CertSummary {
    /// Parses a DER certificate; `None` when it does not parse.
    pub fn parse(der: &[u8]) -> Option<CertSummary> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        Some(CertSummary::of(&cert))
    }

    fn of(cert: &X509Certificate<'_>) -> CertSummary {
        let mut dns_names = Vec::new();
        let mut ip_addresses = Vec::new();
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            for g in &san.value.general_names {
                match g {
                    GeneralName::DNSName(d) => dns_names.push(d.to_string()),
                    GeneralName::IPAddress(b) => {
                        if let Ok(v4) = <[u8; 4]>::try_from(*b) {
                            ip_addresses.push(std::net::IpAddr::from(v4));
                        } else if let Ok(v6) = <[u8; 16]>::try_from(*b) {
                            ip_addresses.push(std::net::IpAddr::from(v6));
                        }
                    }
                    _ => {}
                }
            }
        }
        let v = cert.validity();
        CertSummary {
            subject: one_line_name(cert.subject()),
            issuer: one_line_name(cert.issuer()),
            start_date: openssl_date(v.not_before.timestamp()),
            expire_date: openssl_date(v.not_after.timestamp()),
            dns_names,
            ip_addresses,
        }
    }

    /// curl's subjectAltName line for `host`, or `None` when no name
    /// matches (the handshake would have failed, unless `-k`).
    pub fn san_line(&self, host: &str) -> Option<String> {
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            return self
                .ip_addresses
                .contains(&ip)
                .then(|| format!("subjectAltName: host \"{host}\" matched cert's IP address!"));
        }
        self.dns_names
            .iter()
            .find(|n| dns_name_matches(n, host))
            .map(|n| format!("subjectAltName: host \"{host}\" matched cert's \"{n}\""))
    }
}

/// A DNS name of a certificate against `host`: equal ignoring case, or a
/// `*.` wildcard standing for exactly one leftmost label.
fn dns_name_matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.');
    let pattern = pattern.trim_end_matches('.');
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    match (pattern.strip_prefix("*."), host.split_once('.')) {
        (Some(rest), Some((label, host_rest))) => {
            !label.is_empty() && rest.eq_ignore_ascii_case(host_rest)
        }
        _ => false,
    }
}

/// OpenSSL's one-line form of a name, as curl prints it:
/// `C=US; O=Example; CN=example.com`.
pub fn one_line_name(name: &X509Name<'_>) -> String {
    let registry = x509_parser::objects::oid_registry();
    let mut parts = Vec::new();
    for rdn in name.iter_rdn() {
        let attrs: Vec<String> = rdn
            .iter()
            .map(|a| {
                let key = x509_parser::objects::oid2abbrev(a.attr_type(), registry)
                    .map(str::to_string)
                    .unwrap_or_else(|_| a.attr_type().to_id_string());
                let value = a
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|_| String::from_utf8_lossy(a.as_slice()).into_owned());
                format!("{key}={value}")
            })
            .collect();
        parts.push(attrs.join(" + "));
    }
    parts.join("; ")
}

/// A Unix time as OpenSSL's `ASN1_TIME_print` shows it:
/// `Jan  1 00:00:00 2020 GMT` (day padded with a space).
pub fn openssl_date(unix: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let month = MONTHS
        .get(usize::try_from(m - 1).unwrap_or(0))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{month} {d:>2} {:02}:{:02}:{:02} {y} GMT",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31), proleptic
/// Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// OpenSSL's name of a cipher suite (curl prints these):
/// `TLS_AES_256_GCM_SHA384`, `ECDHE-ECDSA-AES128-GCM-SHA256`.
pub fn openssl_suite_name(suite: CipherSuite) -> String {
    let known = match suite {
        CipherSuite::TLS13_AES_128_GCM_SHA256 => "TLS_AES_128_GCM_SHA256",
        CipherSuite::TLS13_AES_256_GCM_SHA384 => "TLS_AES_256_GCM_SHA384",
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256 => "TLS_CHACHA20_POLY1305_SHA256",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => {
            "ECDHE-ECDSA-CHACHA20-POLY1305"
        }
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => "ECDHE-RSA-AES128-GCM-SHA256",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => "ECDHE-RSA-AES256-GCM-SHA384",
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => "ECDHE-RSA-CHACHA20-POLY1305",
        other => return format!("{other:?}"),
    };
    known.to_string()
}

/// `TLSv1.3`, `TLSv1.2`.
pub fn version_name(v: ProtocolVersion) -> String {
    match v {
        ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        other => format!("{other:?}"),
    }
}

/// What one finished handshake negotiated, and how its certificate fared.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// `TLSv1.3`.
    pub version: Option<String>,
    /// OpenSSL's suite name.
    pub cipher_suite: Option<String>,
    /// The protocol the server chose with ALPN (`http/1.1`), if any.
    pub alpn: Option<Vec<u8>>,
    /// True when the session was resumed.
    pub resumed: bool,
    /// The server (end-entity) certificate's fields.
    pub certificate: Option<CertSummary>,
    /// The host verified against.
    pub host: String,
    /// True with `-k`.
    pub insecure: bool,
    /// The strict verification's outcome (computed also under `-k`).
    pub verify: Result<(), VerifyFailure>,
}

impl SessionInfo {
    /// Reads the session's facts from a finished handshake.
    pub fn of(
        tls: &ClientConnection,
        host: &str,
        insecure: bool,
        verify: Result<(), VerifyFailure>,
    ) -> SessionInfo {
        SessionInfo {
            version: tls.protocol_version().map(version_name),
            cipher_suite: tls
                .negotiated_cipher_suite()
                .map(|s| openssl_suite_name(s.suite())),
            alpn: tls.alpn_protocol().map(<[u8]>::to_vec),
            resumed: tls.handshake_kind() == Some(HandshakeKind::Resumed),
            certificate: tls
                .peer_certificates()
                .and_then(|c| c.first())
                .and_then(|c| CertSummary::parse(c.as_ref())),
            host: host.to_string(),
            insecure,
            verify,
        }
    }

    /// `%{ssl_verify_result}`: 0 when the certificate verified, else
    /// OpenSSL's `X509_V_ERR_*` number.
    pub fn ssl_verify_result(&self) -> i64 {
        match &self.verify {
            Ok(()) => 0,
            Err(f) => f.ssl_verify_result(),
        }
    }

    /// The `-v` lines after the handshake, without curl's `* ` prefix.
    pub fn lines(&self) -> Vec<String> {
        self.lines_for("Server", true)
    }

    /// The same lines for the session to an HTTPS proxy, which was offered
    /// no ALPN ([`crate::tls::TlsConfig::for_proxy`]): no ALPN line, and
    /// `Proxy certificate:`, as curl prints them.
    pub fn proxy_lines(&self) -> Vec<String> {
        self.lines_for("Proxy", false)
    }

    fn lines_for(&self, role: &str, alpn_offered: bool) -> Vec<String> {
        let mut out = Vec::new();
        if self.resumed {
            out.push("SSL reusing session ID".to_string());
        }
        out.push(format!(
            "SSL connection using {} / {}",
            self.version.as_deref().unwrap_or("unknown"),
            self.cipher_suite.as_deref().unwrap_or("unknown")
        ));
        match &self.alpn {
            Some(p) => out.push(format!(
                "ALPN: server accepted {}",
                String::from_utf8_lossy(p)
            )),
            None if alpn_offered => {
                out.push("ALPN: server did not agree on a protocol. Uses default.".into());
            }
            None => {}
        }
        if let Some(c) = &self.certificate {
            out.push(format!("{role} certificate:"));
            out.push(format!(" subject: {}", c.subject));
            out.push(format!(" start date: {}", c.start_date));
            out.push(format!(" expire date: {}", c.expire_date));
            if !self.insecure {
                if let Some(l) = c.san_line(&self.host) {
                    out.push(format!(" {l}"));
                }
            }
            out.push(format!(" issuer: {}", c.issuer));
        }
        match &self.verify {
            Ok(()) => out.push(" SSL certificate verify ok.".into()),
            Err(f) => out.push(format!(
                " SSL certificate verify result: {} ({}), continuing anyway.",
                f.reason(),
                f.ssl_verify_result()
            )),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_support::tls::TestPki;

    #[test]
    fn dates_as_openssl_prints_them() {
        assert_eq!(openssl_date(0), "Jan  1 00:00:00 1970 GMT");
        assert_eq!(openssl_date(1_700_000_000), "Nov 14 22:13:20 2023 GMT");
        assert_eq!(openssl_date(951_782_400), "Feb 29 00:00:00 2000 GMT");
        assert_eq!(openssl_date(-86_400), "Dec 31 00:00:00 1969 GMT");
    }

    #[test]
    fn certificate_fields_and_the_matched_name() {
        let pki = TestPki::new();
        let c = CertSummary::parse(&pki.good.cert_der).unwrap();
        assert_eq!(c.subject, "CN=localhost");
        assert_eq!(c.issuer, "O=http-client tests; CN=http-client test CA");
        assert_eq!(c.start_date, "Jan  1 00:00:00 2020 GMT");
        assert_eq!(c.expire_date, "Jan  1 00:00:00 4000 GMT");
        assert_eq!(
            c.san_line("localhost").as_deref(),
            Some("subjectAltName: host \"localhost\" matched cert's \"localhost\"")
        );
        assert_eq!(
            c.san_line("127.0.0.1").as_deref(),
            Some("subjectAltName: host \"127.0.0.1\" matched cert's IP address!")
        );
        assert_eq!(c.san_line("other.example"), None);
        assert!(dns_name_matches("*.example.com", "www.example.com"));
        assert!(!dns_name_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_name_matches("*.example.com", "example.com"));
    }

    #[test]
    fn suite_and_version_names_are_openssls() {
        assert_eq!(
            openssl_suite_name(CipherSuite::TLS13_AES_256_GCM_SHA384),
            "TLS_AES_256_GCM_SHA384"
        );
        assert_eq!(
            openssl_suite_name(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384),
            "ECDHE-ECDSA-AES256-GCM-SHA384"
        );
        assert_eq!(version_name(ProtocolVersion::TLSv1_2), "TLSv1.2");
    }

    #[test]
    fn before_the_handshake_alpn_and_the_trust_store() {
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki::new();
        let ca = pki.write_all(dir.path());
        let opts = crate::tls::TlsOptions {
            ca_file: Some(ca.clone()),
            system_bundle: Some(dir.path().join("none.crt")),
            system_dir: Some(dir.path().join("none")),
            ..Default::default()
        };
        let config = TlsConfig::new(&opts).unwrap();
        assert_eq!(
            before_handshake(&config),
            [
                "ALPN: offers http/1.1".to_string(),
                format!(" CAfile: {}", ca.display()),
                " CApath: none".to_string(),
            ]
        );
        let insecure = TlsConfig::new(&crate::tls::TlsOptions {
            insecure: true,
            ..opts
        })
        .unwrap();
        assert_eq!(before_handshake(&insecure), ["ALPN: offers http/1.1"]);
    }

    #[test]
    fn lines_in_curls_order() {
        let pki = TestPki::new();
        let info = SessionInfo {
            version: Some("TLSv1.3".into()),
            cipher_suite: Some("TLS_AES_256_GCM_SHA384".into()),
            alpn: Some(b"http/1.1".to_vec()),
            resumed: false,
            certificate: CertSummary::parse(&pki.good.cert_der),
            host: "localhost".into(),
            insecure: false,
            verify: Ok(()),
        };
        assert_eq!(info.ssl_verify_result(), 0);
        assert_eq!(
            info.lines(),
            [
                "SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384",
                "ALPN: server accepted http/1.1",
                "Server certificate:",
                " subject: CN=localhost",
                " start date: Jan  1 00:00:00 2020 GMT",
                " expire date: Jan  1 00:00:00 4000 GMT",
                " subjectAltName: host \"localhost\" matched cert's \"localhost\"",
                " issuer: O=http-client tests; CN=http-client test CA",
                " SSL certificate verify ok.",
            ]
        );
        assert_eq!(info.proxy_lines()[2], "Proxy certificate:");
        let proxy = SessionInfo {
            alpn: None,
            ..info.clone()
        };
        assert_eq!(proxy.proxy_lines()[1], "Proxy certificate:");
        let insecure = SessionInfo {
            insecure: true,
            verify: Err(VerifyFailure::UnknownIssuer),
            alpn: None,
            ..info
        };
        assert_eq!(insecure.ssl_verify_result(), 20);
        let l = insecure.lines();
        assert_eq!(
            l[1],
            "ALPN: server did not agree on a protocol. Uses default."
        );
        assert!(!l.iter().any(|x| x.contains("subjectAltName")));
        assert_eq!(
            l.last().map(String::as_str),
            Some(" SSL certificate verify result: unable to get local issuer certificate (20), continuing anyway.")
        );
    }
}
