//! `fetch` and `curl` run with the same arguments give the same stdout
//! (body bytes, `-i`/`-I` heads apart from `Date`, `-w` output) and the same
//! exit code, against nginx, Python and tinyproxy on loopback; over https
//! against nginx with `ssl` (one server block per certificate case), through
//! tinyproxy's CONNECT and an HTTPS proxy (stunnel in front of tinyproxy).
mod common;
#[path = "common/tls.rs"]
mod tls;

use common::*;
use tls::*;

const NGINX_LOCATIONS: &str = r#"
    location = /r301 { return 301 /a.txt; }
    location = /r302 { return 302 http://$host:$server_port/a.txt; }
    location = /r303 { return 303 /echo; }
    location = /loop { return 302 /loop; }
    location = /to { return 302 $args; }
    location = /echo { return 200 "args=$args method=$request_method\n"; }
    location = /teapot { return 418 "short and stout\n"; }
    location = /hdr { return 200 "host=$http_host auth=$http_authorization accept=$http_accept ct=$content_type cl=$content_length te=$http_transfer_encoding x=$http_x_test ref=$http_referer cookie=$http_cookie range=$http_range args=$args method=$request_method\n"; }
"#;

const PYTHON: &str = r#"
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def version_string(self): return "py"
    def date_time_string(self, t=None): return "Thu, 01 Jan 1970 00:00:00 GMT"
    def do_GET(self):
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(30):
                d = b"chunk %d\n" % i
                self.wfile.write(b"%x\r\n%s\r\n" % (len(d), d))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/close":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"until close\n" * 100)
            self.close_connection = True
        elif self.path == "/empty":
            self.close_connection = True
        elif self.path == "/short":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"only this")
            self.close_connection = True
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

/// Drops `Date:` lines (they differ between two runs a second apart).
fn without_dates(b: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(b);
    text.split_inclusive('\n')
        .filter(|l| !l.to_ascii_lowercase().starts_with("date:"))
        .collect::<String>()
        .into_bytes()
}

