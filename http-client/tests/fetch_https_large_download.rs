//! HTTPS (issue 10): an 8 MiB file from nginx over TLS arrives byte for
//! byte through fetch's zero-copy body path, and the connection is then
//! reused for the next URL.
mod common;
#[path = "common/tls.rs"]
mod tls;

use common::*;
use tls::*;

#[test]
fn large_download_over_tls_is_exact() {
    let fx = TlsFixture::new();
    let big: Vec<u8> = (0..8 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    let nginx = start_nginx_tls_good(&fx, &[("big.bin", &big), ("small.txt", b"small\n")]);
    let ca = fx.ca.display().to_string();
    let base = format!("https://localhost:{}", nginx.port("good"));
    let out_file = fx.path("big.out");
    let out_s = out_file.display().to_string();
    let big_url = format!("{base}/big.bin");
    let small_url = format!("{base}/small.txt");
    let out = fetch(&[
        "-v", "--cacert", &ca, "-o", &out_s, &big_url, "-o", "-", &small_url,
    ]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert_eq!(out.stdout, b"small\n");
    let got = std::fs::read(&out_file).expect("output file");
    assert!(got == big, "{} bytes, want {}", got.len(), big.len());
    assert!(err.contains("Re-using existing connection #0"), "{err}");
}
