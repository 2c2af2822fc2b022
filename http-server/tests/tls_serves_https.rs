//! The server speaks TLS: keep-alive, pipelining, large bodies and
//! close_notify over a rustls client; curl and Python's `ssl` as peers;
//! plain HTTP on the TLS port answered in cleartext; garbage, stalls and
//! vanishing peers close only their own connection.
mod common;
use brisk_server::{FileRegion, Request, Response, StatusCode};
use common::tls::*;
use common::*;
use std::io::{BufReader, Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};

fn echo_path(req: &Request) -> Response {
    Response::text(StatusCode::OK, format!("{} over TLS\n", req.path()))
}

#[test]
fn keep_alive_and_pipelined_requests_over_one_tls_connection() {
    let pki = Pki::new();
    let server = serve_tls(&pki, |s| s, echo_path);
    let mut tls = connect_tls(server.addr, pki.client_config());
    tls.write_all(&get("/a")).unwrap();
    let mut r = BufReader::new(tls);
    assert_eq!(read_response(&mut r, false).text(), "/a over TLS\n");
    let negotiated = r.get_ref().conn.alpn_protocol().map(<[u8]>::to_vec);
    assert_eq!(negotiated.as_deref(), Some(&b"http/1.1"[..]), "ALPN");
    // Three pipelined requests in one write, answered in order.
    let mut burst = Vec::new();
    for p in ["/1", "/2", "/3"] {
        burst.extend_from_slice(&get(p));
    }
    r.get_mut().write_all(&burst).unwrap();
    for p in ["/1", "/2", "/3"] {
        assert_eq!(
            read_response(&mut r, false).text(),
            format!("{p} over TLS\n")
        );
    }
}

