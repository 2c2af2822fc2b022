//! TLS helpers for the behaviour tests: a server with a certificate from
//! the per-run test CA, and a blocking rustls client that trusts that CA.

use super::{serve, TestServer, IO_TIMEOUT};
use brisk_server::rustls::{self, pki_types::ServerName, ClientConfig, ClientConnection};
use brisk_server::{Handler, Server, TlsConfig};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use test_support::tls::TestPki;

/// Files of one test run: the CA and the `good` pair (and the others of
/// [`TestPki::write_all`]) in a temporary directory.
pub struct Pki {
    pub pki: TestPki,
    pub dir: tempfile::TempDir,
    pub ca: PathBuf,
}

impl Pki {
    pub fn new() -> Pki {
        let pki = TestPki::new();
        let dir = tempfile::tempdir().unwrap();
        let ca = pki.write_all(dir.path());
        Pki { pki, dir, ca }
    }

    /// The paths of `NAME.crt` and `NAME.key`.
    pub fn pair(&self, name: &str) -> (PathBuf, PathBuf) {
        let d = self.dir.path();
        (d.join(format!("{name}.crt")), d.join(format!("{name}.key")))
    }

    pub fn config(&self, name: &str) -> TlsConfig {
        let (cert, key) = self.pair(name);
        TlsConfig::from_pem_files(cert, key).unwrap()
    }

    /// A client configuration trusting the test CA, ALPN http/1.1.
    pub fn client_config(&self) -> Arc<ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(self.pki.ca.cert_der.clone().into())
            .expect("the test CA");
        // The process's default provider, as the server takes it.
        let mut config = ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(config)
    }
}

/// A TLS server with the `good` certificate, one worker.
pub fn serve_tls(
    pki: &Pki,
    configure: impl FnOnce(Server) -> Server,
    handler: impl Handler,
) -> TestServer {
    let tls = pki.config("good");
    serve(|s| configure(s.tls(tls)), handler)
}

/// A blocking TLS stream to `addr` for the name `localhost`.
pub type TlsStream = rustls::StreamOwned<ClientConnection, TcpStream>;

pub fn connect_tls(addr: SocketAddr, config: Arc<ClientConfig>) -> TlsStream {
    let tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    tcp.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let conn = ClientConnection::new(config, name).unwrap();
    rustls::StreamOwned::new(conn, tcp)
}
