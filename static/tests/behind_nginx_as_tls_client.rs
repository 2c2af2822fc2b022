//! `static --tls-cert/--tls-key` behind nginx as a TLS client: `proxy_pass
//! https://` to an upstream `keepalive` pool, the test CA as
//! `proxy_ssl_trusted_certificate` with `proxy_ssl_verify on`,
//! `proxy_ssl_name localhost` and SNI. Responses arrive intact (full,
//! ranged, a 5 MB file, 304, listing, 404) and nginx reuses its upstream
//! TLS connections.
mod common;
use common::nginx::{check_site_through, write_site, Nginx, UpstreamCount};
use common::tls::{path_str, Pki};
use common::*;
use std::net::Ipv4Addr;

/// nginx's `proxy_bind` here; no other test uses it.
const UPSTREAM_SOURCE: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 78);

#[test]
fn behind_nginx_as_tls_client() {
    require_peer("nginx", "-v");
    let dir = site();
    let big = write_site(dir.path());
    let pki = Pki::new();
    let tls = pki.args("good");
    let mut args = vec!["-q"];
    args.extend(tls.iter().map(String::as_str));
    let server = StaticServer::start(&dir.path().join("site"), &args);
    assert!(server.url.starts_with("https://"), "{}", server.first_line);
    let count = UpstreamCount::new(UPSTREAM_SOURCE, server.addr.port());
    let nginx = Nginx::start(&dir.path().join("nginx"), |port| {
        format!(
            "  upstream static_upstream {{ server {upstream}; keepalive 8; }}\n\
               upstream fresh_upstream {{ server {upstream}; }}\n\
               server {{\n    listen 127.0.0.1:{port};\n\
                 location / {{\n      proxy_pass https://static_upstream;\n      proxy_http_version 1.1;\n\
                   proxy_bind {UPSTREAM_SOURCE};\n\
                   proxy_set_header Connection \"\";\n      proxy_max_temp_file_size 0;\n\
                   proxy_ssl_trusted_certificate {ca};\n      proxy_ssl_verify on;\n\
                   proxy_ssl_name localhost;\n      proxy_ssl_server_name on;\n    }}\n\
                 location /wrongname/ {{\n      proxy_pass https://fresh_upstream/;\n\
                   proxy_ssl_trusted_certificate {ca};\n      proxy_ssl_verify on;\n\
                   proxy_ssl_name wrong.example;\n    }}\n  }}",
            upstream = server.addr,
            ca = path_str(&pki.ca),
        )
    });

    check_site_through(&nginx.base, &big);

    // 27 requests went upstream, one at a time: with keep-alive they share
    // one TLS connection (allow a second in case one was closed and redialled).
    let used = count.opened();
    assert!(
        (1..=2).contains(&used),
        "nginx opened {used} upstream connections for 27 requests"
    );
    // nginx did verify us: the same server under a name the certificate
    // does not carry is refused (502), and that is the only TLS error. (It
    // goes through an upstream without a pool: nginx hands out a pooled
    // connection whatever proxy_ssl_name the location has.)
    let errors = nginx.errors();
    assert!(
        !errors.contains("SSL"),
        "nginx logged TLS errors talking to static: {errors}"
    );
    assert_eq!(
        curl_status(&format!("{}wrongname/a.txt", nginx.base), &[]),
        502
    );
    let errors = nginx.errors();
    assert!(errors.contains("upstream SSL certificate"), "{errors}");
}