#[test]
fn connection_close_ends_with_close_notify() {
    let pki = Pki::new();
    let server = serve_tls(&pki, |s| s, echo_path);
    let mut tls = connect_tls(server.addr, pki.client_config());
    tls.write_all(b"GET /bye HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut all = Vec::new();
    // rustls reports a TCP EOF without close_notify as UnexpectedEof: a
    // clean Ok end means the server sent close_notify first.
    tls.read_to_end(&mut all).expect("a clean TLS close");
    let text = String::from_utf8_lossy(&all);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(text.ends_with("/bye over TLS\n"), "{text}");
}

#[test]
fn large_file_bodies_pass_through_the_cipher_intact() {
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    let data: Vec<u8> = (0..5_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let server = serve_tls(
        &pki,
        |s| s,
        move |_: &Request| {
            let file = std::fs::File::open(&path).unwrap();
            Response::new(StatusCode::OK).file(FileRegion::whole(file).unwrap())
        },
    );
    let mut tls = connect_tls(server.addr, pki.client_config());
    // Two in a row on one connection, the second read slowly at first
    // (the server's writes back up; nothing may be lost).
    tls.write_all(&get("/1")).unwrap();
    tls.write_all(&get("/2")).unwrap();
    let mut r = BufReader::new(tls);
    assert!(
        read_response(&mut r, false).body == data,
        "first body differs"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        read_response(&mut r, false).body == data,
        "second body differs"
    );
}

#[test]
fn curl_fetches_two_urls_on_one_tls_connection() {
    let pki = Pki::new();
    let server = serve_tls(&pki, |s| s, echo_path);
    let port = server.addr.port();
    let (a, b) = (
        format!("https://localhost:{port}/one"),
        format!("https://localhost:{port}/two"),
    );
    let ca = pki.ca.to_str().unwrap();
    let (ok, out, err) = run_bounded(
        Command::new("curl").args(["-sv", "--max-time", "10", "--cacert", ca, &a, &b]),
        Duration::from_secs(15),
    );
    assert!(ok, "curl failed: {err}");
    assert_eq!(out, "/one over TLS\n/two over TLS\n");
    assert!(err.contains("Re-using existing connection"), "{err}");
    assert!(err.contains("ALPN: server accepted http/1.1"), "{err}");
    // The same request in TLS 1.2 only.
    let (ok, out, err) = run_bounded(
        Command::new("curl").args([
            "-sv",
            "--max-time",
            "10",
            "--cacert",
            ca,
            "--tlsv1.2",
            "--tls-max",
            "1.2",
            &a,
        ]),
        Duration::from_secs(15),
    );
    assert!(ok, "curl TLS 1.2 failed: {err}");
    assert_eq!(out, "/one over TLS\n");
    assert!(err.contains("TLSv1.2"), "{err}");
}

#[test]
fn python_ssl_client_gets_its_answers() {
    let pki = Pki::new();
    let server = serve_tls(&pki, |s| s, echo_path);
    let script = r#"
import http.client, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
c = http.client.HTTPSConnection("localhost", int(sys.argv[2]), context=ctx, timeout=10)
for p in ("/x", "/y"):
    c.request("GET", p)
    r = c.getresponse()
    sys.stdout.write("%d %s" % (r.status, r.read().decode()))
sys.stdout.write(c.sock.version() + "\n")
"#;
    let (ok, out, err) = run_bounded(
        Command::new("python3").args([
            "-c",
            script,
            pki.ca.to_str().unwrap(),
            &server.addr.port().to_string(),
        ]),
        Duration::from_secs(15),
    );
    assert!(ok, "python failed: {err}");
    assert_eq!(out, "200 /x over TLS\n200 /y over TLS\nTLSv1.3\n");
}

#[test]
fn plain_http_on_the_tls_port_gets_a_cleartext_400() {
    let pki = Pki::new();
    let server = serve_tls(&pki, |s| s, echo_path);
    let (resp, mut rest) = exchange(server.addr, &get("/"));
    assert_eq!(resp.status, 400);
    assert!(resp.text().contains("HTTPS"), "{}", resp.text());
    assert_eq!(resp.header("connection"), Some("close"));
    assert!(closed_by_peer(&mut rest));
    // curl sending http:// to the TLS port sees the same answer.
    let url = format!("http://127.0.0.1:{}/", server.addr.port());
    let (_, out, _) = run_bounded(
        Command::new("curl").args(["-s", "--max-time", "10", &url]),
        Duration::from_secs(15),
    );
    assert!(out.contains("this port speaks HTTPS"), "{out}");
}

#[test]
fn garbage_and_vanishing_peers_close_only_their_connection() {
    let pki = Pki::new();
    let server = serve_tls(&pki, |s| s, echo_path);
    // Not a TLS record at all.
    let mut junk = connect(server.addr);
    junk.write_all(&[0x00, 0xff, 0x13, 0x37, 0x42, 0x00, 0x01])
        .unwrap();
    assert!(closed_by_peer(&mut junk), "garbage must be closed");
    // A TLS record header that promises a ClientHello, then a vanish.
    let mut half = connect(server.addr);
    half.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00])
        .unwrap();
    drop(half);
    // An alert instead of a ClientHello.
    let mut alert = connect(server.addr);
    alert
        .write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])
        .unwrap();
    assert!(closed_by_peer(&mut alert), "an alert must be closed");
    // The server still answers a real client.
    let mut tls = connect_tls(server.addr, pki.client_config());
    tls.write_all(&get("/still")).unwrap();
    let mut r = BufReader::new(tls);
    assert_eq!(read_response(&mut r, false).text(), "/still over TLS\n");
}

