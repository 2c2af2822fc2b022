//! `fetch` against our own server over TLS (issue 11): the real `static`
//! binary with `--tls-cert/--tls-key` (a certificate from the test CA),
//! fetch with `--cacert`. A 3 MiB body arrives byte for byte, the next URL
//! reuses the TLS connection, a range comes back exact, `-v` prints the
//! TLS lines (TLS 1.3, ALPN http/1.1, the certificate, verify ok),
//! `--tls-max 1.2` negotiates TLS 1.2 with our server, and without the CA
//! the certificate is refused (60).
//!
//! `static` is another package's binary, so Cargo gives this crate no
//! `CARGO_BIN_EXE_static`: it is taken from the same target directory as
//! fetch, built there first (`cargo build -p brisk-static --bin static`)
//! when it is not there yet, as http-server's tests build their examples.
mod common;
#[path = "common/tls.rs"]
mod tls;

use common::*;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tls::*;

/// The `static` binary next to `fetch`, built on demand.
fn static_bin() -> PathBuf {
    let path = fetch_bin().with_file_name("static");
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-q", "-p", "brisk-static", "--bin", "static"])
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building static");
    }
    path
}

struct Static {
    child: Child,
    port: u16,
}

impl Drop for Static {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_static(fx: &TlsFixture, root: &std::path::Path) -> Static {
    let mut child = Command::new(static_bin())
        .args(["-q", "-w", "1", "-a", "127.0.0.1:0", "--tls-cert"])
        .arg(fx.path("good.crt"))
        .arg("--tls-key")
        .arg(fx.path("good.key"))
        .arg(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn static");
    let line = test_support::first_stdout_line(&mut child, Duration::from_secs(20), |_| {})
        .expect("static printed no first line");
    // serving DIR at https://127.0.0.1:PORT/
    let port = line
        .rsplit_once("at https://127.0.0.1:")
        .and_then(|(_, rest)| rest.strip_suffix('/'))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    Static { child, port }
}

#[test]
fn fetch_https_against_static() {
    let fx = TlsFixture::new();
    let root = tempfile::tempdir().expect("tempdir");
    let big: Vec<u8> = (0..3 * 1024 * 1024 + 7u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(root.path().join("big.bin"), &big).expect("write");
    std::fs::write(root.path().join("small.txt"), b"small\n").expect("write");
    let server = start_static(&fx, root.path());
    let ca = fx.ca.display().to_string();
    let base = format!("https://localhost:{}", server.port);
    let (big_url, small_url) = (format!("{base}/big.bin"), format!("{base}/small.txt"));

    let out_file = fx.path("big.out");
    let out_s = out_file.display().to_string();
    let out = fetch(&[
        "-v", "--cacert", &ca, "-o", &out_s, &big_url, "-o", "-", &small_url,
    ]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert_eq!(out.stdout, b"small\n");
    let got = std::fs::read(&out_file).expect("output file");
    assert!(got == big, "{} bytes, want {}", got.len(), big.len());
    for line in [
        "* ALPN: offers http/1.1",
        "* SSL connection using TLSv1.3 / ",
        "* ALPN: server accepted http/1.1",
        "* Server certificate:",
        "*  subject: CN=localhost",
        "*  subjectAltName: host \"localhost\" matched cert's \"localhost\"",
        "*  issuer: O=http-client tests; CN=http-client test CA",
        "*  SSL certificate verify ok.",
        "Re-using existing connection #0",
    ] {
        assert!(err.contains(line), "no {line:?} in:\n{err}");
    }

    let out = fetch(&["--cacert", &ca, "-r", "1000-1999", &big_url]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(out.stdout == big[1000..2000], "range differs");

    let out = fetch(&["-v", "--cacert", &ca, "--tls-max", "1.2", &small_url]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert_eq!(out.stdout, b"small\n");
    assert!(err.contains("* SSL connection using TLSv1.2 / "), "{err}");

    // Trusting only a CA that did not issue it: refused, as curl does (60).
    let out = fetch(&[
        "--cacert",
        &fx.path("self_signed.crt").display().to_string(),
        &small_url,
    ]);
    assert_eq!(code(&out), 60, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}
