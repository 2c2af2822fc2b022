//! Plaintext: `200`, `Content-Type: text/plain`, `Hello, World!` (a
//! static body: a constant answer needs no allocation per response).
//!
//! `cargo run -p brisk-server --example hello -- [HOST:PORT]`
//!
//! `WORKERS=N` in the environment sets the number of worker threads
//! (default: available cores); benchmarks use one. `KEEP_ALIVE_REQUESTS=N`
//! sets how many requests a connection may make before the server closes
//! it (default 1000, as nginx); the load comparisons raise it, as they
//! raise nginx's `keepalive_requests`, so that wrk never reconnects.
//! `TLS_CERT=FILE` and
//! `TLS_KEY=FILE` (PEM) serve https instead (the TLS benchmarks);
//! `TLS_NO_RESUME=1` with them sends no session tickets, so that every
//! connection costs a full handshake.
use brisk_server::{Request, Response, Server, StatusCode, TlsConfig};
use std::io::Write;
use std::sync::Arc;

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let mut server = Server::bind(addr.as_str())?.shutdown_on_signals();
    if let Some(n) = std::env::var("WORKERS").ok().and_then(|n| n.parse().ok()) {
        server = server.workers(n);
    }
    if let Some(n) = std::env::var("KEEP_ALIVE_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        server = server.keep_alive_requests(n);
    }
    let scheme = match (std::env::var_os("TLS_CERT"), std::env::var_os("TLS_KEY")) {
        (Some(cert), Some(key)) => {
            let mut tls = TlsConfig::from_pem_files(cert, key)?;
            if std::env::var_os("TLS_NO_RESUME").is_some() {
                let mut config = (*tls.rustls_config()).clone();
                config.send_tls13_tickets = 0;
                config.session_storage =
                    Arc::new(brisk_server::rustls::server::NoServerSessionStorage {});
                tls = TlsConfig::from_rustls(Arc::new(config));
            }
            server = server.tls(tls);
            "https"
        }
        _ => "http",
    };
    println!("listening at {scheme}://{}/", server.local_addr());
    std::io::stdout().flush()?;
    server.serve(|_req: &Request| {
        Response::new(StatusCode::OK)
            .header("Content-Type", "text/plain")
            .static_bytes(b"Hello, World!")
    })
}
