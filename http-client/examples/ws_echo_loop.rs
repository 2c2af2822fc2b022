//! The library's WebSocket echo loop, for `benches/load/ws_vs_tungstenite.py`
//! (issue 23's benchmark against tungstenite's blocking client, which
//! `benches/peers/tungstenite-client` runs the same way).
//!
//!     ws_echo_loop ws://127.0.0.1:PORT/echo [MESSAGES] [IN_FLIGHT]
//!
//! Sends MESSAGES (default 200,000) text messages of 64 bytes in batches
//! of IN_FLIGHT (default 16; one write each), reading a batch's echoes
//! before the next, then closes; prints
//! `messages N wall_s W cpu_s C` (the process's user + system time).

use std::time::Instant;

use brisk_client::ws::{CloseCode, Message};
use brisk_client::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .ok_or("usage: ws_echo_loop URL [MESSAGES] [IN_FLIGHT]")?;
    let total: u64 = args.get(2).map_or(Ok(200_000), |s| s.parse())?;
    let window: u64 = args.get(3).map_or(Ok(16), |s| s.parse())?;
    let payload = "x".repeat(64);
    let t0 = Instant::now();
    let mut ws = Client::builder().build().websocket(url).connect()?;
    let mut got = 0u64;
    while got < total {
        // A batch of IN_FLIGHT messages in one write, then their echoes.
        let batch = window.min(total - got);
        for _ in 0..batch {
            ws.queue_text(&payload)?;
        }
        ws.flush()?;
        for _ in 0..batch {
            match ws.recv()? {
                Message::Text(t) if t.len() == payload.len() => got += 1,
                other => return Err(format!("unexpected {other:?}").into()),
            }
        }
    }
    ws.close(CloseCode::Normal, "")?;
    while !matches!(ws.recv()?, Message::Close(_)) {}
    let wall = t0.elapsed().as_secs_f64();
    println!("messages {got} wall_s {wall:.6} cpu_s {:.6}", cpu_seconds());
    Ok(())
}

/// This process's user + system CPU seconds so far (`/proc/self/stat`).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    // Fields 14 and 15 (utime, stime), counted after the ")".
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
        f.iter().filter_map(|v| v.parse::<f64>().ok()).sum()
    });
    ticks / 100.0
}
