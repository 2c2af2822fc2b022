//! Uploads stream over TLS too: `curl -T` over https puts a 24 MiB file
//! in place byte for byte (many TLS records per socket read, the body
//! pipe's backpressure through the TLS transport), with `--auth` over the
//! encrypted connection, and a slow upload (`--limit-rate`) completes.
mod common;
use common::tls::*;
use common::*;

fn url_of(server: &StaticServer, path: &str) -> String {
    // The certificate names localhost; the first line says 127.0.0.1.
    let port = server.addr.port();
    format!("https://localhost:{port}{path}")
}

#[test]
fn curl_uploads_over_https_arrive_whole() {
    let pki = Pki::new();
    let root = site();
    let src = site();
    let data: Vec<u8> = (0..24u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let file = src.path().join("big.bin");
    std::fs::write(&file, &data).unwrap();
    let tls = pki.args("good");
    let mut args: Vec<&str> = vec!["-q", "--upload", "--auth", "up:load"];
    args.extend(tls.iter().map(String::as_str));
    let server = StaticServer::start(root.path(), &args);
    assert!(
        server.first_line.contains("https://"),
        "{}",
        server.first_line
    );
    let f = path_str(&file);
    let out = curl_tls(
        &pki.ca,
        &[
            "-sS",
            "-u",
            "up:load",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-T",
            &f,
            &url_of(&server, "/"),
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "201",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read(root.path().join("big.bin")).unwrap() == data,
        "uploaded bytes differ"
    );
    // Without credentials: 401 before any body byte.
    let out = curl_tls(
        &pki.ca,
        &[
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code} %{size_upload}",
            "-T",
            &f,
            &url_of(&server, "/other.bin"),
        ],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "401 0");
    // A slow upload over TLS.
    let small = src.path().join("slow.bin");
    std::fs::write(&small, &data[..600_000]).unwrap();
    let s = path_str(&small);
    let out = curl_tls(
        &pki.ca,
        &[
            "-sS",
            "-u",
            "up:load",
            "--limit-rate",
            "400K",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-T",
            &s,
            &url_of(&server, "/"),
        ],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "201");
    assert!(std::fs::read(root.path().join("slow.bin")).unwrap() == data[..600_000]);
}
