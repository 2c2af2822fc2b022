//! tungstenite's blocking client, the echo loop of
//! `http-client/examples/ws_echo_loop.rs` message for message:
//!
//!     tungstenite-client ws://127.0.0.1:PORT/echo [MESSAGES] [IN_FLIGHT]
//!
//! Prints `messages N wall_s W cpu_s C`.

use std::time::Instant;

use tungstenite::{connect, Message};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .ok_or("usage: tungstenite-client URL [MESSAGES] [IN_FLIGHT]")?;
    let total: u64 = args.get(2).map_or(Ok(200_000), |s| s.parse())?;
    let window: u64 = args.get(3).map_or(Ok(16), |s| s.parse())?;
    let payload = "x".repeat(64);
    let t0 = Instant::now();
    let (mut ws, _) = connect(url.as_str())?;
    let mut got = 0u64;
    while got < total {
        // A batch of IN_FLIGHT messages in one write (write queues, flush
        // sends), then their echoes.
        let batch = window.min(total - got);
        for _ in 0..batch {
            ws.write(Message::text(payload.clone()))?;
        }
        ws.flush()?;
        for _ in 0..batch {
            match ws.read()? {
                Message::Text(t) if t.len() == payload.len() => got += 1,
                other => return Err(format!("unexpected {other:?}").into()),
            }
        }
    }
    ws.close(None)?;
    loop {
        match ws.read() {
            Ok(_) => {}
            Err(tungstenite::Error::ConnectionClosed) => break,
            Err(e) => return Err(e.into()),
        }
    }
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
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
        f.iter().filter_map(|v| v.parse::<f64>().ok()).sum()
    });
    ticks / 100.0
}
