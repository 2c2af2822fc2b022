//! TLS fixtures for the `static` tests: the per-run test CA and its
//! certificates (test-support's `TestPki`) written to a temporary
//! directory, and curl trusting that CA.

use super::curl;
use std::path::{Path, PathBuf};
use std::process::Output;
use test_support::tls::TestPki;

/// The certificates of one test run, as files.
pub struct Pki {
    pub pki: TestPki,
    pub dir: tempfile::TempDir,
    /// `ca.crt`: what clients trust.
    pub ca: PathBuf,
}

impl Pki {
    pub fn new() -> Pki {
        let pki = TestPki::new();
        let dir = tempfile::tempdir().expect("tempdir");
        let ca = pki.write_all(dir.path());
        Pki { pki, dir, ca }
    }

    /// The paths of `NAME.crt` and `NAME.key` (`good` for localhost and
    /// 127.0.0.1).
    pub fn pair(&self, name: &str) -> (PathBuf, PathBuf) {
        let d = self.dir.path();
        (d.join(format!("{name}.crt")), d.join(format!("{name}.key")))
    }

    /// `--tls-cert CERT --tls-key KEY` for the pair `name`, as owned strings.
    pub fn args(&self, name: &str) -> [String; 4] {
        let (cert, key) = self.pair(name);
        [
            "--tls-cert".into(),
            path_str(&cert),
            "--tls-key".into(),
            path_str(&key),
        ]
    }
}

pub fn path_str(p: &Path) -> String {
    p.to_str().expect("UTF-8 temp path").to_string()
}

/// curl with `--cacert CA` and the given arguments.
pub fn curl_tls(ca: &Path, args: &[&str]) -> Output {
    let ca = path_str(ca);
    let mut all = vec!["--cacert", ca.as_str()];
    all.extend_from_slice(args);
    curl(&all)
}