#[test]
fn stalled_handshakes_are_cut_at_the_head_deadline() {
    let pki = Pki::new();
    let server = serve_tls(&pki, |s| s.head_timeout(Duration::from_secs(1)), echo_path);
    // Silent after half a ClientHello.
    let started = Instant::now();
    let mut stall = connect(server.addr);
    stall
        .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        .unwrap();
    assert!(
        closed_by_peer(&mut stall),
        "a stalled handshake must be cut"
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "cut after {waited:?}"
    );
    // openssl s_client completes the handshake and then sends nothing:
    // the first request's head deadline (from accept) cuts it too.
    let started = Instant::now();
    let connect_to = format!("127.0.0.1:{}", server.addr.port());
    let mut child = Command::new("openssl")
        .args(["s_client", "-quiet", "-connect", &connect_to, "-CAfile"])
        .arg(&pki.ca)
        .args(["-servername", "localhost", "-alpn", "http/1.1"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("openssl: {e}"));
    let done = test_support::wait_exit(&mut child, Duration::from_secs(10)).unwrap();
    let waited = started.elapsed();
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    assert!(done.is_some(), "s_client still connected after 10 s");
    assert!(
        waited < Duration::from_secs(5),
        "cut after {waited:?}: {err}"
    );
    assert!(
        err.contains("verify return:1"),
        "the handshake completed: {err}"
    );
}

#[test]
fn large_request_bodies_arrive_whole_over_tls() {
    use sha2_free::digest;
    let pki = Pki::new();
    let server = serve_tls(
        &pki,
        |s| s.max_body_bytes(16 << 20),
        |req: &Request| {
            Response::text(
                StatusCode::OK,
                format!("{} {}\n", req.body().len(), digest(req.body())),
            )
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("up.bin");
    let data: Vec<u8> = (0..6_000_000u32).map(|i| (i * 13 % 253) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let url = format!("https://localhost:{}/up", server.addr.port());
    // curl sends the body in large writes: many records per socket read.
    let (ok, out, err) = run_bounded(
        Command::new("curl")
            .args([
                "-s",
                "--max-time",
                "20",
                "--cacert",
                pki.ca.to_str().unwrap(),
            ])
            .arg("--data-binary")
            .arg(format!("@{}", path.display()))
            .arg(&url),
        Duration::from_secs(25),
    );
    assert!(ok, "curl upload failed: {err}");
    assert_eq!(out, format!("{} {}\n", data.len(), digest(&data)));
}

/// A cheap order-sensitive checksum (FNV-1a), enough to tell bodies apart.
mod sha2_free {
    pub fn digest(bytes: &[u8]) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }
}

#[test]
fn a_body_in_many_small_records_is_read_to_its_end() {
    // Thousands of tiny TLS records reach the socket at once: the server
    // must drain what is queued without waiting for another edge.
    let pki = Pki::new();
    let server = serve_tls(
        &pki,
        |s| s.body_timeout(Duration::from_secs(30)),
        |req: &Request| Response::text(StatusCode::OK, format!("{}\n", req.body().len())),
    );
    let mut tls = connect_tls(server.addr, pki.client_config());
    let len = 300_000;
    let head = format!("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: {len}\r\n\r\n");
    tls.write_all(head.as_bytes()).unwrap();
    // Encrypt everything first, then put it on the wire in one go.
    tls.conn.set_buffer_limit(None);
    for _ in 0..len / 100 {
        tls.conn.writer().write_all(&[b'x'; 100]).unwrap();
    }
    while tls.conn.wants_write() {
        tls.conn.write_tls(&mut tls.sock).unwrap();
    }
    let started = Instant::now();
    let mut r = BufReader::new(tls);
    assert_eq!(read_response(&mut r, false).text(), format!("{len}\n"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn idle_keep_alive_tls_connections_close_with_close_notify() {
    let pki = Pki::new();
    let server = serve_tls(
        &pki,
        |s| s.keep_alive_timeout(Duration::from_millis(300)),
        echo_path,
    );
    let mut tls = connect_tls(server.addr, pki.client_config());
    tls.write_all(&get("/idle")).unwrap();
    let mut r = BufReader::new(tls);
    assert_eq!(read_response(&mut r, false).text(), "/idle over TLS\n");
    // The keep-alive timeout passes: a clean TLS end, not a bare FIN.
    let mut rest = Vec::new();
    r.read_to_end(&mut rest)
        .expect("close_notify before the FIN");
    assert!(rest.is_empty());
}

#[test]
fn a_second_connection_resumes_the_session() {
    let pki = Pki::new();
    let server = serve_tls(&pki, |s| s, echo_path);
    // TLS 1.3 tickets and TLS 1.2 session IDs, each reused by Python.
    let script = r#"
import socket, ssl, sys
ca, port = sys.argv[1], int(sys.argv[2])
for version in (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.maximum_version = version
    session = None
    for attempt in (1, 2):
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        s = ctx.wrap_socket(raw, server_hostname="localhost", session=session)
        s.sendall(b"GET /r HTTP/1.1\r\nHost: t\r\n\r\n")
        data = b""
        while not data.endswith(b"over TLS\n"):
            data += s.recv(4096)
        session = s.session
        sys.stdout.write("%s %d %s\n" % (s.version(), attempt, s.session_reused))
        s.close()
"#;
    let (ok, out, err) = run_bounded(
        Command::new("python3").args([
            "-c",
            script,
            pki.ca.to_str().unwrap(),
            &server.addr.port().to_string(),
        ]),
        Duration::from_secs(20),
    );
    assert!(ok, "python failed: {err}");
    assert_eq!(
        out,
        "TLSv1.3 1 False\nTLSv1.3 2 True\nTLSv1.2 1 False\nTLSv1.2 2 True\n"
    );
}
