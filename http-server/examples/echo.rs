//! Echoes the method, the decoded path, the query pairs and the body.
//!
//! `cargo run -p brisk-server --example echo -- [HOST:PORT]`, then
//! `curl -d 'a=1' 'http://127.0.0.1:8080/x?y=2'`.
use brisk_server::{Request, Response, Server, StatusCode};
use std::io::Write;

fn echo(req: &Request) -> Response {
    let mut text = format!("method: {}\npath: {}\n", req.method(), req.path());
    for (name, value) in req.query_pairs() {
        text.push_str(&format!("query: {name}={value}\n"));
    }
    text.push_str(&format!("body: {} bytes\n", req.body().len()));
    let mut body = text.into_bytes();
    body.extend_from_slice(req.body());
    Response::new(StatusCode::OK)
        .header("Content-Type", "text/plain; charset=utf-8")
        .bytes(body)
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let server = Server::bind(addr.as_str())?.shutdown_on_signals();
    println!("listening at http://{}/", server.local_addr());
    std::io::stdout().flush()?;
    server.serve(echo)
}