/// Runs every case (`-s` first) through `fetch` and `curl` and fails
/// with each case whose stdout (apart from dates) or exit code differ.
fn assert_same_as_curl(cases: &[Vec<String>]) {
    let curl = require("curl", "curl");
    let mut failures = Vec::new();
    for args in cases {
        let mut full: Vec<&str> = vec!["-s"];
        full.extend(args.iter().map(String::as_str));
        let ours = run(&fetch_bin(), &full, &[]);
        let theirs = run(&curl, &full, &[]);
        let (o, t) = (without_dates(&ours.stdout), without_dates(&theirs.stdout));
        if o != t || code(&ours) != code(&theirs) {
            failures.push(format!(
                "{full:?}: fetch exit {} vs curl exit {}\n--- fetch\n{}\n--- curl\n{}\n--- fetch stderr\n{}",
                code(&ours),
                code(&theirs),
                String::from_utf8_lossy(&o).chars().take(800).collect::<String>(),
                String::from_utf8_lossy(&t).chars().take(800).collect::<String>(),
                stderr(&ours),
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn fetch_matches_curl() {
    let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let nginx = start_nginx(
        &[
            ("a.txt", b"alpha\n"),
            ("dir/b.txt", b"bravo\n"),
            ("big.bin", &big),
        ],
        NGINX_LOCATIONS,
    );
    let py = start_python(PYTHON);
    let tp = start_tinyproxy("");
    let hs =
        start_python_http_server(&[("index.txt", b"from http.server\n"), ("sub/f.txt", b"f\n")]);
    let h = |p: &str| hs.url(p);
    let data_file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(data_file.path(), "x=1\ny=2\r\n").expect("write data");
    let at_file = format!("@{}", data_file.path().display());
    // Over 1 MiB: curl sends Expect: 100-continue, nginx answers 413 first.
    let big_file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(big_file.path(), vec![b'b'; 1_100_000]).expect("write data");
    let at_big = format!("@{}", big_file.path().display());
    let n = |p: &str| nginx.url(p);
    let y = |p: &str| py.url(p);
    let x = tp.url("");
    let closed = format!("http://127.0.0.1:{}/", free_port());
    let w = "%{http_code} %{size_download} %{num_redirects} %{exitcode}\\n";

    let cases: Vec<Vec<String>> = vec![
        vec![n("/a.txt")],
        vec!["-i".into(), n("/a.txt")],
        vec!["-I".into(), n("/a.txt")],
        vec![n("/big.bin")],
        vec!["-i".into(), n("/missing")],
        vec!["-f".into(), n("/missing")],
        vec!["-i".into(), "-f".into(), n("/teapot")],
        vec!["-i".into(), "-L".into(), n("/r301")],
        vec!["-i".into(), "-L".into(), n("/r302")],
        vec!["-L".into(), "-d".into(), "a=1".into(), n("/r303")],
        vec![
            "-i".into(),
            "-L".into(),
            "--max-redirs".into(),
            "2".into(),
            n("/loop"),
        ],
        vec![n("/r301")],
        vec!["-L".into(), "--max-redirs".into(), "-1".into(), n("/r301")],
        vec!["-L".into(), "--max-redirs".into(), "-2".into(), n("/r301")],
        vec!["-o".into(), "-".into(), n("/a.txt")],
        vec![
            "-G".into(),
            "-d".into(),
            "q=1".into(),
            "-d".into(),
            "r=two".into(),
            n("/echo"),
        ],
        vec!["-X".into(), "DELETE".into(), n("/echo")],
        vec![n("/hdr")],
        vec!["--fail-with-body".into(), n("/missing")],
        vec!["-D".into(), "-".into(), n("/a.txt")],
        vec![
            "-D".into(),
            "-".into(),
            "-L".into(),
            n("/r301"),
            n("/dir/b.txt"),
        ],
        vec![
            "--resolve".into(),
            format!("pinned.test:{}:127.0.0.1", nginx.port),
            format!("http://pinned.test:{}/hdr", nginx.port),
        ],
        vec![
            "--resolve".into(),
            format!("v6.test:{}:[::1],127.0.0.1", nginx.port),
            format!("http://v6.test:{}/a.txt", nginx.port),
        ],
        vec!["-i".into(), "-r".into(), "0-3".into(), n("/big.bin")],
        vec!["-r".into(), "199990-".into(), n("/big.bin")],
        vec!["-i".into(), "-r".into(), "-5".into(), n("/a.txt")],
        vec!["-i".into(), "-r".into(), "500-600".into(), n("/a.txt")],
        vec![
            "-e".into(),
            "http://ref.test/".into(),
            "-b".into(),
            "k=v; k2=v2".into(),
            n("/hdr"),
        ],
        vec![
            "-i".into(),
            "-T".into(),
            data_file.path().display().to_string(),
            n("/hdr"),
        ],
        vec![
            "-i".into(),
            "-T".into(),
            data_file.path().display().to_string(),
            n("/"),
        ],
        vec!["-i".into(), n("/x/../dir/./b.txt")],
        vec!["-i".into(), n("/é")],
        vec![
            "-i".into(),
            "--data-binary".into(),
            at_big.clone(),
            n("/echo"),
        ],
        vec![
            "-i".into(),
            "-H".into(),
            "Expect:".into(),
            "--data-binary".into(),
            at_big,
            n("/hdr"),
        ],
        vec!["-u".into(), "al:ice".into(), n("/hdr")],
        vec![
            "-H".into(),
            "Accept: text/x".into(),
            "-H".into(),
            "X-Test: yes".into(),
            n("/hdr"),
        ],
        vec!["-H".into(), "Host: other.test".into(), n("/hdr")],
        vec![
            "-d".into(),
            "a=1".into(),
            "-H".into(),
            "Content-Type: text/plain".into(),
            n("/hdr"),
        ],
        vec![
            "-d".into(),
            "a=1".into(),
            "-d".into(),
            "b=2".into(),
            n("/hdr"),
        ],
        vec![
            "-G".into(),
            "-d".into(),
            "a=1".into(),
            "-I".into(),
            n("/hdr"),
        ],
        vec![
            "-X".into(),
            "PUT".into(),
            "--data-binary".into(),
            at_file.clone(),
            n("/hdr"),
        ],
        vec![format!("http://us:pw@127.0.0.1:{}/hdr", nginx.port)],
        vec!["-d".into(), at_file.clone(), "-i".into(), n("/a.txt")],
        vec!["--data-binary".into(), at_file.clone(), n("/echo")],
        vec![
            "-H".into(),
            "Accept:".into(),
            "-H".into(),
            "X-Test: 1".into(),
            n("/echo"),
        ],
        vec![n("/a.txt"), n("/dir/b.txt"), n("/echo")],
        vec![
            "-o".into(),
            "/dev/null".into(),
            "-w".into(),
            w.into(),
            "-L".into(),
            n("/r301"),
        ],
        vec!["-i".into(), h("/index.txt")],
        vec!["-I".into(), h("/index.txt")],
        vec![h("/")],
        vec!["-i".into(), h("/sub")],
        vec!["-i".into(), "-L".into(), h("/sub")],
        vec!["-f".into(), h("/nope")],
        vec![h("/index.txt"), h("/sub/f.txt"), h("/index.txt")],
        vec!["-i".into(), y("/chunked")],
        vec!["-i".into(), y("/close")],
        vec![y("/empty")],
        vec![y("/short")],
        vec![
            "-i".into(),
            "-x".into(),
            x.clone(),
            n("/a.txt"),
            n("/dir/b.txt"),
        ],
        vec![
            "-i".into(),
            "-p".into(),
            "-x".into(),
            x.clone(),
            n("/a.txt"),
            n("/a.txt"),
        ],
        vec![closed.clone()],
        vec![closed.clone(), n("/a.txt")],
        vec![n("/a.txt"), closed.clone()],
        vec!["-f".into(), n("/missing"), n("/a.txt")],
        vec![n("/a.txt"), "-f".into(), n("/missing")],
        vec!["-w".into(), w.into(), closed],
        vec!["http://a b/".into()],
        vec!["http://127.0.0.1:99999/".into()],
        vec!["-I".into(), "-d".into(), "x".into(), n("/a.txt")],
        vec!["--definitely-not-a-flag".into(), n("/a.txt")],
    ];
    assert_same_as_curl(&cases);
}

/// Owned arguments from string slices.
fn argv(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[test]
fn fetch_matches_curl_over_https() {
    let fx = TlsFixture::new();
    let big: Vec<u8> = (0..300_000u32).map(|i| (i * 13 % 251) as u8).collect();
    let blocks = [
        ("good", Some("good"), ""),
        ("expired", Some("expired"), ""),
        ("other", Some("other_name"), ""),
        ("self", Some("self_signed"), ""),
        ("tls12", Some("good"), "ssl_protocols TLSv1.2;"),
        ("plain", None, ""),
    ];
    let blocks: Vec<Block<'_>> = blocks
        .iter()
        .map(|(name, cert, protocols)| Block {
            name,
            cert: *cert,
            extra: if protocols.is_empty() {
                NGINX_LOCATIONS
            } else {
                protocols
            },
        })
        .collect();
    let nginx = start_nginx_tls(
        &fx,
        &[
            ("a.txt", b"alpha over tls\n"),
            ("dir/b.txt", b"bravo\n"),
            ("big.bin", &big),
        ],
        &blocks,
    );
    let tp = start_tinyproxy("");
    let stunnel = start_stunnel(&fx, "good", tp.port);
    let ca = fx.ca.display().to_string();
    let self_ca = fx.path("self_signed.crt").display().to_string();
    let u = |block: &str, path: &str| format!("https://localhost:{}{path}", nginx.port(block));
    // 127.0.0.1 through proxies: tinyproxy would try localhost's ::1 first.
    let ip = |block: &str, path: &str| format!("https://127.0.0.1:{}{path}", nginx.port(block));
    let g = |path: &str| u("good", path);
    let x = tp.url("");
    let https_proxy = format!("https://localhost:{}", stunnel.port);
    let plain_a = format!("http://127.0.0.1:{}/a.txt", nginx.port("plain"));
    let w = "%{http_code} %{ssl_verify_result} %{size_download} %{exitcode}\\n";
    let mut cases: Vec<Vec<String>> = vec![
        argv(&["--cacert", &ca, &g("/a.txt")]),
        argv(&["-i", "--cacert", &ca, &g("/a.txt")]),
        argv(&["-I", "--cacert", &ca, &g("/a.txt")]),
        argv(&["--cacert", &ca, &g("/big.bin")]),
        argv(&["-i", "--cacert", &ca, "-r", "0-3", &g("/big.bin")]),
        argv(&["-i", "--cacert", &ca, &g("/missing")]),
        argv(&["-f", "--cacert", &ca, &g("/missing")]),
        argv(&["-i", "-L", "--cacert", &ca, &g("/r301")]),
        argv(&["-L", "--cacert", &ca, "-d", "a=1", &g("/r303")]),
        argv(&["--cacert", &ca, "-u", "al:ice", &g("/hdr")]),
        argv(&[
            "--cacert",
            &ca,
            &g("/a.txt"),
            &g("/dir/b.txt"),
            &g("/a.txt"),
        ]),
        argv(&["--cacert", &ca, "-w", w, "-o", "/dev/null", &g("/a.txt")]),
        argv(&["--cacert", &ca, "--tls-max", "1.2", &g("/a.txt")]),
        argv(&["--cacert", &ca, &u("tls12", "/a.txt")]),
        // Certificate failures: 60, with nothing on stdout.
        argv(&[&g("/a.txt")]),
        argv(&["--cacert", &ca, &u("expired", "/a.txt")]),
        argv(&["--cacert", &ca, &u("other", "/a.txt")]),
        argv(&["--cacert", &ca, &u("self", "/a.txt")]),
        argv(&["-w", w, "--cacert", &ca, &u("expired", "/a.txt")]),
        // The dev certificate trusted as itself.
        argv(&["-i", "--cacert", &self_ca, &u("self", "/a.txt")]),
        // -k: the same bytes whatever the certificate.
        argv(&["-k", &g("/a.txt")]),
        argv(&["-k", "-i", &u("expired", "/a.txt")]),
        argv(&["-k", &u("other", "/a.txt")]),
        argv(&["-k", &u("self", "/a.txt")]),
        argv(&["-k", "-w", w, &u("expired", "/a.txt")]),
        argv(&["-k", "-w", w, &u("other", "/a.txt")]),
        // Handshake failures and unusable trust: 35, 77.
        argv(&["--cacert", &ca, &u("plain", "/a.txt")]),
        argv(&["--cacert", &ca, "--tlsv1.3", &u("tls12", "/a.txt")]),
        argv(&["--cacert", "/nonexistent/ca.pem", &g("/a.txt")]),
        // Through tinyproxy's CONNECT (its reply is among the -i heads).
        argv(&["-i", "--cacert", &ca, "-x", &x, &ip("good", "/a.txt")]),
        argv(&["--cacert", &ca, "-x", &x, &ip("expired", "/a.txt")]),
        argv(&["-k", "-x", &x, &ip("expired", "/a.txt")]),
        // Through an HTTPS proxy: absolute-form, and CONNECT inside TLS.
        argv(&["-i", "--proxy-cacert", &ca, "-x", &https_proxy, &plain_a]),
        argv(&[
            "-i",
            "--proxy-cacert",
            &ca,
            "--cacert",
            &ca,
            "-x",
            &https_proxy,
            &ip("good", "/a.txt"),
        ]),
        argv(&[
            "-i",
            "-p",
            "--proxy-cacert",
            &ca,
            "-x",
            &https_proxy,
            &plain_a,
        ]),
        argv(&["-x", &https_proxy, &plain_a]),
        argv(&["--proxy-insecure", "-x", &https_proxy, &plain_a]),
        argv(&["--cacert", &ca, "-x", &https_proxy, &plain_a]),
    ];
    // Redirects from https to http and back.
    cases.push(argv(&[
        "-i",
        "-L",
        "--cacert",
        &ca,
        &plain_redirect(&nginx, &g("/a.txt")),
    ]));
    assert_same_as_curl(&cases);
}

/// An http URL on nginx's plain port that redirects to `target`.
fn plain_redirect(nginx: &NginxTls, target: &str) -> String {
    format!("http://127.0.0.1:{}/to?{}", nginx.port("plain"), target)
}
