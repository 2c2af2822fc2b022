//! A test fixture: a program that announces its address, then does other
//! work before it calls `serve` (here: it waits for a line, or EOF, on
//! stdin, so that a test can make the gap as long as it needs). A SIGINT
//! or SIGTERM sent in that gap must already be a graceful shutdown, since
//! `shutdown_on_signals` was called before the first line: `serve` then
//! returns at once and the program exits 0.
//!
//! `cargo run -p brisk-server --example signal_before_serve -- [HOST:PORT]`
use brisk_server::{Request, Response, Server, StatusCode};
use std::io::{BufRead, Write};

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let server = Server::bind(addr.as_str())?.shutdown_on_signals();
    println!("listening at http://{}/", server.local_addr());
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    server.serve(|_req: &Request| Response::text(StatusCode::OK, "served"))
}
