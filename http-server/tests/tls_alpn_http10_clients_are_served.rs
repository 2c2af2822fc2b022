//! ALPN: the server prefers `http/1.1` and accepts `http/1.0` as nginx
//! does, so `curl --http1.0` (which offers only `http/1.0`) gets its
//! answer over TLS instead of a `no_application_protocol` alert; a client
//! offering only a protocol this server does not speak (`h2`) is refused
//! in the handshake.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::tls::*;
use std::process::Command;

fn curl(args: &[&str]) -> std::process::Output {
    Command::new("curl")
        .args(["-sv", "--max-time", "10"])
        .args(args)
        .output()
        .unwrap_or_else(|e| common::missing_peer("curl", e))
}

#[test]
fn alpn_http10_clients_are_served() {
    let pki = Pki::new();
    let server = serve_tls(
        &pki,
        |s| s,
        |req: &Request| Response::text(StatusCode::OK, format!("{}\n", req.version().as_str())),
    );
    let ca = pki.ca.to_str().unwrap().to_string();
    let url = format!("https://localhost:{}/", server.addr.port());

    let out = curl(&["--cacert", &ca, "--http1.0", &url]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("ALPN: server accepted http/1.0"), "{err}");
    assert_eq!(out.stdout, b"HTTP/1.0\n");

    let out = curl(&["--cacert", &ca, &url]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("ALPN: server accepted http/1.1"), "{err}");
    assert_eq!(out.stdout, b"HTTP/1.1\n");

    // Only h2 offered: nothing in common, refused (curl's exit 35).
    let out = Command::new("openssl")
        .args(["s_client", "-connect", &server.addr.to_string()])
        .args(["-servername", "localhost", "-alpn", "h2", "-CAfile", &ca])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| common::missing_peer("openssl", e));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("no application protocol"), "{text}");
}
