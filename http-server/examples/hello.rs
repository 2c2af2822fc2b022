//! Plaintext: `200`, `Content-Type: text/plain`, `Hello, World!`.
//!
//! `cargo run -p http-server --example hello -- [HOST:PORT]`
use http_server::{Request, Response, Server, StatusCode};
use std::io::Write;

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let server = Server::bind(addr.as_str())?.shutdown_on_signals();
    println!("listening at http://{}/", server.local_addr());
    std::io::stdout().flush()?;
    server.serve(|_req: &Request| {
        Response::new(StatusCode::OK)
            .header("Content-Type", "text/plain")
            .bytes("Hello, World!")
    })
}
