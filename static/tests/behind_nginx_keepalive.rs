//! `static` behind nginx as a reverse proxy with upstream keep-alive
//! (`proxy_http_version 1.1`, `keepalive`): responses arrive intact (full,
//! ranged, 304, listing, 404) and nginx reuses its upstream connections.
mod common;
use common::nginx::{check_site_through, write_site, Nginx, UpstreamCount};
use common::*;
use std::net::Ipv4Addr;

/// nginx's `proxy_bind` here; no other test uses it.
const UPSTREAM_SOURCE: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 77);

#[test]
fn behind_nginx_keepalive() {
    require_peer("nginx", "-v");
    let dir = site();
    let big = write_site(dir.path());
    let server = StaticServer::start(&dir.path().join("site"), &["-q"]);
    let count = UpstreamCount::new(UPSTREAM_SOURCE, server.addr.port());
    let nginx = Nginx::start(&dir.path().join("nginx"), |port| {
        format!(
            "  upstream static_upstream {{ server {upstream}; keepalive 8; }}\n\
               server {{\n    listen 127.0.0.1:{port};\n\
                 location / {{\n      proxy_pass http://static_upstream;\n      proxy_http_version 1.1;\n\
                   proxy_bind {UPSTREAM_SOURCE};\n\
                   proxy_set_header Connection \"\";\n      proxy_max_temp_file_size 0;\n    }}\n  }}",
            upstream = server.addr,
        )
    });

    check_site_through(&nginx.base, &big);

    // 27 requests went upstream, one at a time: with keep-alive they share
    // one connection (allow a second in case one was closed and redialled).
    let used = count.opened();
    assert!(
        (1..=2).contains(&used),
        "nginx opened {used} upstream connections for 27 requests"
    );
}
