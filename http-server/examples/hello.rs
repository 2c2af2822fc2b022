//! Plaintext: `200`, `Content-Type: text/plain`, `Hello, World!`.
//!
//! `cargo run -p http-server --example hello -- [HOST:PORT]`
//!
//! `WORKERS=N` in the environment sets the number of worker threads
//! (default: available cores); benchmarks use one.
use http_server::{Request, Response, Server, StatusCode};
use std::io::Write;

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let mut server = Server::bind(addr.as_str())?.shutdown_on_signals();
    if let Some(n) = std::env::var("WORKERS").ok().and_then(|n| n.parse().ok()) {
        server = server.workers(n);
    }
    println!("listening at http://{}/", server.local_addr());
    std::io::stdout().flush()?;
    server.serve(|_req: &Request| {
        Response::new(StatusCode::OK)
            .header("Content-Type", "text/plain")
            .bytes("Hello, World!")
    })
}
