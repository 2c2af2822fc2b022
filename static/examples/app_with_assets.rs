//! A multi-route app that mounts `StaticFiles` under `/assets` next to its
//! own routes.
//!
//! - `GET /` a short page that uses `/assets/style.css`,
//! - `GET /api/time` the server time,
//! - `/assets/...` the files under `ASSETS_DIR` (default: `.`),
//! - anything else 404.
//!
//! `cargo run -p brisk-static --example app_with_assets -- [HOST:PORT] [ASSETS_DIR]`
//!
//! Like every example server, it prints `listening at http://HOST:PORT/`
//! once it accepts connections.
use brisk_server::{Method, Request, Response, Server, StatusCode};
use brisk_static::StaticFiles;
use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let dir = args.next().unwrap_or_else(|| ".".to_string());
    if let Err(e) = run(&addr, &dir) {
        eprintln!("app_with_assets: {e}");
        std::process::exit(1);
    }
}

fn run(addr: &str, dir: &str) -> std::io::Result<()> {
    let assets = StaticFiles::new(dir)?.max_age(Some(std::time::Duration::from_secs(60)));
    let server = Server::bind(addr)?.shutdown_on_signals();
    println!("listening at http://{}/", server.local_addr());
    server.serve(move |req: &Request| route(&assets, req))
}

fn route(assets: &StaticFiles, req: &Request) -> Response {
    let path = req.raw_path();
    if path == "/assets" || path.starts_with("/assets/") {
        return assets.serve_under("/assets", req);
    }
    match (req.method(), path) {
        (Method::Get | Method::Head, "/") => Response::new(StatusCode::OK)
            .header("Content-Type", "text/html; charset=utf-8")
            .bytes(
                "<!DOCTYPE html><link rel=stylesheet href=/assets/style.css>\
                 <p>Hello from the app; files under <a href=/assets/>/assets/</a>.</p>\n",
            ),
        (Method::Get | Method::Head, "/api/time") => {
            let secs = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            Response::text(StatusCode::OK, format!("{secs}\n"))
        }
        _ => Response::text(StatusCode::NOT_FOUND, "404 Not Found\n"),
    }
}
