//! A small multi-route app on the handler pool (its `/slow` route blocks),
//! with an access log through the completion hook.
//!
//! - `GET /` a short index, `GET /hello/NAME` a greeting,
//! - `POST /sum` adds the numbers of a form body (`a=1&b=2`),
//! - `GET /stream` a chunked body produced piece by piece,
//! - `GET /slow?ms=N` sleeps (fine: handlers run on the pool here),
//! - anything else 404, a known path with a wrong method 405 with `Allow`.
//!
//! `cargo run -p brisk-server --example routes -- [HOST:PORT]`
use brisk_server::{Method, Request, Response, Server, StatusCode};
use std::io::Write;
use std::time::Duration;

fn route(req: &Request) -> Response {
    let path = req.path();
    match (req.method(), path) {
        (Method::Get | Method::Head, "/") => Response::text(
            StatusCode::OK,
            "routes: /hello/NAME, POST /sum, /stream, /slow?ms=N\n",
        ),
        (Method::Get | Method::Head, p) if p.starts_with("/hello/") => Response::text(
            StatusCode::OK,
            format!("Hello, {}!\n", &p["/hello/".len()..]),
        ),
        (Method::Post, "/sum") => {
            let mut sum = 0i64;
            for (name, value) in brisk_core::form_pairs(req.body()) {
                match value.trim().parse::<i64>() {
                    Ok(n) => sum = sum.saturating_add(n),
                    Err(_) => {
                        return Response::text(
                            StatusCode::BAD_REQUEST,
                            format!("{name} is not a number\n"),
                        )
                    }
                }
            }
            Response::text(StatusCode::OK, format!("{sum}\n"))
        }
        (Method::Get | Method::Head, "/stream") => Response::new(StatusCode::OK)
            .header("Content-Type", "text/plain")
            .stream((1..=5).map(|i| Ok(format!("piece {i}\n").into_bytes()))),
        (Method::Get | Method::Head, "/slow") => {
            let ms = req
                .query_pairs()
                .into_iter()
                .find(|(k, _)| k == "ms")
                .and_then(|(_, v)| v.parse::<u64>().ok())
                .unwrap_or(100)
                .min(10_000);
            std::thread::sleep(Duration::from_millis(ms));
            Response::text(StatusCode::OK, format!("slept {ms} ms\n"))
        }
        (_, "/" | "/sum" | "/stream" | "/slow") => {
            Response::text(StatusCode::METHOD_NOT_ALLOWED, "405\n")
                .header("Allow", if path == "/sum" { "POST" } else { "GET, HEAD" })
        }
        _ => Response::text(StatusCode::NOT_FOUND, "404 Not Found\n"),
    }
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let server = Server::bind(addr.as_str())?
        .handler_threads(8)
        .shutdown_on_signals()
        .on_complete(|c| {
            eprintln!(
                "{} \"{} {} {}\" {} {} {:?}",
                c.peer.ip(),
                c.method,
                c.target,
                c.version.as_str(),
                c.status,
                c.bytes_sent,
                c.duration
            )
        });
    println!("listening at http://{}/", server.local_addr());
    std::io::stdout().flush()?;
    server.serve(route)
}
