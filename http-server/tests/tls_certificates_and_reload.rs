//! Certificates: PEM pairs of every key type load (ECDSA, RSA, Ed25519,
//! made by `openssl`), broken pairs are refused with the file and the
//! reason, an application's own rustls config (client authentication)
//! works, and a reload swaps the certificate for new connections while
//! open ones keep theirs.
mod common;
use brisk_server::rustls::{self, pki_types::CertificateDer};
use brisk_server::{Request, Response, StatusCode, TlsConfig};
use common::tls::*;
use common::*;
use std::io::{BufReader, Write};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

fn hello(_: &Request) -> Response {
    Response::text(StatusCode::OK, "hello\n")
}

/// `openssl req -x509` with a key of `algorithm` for localhost; returns
/// (cert, key) paths.
fn openssl_pair(dir: &Path, name: &str, key_args: &[&str]) -> (String, String) {
    let cert = dir.join(format!("{name}.crt")).display().to_string();
    let key = dir.join(format!("{name}.key")).display().to_string();
    let mut cmd = Command::new("openssl");
    cmd.args([
        "req",
        "-x509",
        "-nodes",
        "-days",
        "30",
        "-subj",
        "/CN=localhost",
    ])
    .args(key_args)
    .args(["-keyout", &key, "-out", &cert])
    .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]);
    let (ok, _, err) = run_bounded(&mut cmd, Duration::from_secs(30));
    assert!(ok, "openssl req: {err}");
    (cert, key)
}

fn curl_get(port: u16, ca: &str) -> (bool, String, String) {
    let url = format!("https://localhost:{port}/");
    run_bounded(
        Command::new("curl").args(["-sv", "--max-time", "10", "--cacert", ca, &url]),
        Duration::from_secs(15),
    )
}

#[test]
fn ecdsa_rsa_and_ed25519_pairs_from_openssl_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 3] = [
        (
            "ecdsa",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
        ),
        ("rsa", &["-newkey", "rsa:2048"]),
        ("ed25519", &["-newkey", "ed25519"]),
    ];
    for (name, key_args) in cases {
        let (cert, key) = openssl_pair(dir.path(), name, key_args);
        let tls = TlsConfig::from_pem_files(&cert, &key).unwrap_or_else(|e| panic!("{name}: {e}"));
        let server = serve(|s| s.tls(tls), hello);
        let (ok, out, err) = curl_get(server.addr.port(), &cert);
        assert!(ok, "{name}: curl failed: {err}");
        assert_eq!(out, "hello\n", "{name}");
    }
    // The traditional RSA key format too (PKCS#1, `openssl rsa -traditional`).
    let (cert, key) = openssl_pair(dir.path(), "rsa1", &["-newkey", "rsa:2048"]);
    let pkcs1 = dir.path().join("rsa1.pkcs1.key");
    let (ok, _, err) = run_bounded(
        Command::new("openssl")
            .args(["rsa", "-traditional", "-in", &key, "-out"])
            .arg(&pkcs1),
        Duration::from_secs(30),
    );
    assert!(ok, "openssl rsa: {err}");
    TlsConfig::from_pem_files(&cert, &pkcs1).expect("a PKCS#1 RSA key");
}

#[test]
fn broken_pairs_are_refused_with_the_file_and_the_reason() {
    let pki = Pki::new();
    let (good_cert, good_key) = pki.pair("good");
    let (_, other_key) = pki.pair("other_name");
    let missing = pki.dir.path().join("missing.pem");
    let garbage = pki.dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a PEM file\n").unwrap();
    let cases = [
        (&missing, &good_key, "missing.pem", "No such file"),
        (&garbage, &good_key, "garbage.pem", "no PEM certificate"),
        (&good_cert, &garbage, "garbage.pem", "no PEM private key"),
        (&good_key, &good_key, "good.key", "no PEM certificate"),
        (&good_cert, &other_key, "other_name.key", ""),
    ];
    for (cert, key, names, says) in cases {
        let err = TlsConfig::from_pem_files(cert, key).expect_err("must be refused");
        let msg = err.to_string();
        assert!(msg.contains(names), "{msg:?} should name {names}");
        assert!(msg.contains(says), "{msg:?} should say {says:?}");
        assert!(!msg.contains('\n'), "one line: {msg:?}");
    }
}

