//! TLS (issue 10): one config per client keeps rustls' session cache, so
//! a second connection to the same server resumes the session (TLS 1.3
//! tickets and TLS 1.2 alike); a new config starts afresh.
mod common;
#[path = "common/tls.rs"]
mod tls;

use brisk_client::tls::{TlsConfig, TlsOptions, TlsVersion};
use tls::*;

#[test]
fn the_second_connection_resumes() {
    let fx = TlsFixture::new();
    let nginx = start_nginx_tls_good(&fx, &[("a.txt", b"a\n")]);
    for max in [TlsVersion::Tls13, TlsVersion::Tls12] {
        let config = TlsConfig::new(&TlsOptions {
            max_version: Some(max),
            ..fx.options()
        })
        .expect("config");
        let mut first = tls_connect(nginx.port("good"), "localhost", &config).expect("first");
        assert!(!first.resumed());
        // Reading the response also takes in the TLS 1.3 tickets.
        assert_eq!(get(&mut first, "localhost", "/a.txt", true).body, b"a\n");
        drop(first);
        let mut second = tls_connect(nginx.port("good"), "localhost", &config).expect("second");
        assert!(second.resumed(), "{max:?}: not resumed");
        assert!(
            second.info().lines()[0] == "SSL reusing session ID",
            "{:?}",
            second.info().lines()
        );
        assert_eq!(get(&mut second, "localhost", "/a.txt", false).body, b"a\n");
        // A fresh config has an empty cache.
        let other = fx.config();
        let third = tls_connect(nginx.port("good"), "localhost", &other).expect("third");
        assert!(!third.resumed());
    }
}
