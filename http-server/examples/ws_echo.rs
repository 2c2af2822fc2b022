//! WebSocket echo and chat (the example the checks use).
//!
//! `cargo run --release -p brisk-server --example ws_echo -- [HOST:PORT]`
//! prints `listening at http://HOST:PORT/` (https with `TLS_CERT` and
//! `TLS_KEY` set to PEM files), then serves:
//! - `/echo`: every message back with its opcode; permessage-deflate when
//!   offered; messages up to 16 MiB;
//! - `/chat`: each connection subscribes to topic `chat`; every text
//!   message is published to all `/chat` connections, the sender's too.
//!
//! `WS_PING_INTERVAL_MS` and `WS_PONG_TIMEOUT_MS` replace the heartbeat
//! defaults (30 s each). `REDIS_URL` (built with `--features redis`)
//! relays `chat` through Redis, so that `/chat` clients of several
//! processes see each other's messages. SIGTERM/SIGINT: graceful
//! shutdown, 1001 to every WebSocket. Warnings (Redis away) go to stderr;
//! `RUST_LOG` sets the level.
use brisk_server::ws::{Endpoint, Message, WebSocket, WsConn, WsSettings};
use brisk_server::{Request, Response, Server, StatusCode, TlsConfig};
use std::io::Write;
use std::time::Duration;

struct Echo;

impl Endpoint for Echo {
    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
        ws.send(msg);
    }
}

struct Chat;

impl Endpoint for Chat {
    fn open(&self, ws: &mut WsConn<'_>) {
        ws.subscribe("chat");
    }

    fn message(&self, ws: &mut WsConn<'_>, msg: Message<'_>) {
        if let Message::Text(_) = msg {
            ws.publish("chat", msg);
        }
    }
}

/// A duration in milliseconds from the environment, if set and valid.
fn env_ms(name: &str) -> Option<Duration> {
    let v = std::env::var(name).ok()?;
    match v.trim().parse::<u64>() {
        Ok(ms) => Some(Duration::from_millis(ms)),
        Err(_) => {
            eprintln!("ws_echo: ignoring {name}={v:?}: not a number of milliseconds");
            None
        }
    }
}

fn settings() -> WsSettings {
    let mut s = WsSettings::default();
    if let Some(d) = env_ms("WS_PING_INTERVAL_MS") {
        s.ping_interval = d;
    }
    if let Some(d) = env_ms("WS_PONG_TIMEOUT_MS") {
        s.pong_timeout = d;
    }
    // An echo of a 16 MiB message must fit the send buffer.
    s.max_message_bytes = 16 << 20;
    s.max_backpressure_bytes = 17 << 20;
    s
}

/// Relays `/chat` through Redis when `REDIS_URL` is set.
#[cfg(feature = "redis")]
fn relay_chat(chat: &WebSocket) -> std::io::Result<()> {
    if let Ok(url) = std::env::var("REDIS_URL") {
        brisk_server::ws::redis::RedisRelay::start(chat, &url, "ws_echo:")?;
    }
    Ok(())
}

#[cfg(not(feature = "redis"))]
fn relay_chat(_: &WebSocket) -> std::io::Result<()> {
    if std::env::var_os("REDIS_URL").is_some() {
        eprintln!("ws_echo: REDIS_URL ignored: built without the redis feature");
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let mut server = Server::bind(addr.as_str())?.shutdown_on_signals();
    let scheme = match (std::env::var_os("TLS_CERT"), std::env::var_os("TLS_KEY")) {
        (Some(cert), Some(key)) => {
            server = server.tls(TlsConfig::from_pem_files(cert, key)?);
            "https"
        }
        _ => "http",
    };
    let echo = WebSocket::with_settings(Echo, settings());
    let chat = WebSocket::with_settings(Chat, settings());
    relay_chat(&chat)?;
    println!("listening at {scheme}://{}/", server.local_addr());
    std::io::stdout().flush()?;
    server.serve(move |req: &Request| match req.path() {
        "/echo" => echo.upgrade(req),
        "/chat" => chat.upgrade(req),
        _ => Response::text(StatusCode::NOT_FOUND, "try /echo or /chat\n"),
    })
}
