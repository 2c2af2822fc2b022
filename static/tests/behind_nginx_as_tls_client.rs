//! `static --tls-cert/--tls-key` behind nginx as a TLS client: `proxy_pass
//! https://` to an upstream `keepalive` pool, the test CA as
//! `proxy_ssl_trusted_certificate` with `proxy_ssl_verify on`,
//! `proxy_ssl_name localhost` and SNI. Responses arrive intact (full,
//! ranged, a 5 MB file, 304, listing, 404) and nginx reuses its upstream
//! TLS connections.
mod common;
use common::tls::{path_str, Pki};
use common::*;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Nginx {
    child: Child,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM to the master stops its workers too; SIGKILL would orphan them.
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// Distinct client-side ports of TCP sockets (any state, TIME_WAIT
/// included) connected to 127.0.0.1:`port`: one per upstream connection
/// nginx ever opened.
fn upstream_connections(port: u16) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
    let remote = format!("0100007F:{port:04X}");
    let mut local_ports: Vec<&str> = table
        .lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols.len() > 3 && cols[2] == remote).then(|| cols[1])
        })
        .collect();
    local_ports.sort_unstable();
    local_ports.dedup();
    local_ports.len()
}

#[test]
fn behind_nginx_as_tls_client() {
    require_peer("nginx", "-v");
    let dir = site();
    let big: Vec<u8> = (0..5_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    write(dir.path(), "site/big.bin", &big);
    write(dir.path(), "site/a.txt", "alpha");
    write(dir.path(), "site/sub/b.txt", "beta");
    let pki = Pki::new();
    let tls = pki.args("good");
    let mut args = vec!["-q"];
    args.extend(tls.iter().map(String::as_str));
    let server = StaticServer::start(&dir.path().join("site"), &args);
    assert!(server.url.starts_with("https://"), "{}", server.first_line);

    let conf_dir = dir.path().join("nginx");
    std::fs::create_dir_all(&conf_dir).expect("mkdir");
    let port = free_port();
    let d = conf_dir.display();
    let conf = format!(
        "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 128; }}\n\
         http {{\n  access_log off;\n\
           client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n\
           uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
           upstream static_upstream {{ server {upstream}; keepalive 8; }}\n\
           upstream fresh_upstream {{ server {upstream}; }}\n\
           server {{\n    listen 127.0.0.1:{port};\n\
             location / {{\n      proxy_pass https://static_upstream;\n      proxy_http_version 1.1;\n\
               proxy_set_header Connection \"\";\n      proxy_max_temp_file_size 0;\n\
               proxy_ssl_trusted_certificate {ca};\n      proxy_ssl_verify on;\n\
               proxy_ssl_name localhost;\n      proxy_ssl_server_name on;\n    }}\n\
             location /wrongname/ {{\n      proxy_pass https://fresh_upstream/;\n\
               proxy_ssl_trusted_certificate {ca};\n      proxy_ssl_verify on;\n\
               proxy_ssl_name wrong.example;\n    }}\n  }}\n}}\n",
        upstream = server.addr,
        ca = path_str(&pki.ca),
    );
    std::fs::write(conf_dir.join("nginx.conf"), conf).expect("write conf");
    let child = Command::new("nginx")
        .arg("-p")
        .arg(&conf_dir)
        .arg("-c")
        .arg(conf_dir.join("nginx.conf"))
        .arg("-e")
        .arg(conf_dir.join("error.log"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| missing_peer("nginx", e));
    let _nginx = Nginx { child };
    let front: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let deadline = Instant::now() + STEP_TIMEOUT;
    while TcpStream::connect(front).is_err() {
        assert!(Instant::now() < deadline, "nginx did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let base = format!("http://127.0.0.1:{port}/");

    // Twenty separate clients (a new curl, so a new connection to nginx each time).
    for i in 0..20 {
        let out = curl(&[&format!("{base}a.txt?i={i}")]);
        assert_eq!(out.stdout, b"alpha", "request {i}");
    }
    assert_eq!(curl(&[&format!("{base}big.bin")]).stdout, big);
    assert_eq!(
        curl(&["-r", "1000-1999", &format!("{base}big.bin")]).stdout,
        &big[1000..2000]
    );
    let reply = parse_reply(&curl(&["-i", &format!("{base}a.txt")]).stdout);
    let etag = reply
        .header("ETag")
        .expect("etag through nginx")
        .to_string();
    assert_eq!(
        curl_status(
            &format!("{base}a.txt"),
            &["-H", &format!("If-None-Match: {etag}")]
        ),
        304
    );
    assert_eq!(curl_status(&format!("{base}missing"), &[]), 404);
    let reply = parse_reply(&curl(&["-i", &format!("{base}sub")]).stdout);
    assert_eq!(reply.status, 301);
    let listing = String::from_utf8_lossy(&curl(&[&format!("{base}sub/")]).stdout).into_owned();
    assert!(listing.contains("href=\"./b.txt\""));
    assert_eq!(curl(&[&format!("{base}sub/b.txt")]).stdout, b"beta");

    // 27 requests went upstream, one at a time: with keep-alive they share
    // one TLS connection (allow a second in case one was closed and redialled).
    let used = upstream_connections(server.addr.port());
    assert!(
        (1..=2).contains(&used),
        "nginx opened {used} upstream connections for 27 requests"
    );
    // nginx did verify us: the same server under a name the certificate
    // does not carry is refused (502), and that is the only TLS error. (It
    // goes through an upstream without a pool: nginx hands out a pooled
    // connection whatever proxy_ssl_name the location has.)
    let errors = std::fs::read_to_string(conf_dir.join("error.log")).unwrap_or_default();
    assert!(
        !errors.contains("SSL"),
        "nginx logged TLS errors talking to static: {errors}"
    );
    assert_eq!(curl_status(&format!("{base}wrongname/a.txt"), &[]), 502);
    let errors = std::fs::read_to_string(conf_dir.join("error.log")).unwrap_or_default();
    assert!(errors.contains("upstream SSL certificate"), "{errors}");
}