#[test]
fn an_application_config_with_client_authentication() {
    let pki = Pki::new();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.pki.ca.cert_der.clone().into()).unwrap();
    // The process's default provider, as the server takes it.
    let verifier = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots))
        .build()
        .unwrap();
    let (_, key) = pki.pair("good");
    let chain = vec![CertificateDer::from(pki.pki.good.cert_der.clone())];
    let key = {
        use rustls::pki_types::pem::PemObject;
        rustls::pki_types::PrivateKeyDer::from_pem_file(&key).unwrap()
    };
    let mut config = rustls::ServerConfig::builder()
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let tls = TlsConfig::from_rustls(Arc::new(config));
    let server = serve(|s| s.tls(tls), hello);
    let port = server.addr.port();
    let ca = pki.ca.to_str().unwrap();
    // Without a client certificate: refused in the handshake.
    let (ok, _, err) = curl_get(port, ca);
    assert!(!ok, "no client certificate must be refused: {err}");
    // With one issued by the CA: served.
    let (ccert, ckey) = pki.pair("client");
    let url = format!("https://localhost:{port}/");
    let (ok, out, err) = run_bounded(
        Command::new("curl")
            .args(["-s", "--max-time", "10", "--cacert", ca, "--cert"])
            .arg(&ccert)
            .arg("--key")
            .arg(&ckey)
            .arg(&url),
        Duration::from_secs(15),
    );
    assert!(ok, "with a client certificate: {err}");
    assert_eq!(out, "hello\n");
}

/// The certificate the server presented on `tls`.
fn presented(tls: &TlsStream) -> Vec<u8> {
    tls.conn.peer_certificates().expect("a certificate")[0].to_vec()
}

#[test]
fn reload_swaps_the_certificate_for_new_connections_only() {
    let pki = Pki::new();
    let (cert, key) = pki.pair("good");
    let server_tls = TlsConfig::from_pem_files(&cert, &key).unwrap();
    let mut reloader = None;
    let server = serve(
        |s| {
            let s = s.tls(server_tls);
            reloader = Some(s.tls_reloader());
            s
        },
        hello,
    );
    let reloader = reloader.unwrap();
    let client = pki.client_config();
    let mut old = connect_tls(server.addr, client.clone());
    old.write_all(&get("/")).unwrap();
    let mut old = BufReader::new(old);
    assert_eq!(read_response(&mut old, false).text(), "hello\n");
    assert_eq!(presented(old.get_ref()), pki.pki.good.cert_der);

    // A new certificate for the same names, from the same CA.
    let fresh = pki.pki.ca.issue(
        &["localhost", "127.0.0.1"],
        test_support::tls::Validity::Current,
    );
    std::fs::write(&cert, &fresh.cert_pem).unwrap();
    std::fs::write(&key, &fresh.key_pem).unwrap();
    reloader.reload().expect("the new pair loads");
    let mut new = connect_tls(server.addr, client.clone());
    new.write_all(&get("/")).unwrap();
    let mut new = BufReader::new(new);
    assert_eq!(read_response(&mut new, false).text(), "hello\n");
    assert_eq!(
        presented(new.get_ref()),
        fresh.cert_der,
        "the new certificate"
    );
    // The old connection keeps working on its session.
    old.get_mut().write_all(&get("/again")).unwrap();
    assert_eq!(read_response(&mut old, false).text(), "hello\n");

    // A broken pair: refused, the last good one stays.
    std::fs::write(&key, "garbage\n").unwrap();
    let err = reloader.reload().expect_err("a broken key is refused");
    assert!(err.to_string().contains("good.key"), "{err}");
    let mut after = connect_tls(server.addr, client);
    after.write_all(&get("/")).unwrap();
    let mut after = BufReader::new(after);
    assert_eq!(read_response(&mut after, false).text(), "hello\n");
    assert_eq!(presented(after.get_ref()), fresh.cert_der);
}
