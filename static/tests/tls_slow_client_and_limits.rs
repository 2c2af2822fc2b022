//! The slow-client and limit tests over TLS (`static --tls-cert`): a
//! client that reads a large file slowly (curl `--limit-rate`) gets every
//! byte (sha256 compared) while other clients are served meanwhile, and
//! so do responses that close (HTTP/1.0, `Connection: close`); a
//! request body over the limit gets 413 and a head over the limit 431,
//! each in TLS and followed by a close.
mod common;
use common::tls::{curl_tls, path_str, Pki};
use common::*;
use std::process::Command;

fn sha256(path: &std::path::Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .unwrap_or_else(|e| missing_peer("sha256sum", e));
    assert!(out.status.success(), "sha256sum {}", path.display());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("a digest")
        .to_string()
}

fn start(pki: &Pki, dir: &std::path::Path) -> StaticServer {
    let tls = pki.args("good");
    let mut args = vec!["-q"];
    args.extend(tls.iter().map(String::as_str));
    let server = StaticServer::start(dir, &args);
    assert!(server.url.starts_with("https://"), "{}", server.first_line);
    server
}

#[test]
fn slow_tls_reader_gets_every_byte() {
    let pki = Pki::new();
    let dir = site();
    // 6 MiB of varied bytes: many TLS records, far past every buffer.
    let big: Vec<u8> = (0..6u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    write(dir.path(), "big.bin", &big);
    write(dir.path(), "a.txt", "alpha");
    let server = start(&pki, dir.path());
    let url = format!("https://localhost:{}/big.bin", server.addr.port());

    let sinks = site();
    let slow_sink = sinks.path().join("slow.bin");
    // 1 MiB/s: about six seconds in flight, with the socket full most of
    // the time (the server's write queue stalls and resumes).
    let mut slow = Command::new("curl")
        .args(["-s", "--max-time", "30", "--limit-rate", "1M"])
        .arg("--cacert")
        .arg(&pki.ca)
        .arg("-o")
        .arg(&slow_sink)
        .arg(&url)
        .spawn()
        .unwrap_or_else(|e| missing_peer("curl", e));
    wait_for_bytes(&slow_sink, 256 << 10);

    // Meanwhile other TLS clients are answered, the whole file too: all of
    // it before the slow download ends.
    for i in 0..5 {
        let out = curl_tls(
            &pki.ca,
            &[&format!(
                "https://localhost:{}/a.txt?i={i}",
                server.addr.port()
            )],
        );
        assert_eq!(out.stdout, b"alpha", "request {i} during the slow download");
    }
    let fast = sinks.path().join("fast.bin");
    let out = curl_tls(&pki.ca, &["-o", &path_str(&fast), &url]);
    assert!(out.status.success(), "fast download: {out:?}");
    assert!(
        slow.try_wait().expect("curl status").is_none(),
        "the other clients waited for the slow download to end"
    );
    let status = slow.wait().expect("slow curl");
    assert!(status.success(), "slow download failed: {status}");

    let expected = sinks.path().join("expected.bin");
    std::fs::write(&expected, &big).expect("write expected");
    assert_eq!(sha256(&slow_sink), sha256(&expected), "slow download");
    assert_eq!(sha256(&fast), sha256(&expected), "fast download");

    // Responses that close the connection arrive whole too (the server
    // half-closes only once the body is out), slowly read as well.
    for (what, flags) in [
        ("HTTP/1.0", &["--http1.0"][..]),
        ("Connection: close", &["-H", "Connection: close"][..]),
        (
            "Connection: close, slowly",
            &["-H", "Connection: close", "--limit-rate", "4M"][..],
        ),
    ] {
        let sink = sinks.path().join("close.bin");
        let mut args = vec!["-o", sink.to_str().expect("UTF-8 path")];
        args.extend_from_slice(flags);
        args.push(&url);
        let out = curl_tls(&pki.ca, &args);
        assert!(out.status.success(), "{what}: {out:?}");
        assert_eq!(sha256(&sink), sha256(&expected), "{what}");
    }
}

#[test]
fn limits_over_tls_get_413_and_431() {
    let pki = Pki::new();
    let dir = site();
    write(dir.path(), "a.txt", "alpha");
    let server = start(&pki, dir.path());
    let base = format!("https://localhost:{}/", server.addr.port());
    let ca = path_str(&pki.ca);

    // A body over the 1 MiB limit, announced by Content-Length.
    let bodies = site();
    let body = bodies.path().join("body.bin");
    std::fs::write(&body, vec![b'x'; 2 << 20]).expect("write body");
    let out = curl(&[
        "--cacert",
        &ca,
        "-D",
        "-",
        "-o",
        "/dev/null",
        "-H",
        "Expect:",
        "--data-binary",
        &format!("@{}", body.display()),
        &format!("{base}a.txt"),
    ]);
    let head = String::from_utf8_lossy(&out.stdout);
    assert!(head.starts_with("HTTP/1.1 413 "), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("connection: close"),
        "{head}"
    );

    // A head over the 32 KiB limit: one 40 KiB field.
    let field = format!("X-Big: {}", "b".repeat(40 << 10));
    let out = curl(&[
        "--cacert",
        &ca,
        "-D",
        "-",
        "-o",
        "/dev/null",
        "-H",
        &field,
        &format!("{base}a.txt"),
    ]);
    let head = String::from_utf8_lossy(&out.stdout);
    assert!(head.starts_with("HTTP/1.1 431 "), "{head}");

    // The server is fine afterwards, on TLS.
    assert_eq!(
        curl_tls(&pki.ca, &[&format!("{base}a.txt")]).stdout,
        b"alpha"
    );
}
