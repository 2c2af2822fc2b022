//! HTTPS (issue 10): several https URLs on one command line share one
//! TLS connection (`Re-using existing connection` in `-v`), and when the
//! server closes after each request the next connection resumes the
//! session (`SSL reusing session ID`).
mod common;
#[path = "common/tls.rs"]
mod tls;

use common::*;
use tls::*;

#[test]
fn urls_reuse_one_tls_connection_and_fresh_ones_resume() {
    let fx = TlsFixture::new();
    let nginx = start_nginx_tls(
        &fx,
        &[("a.txt", b"a\n"), ("b.txt", b"bb\n"), ("c.txt", b"ccc\n")],
        &[
            Block {
                name: "keep",
                cert: Some("good"),
                extra: "",
            },
            Block {
                name: "once",
                cert: Some("good"),
                extra: "keepalive_requests 1;",
            },
        ],
    );
    let ca = fx.ca.display().to_string();
    let urls = |block: &str| -> Vec<String> {
        ["a", "b", "c"]
            .iter()
            .map(|f| format!("https://localhost:{}/{f}.txt", nginx.port(block)))
            .collect()
    };

    let keep = urls("keep");
    let mut args = vec!["-v", "--cacert", ca.as_str()];
    args.extend(keep.iter().map(String::as_str));
    let out = fetch(&args);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert_eq!(out.stdout, b"a\nbb\nccc\n");
    assert_eq!(
        err.matches("Re-using existing connection").count(),
        2,
        "{err}"
    );
    assert_eq!(err.matches("SSL connection using").count(), 1, "{err}");

    let once = urls("once");
    let mut args = vec!["-v", "--cacert", ca.as_str()];
    args.extend(once.iter().map(String::as_str));
    let out = fetch(&args);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert_eq!(out.stdout, b"a\nbb\nccc\n");
    assert_eq!(err.matches("SSL connection using").count(), 3, "{err}");
    assert_eq!(err.matches("SSL reusing session ID").count(), 2, "{err}");
}
