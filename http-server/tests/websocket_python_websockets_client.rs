//! Python's `websockets` (the library most Python clients use) against
//! the `ws_echo` example: echo of text and binary, with and without
//! permessage-deflate, 1 MiB messages, the chat topic, and a clean close.
mod common;
use common::*;
use std::process::Command;
use std::time::Duration;

const SCRIPT: &str = r#"
import asyncio, sys
try:
    import websockets
except ImportError:
    print("MISSING websockets: run scripts/install-peers.sh (pip install websockets)")
    sys.exit(3)

async def main(base):
    for compression in ("deflate", None):
        async with websockets.connect(base + "/echo", compression=compression, max_size=None) as ws:
            ext = ws.response.headers.get("Sec-WebSocket-Extensions")
            assert (ext is not None) == (compression is not None), ext
            await ws.send("héllo")
            assert await ws.recv() == "héllo"
            await ws.send(b"\x00\xff")
            assert await ws.recv() == b"\x00\xff"
            big = bytes(range(256)) * 4096
            await ws.send(big)
            assert await ws.recv() == big
            text = "compressible text " * 50000
            await ws.send(text)
            assert await ws.recv() == text
            pong = await ws.ping(b"p")
            await asyncio.wait_for(pong, 5)
        assert ws.close_code == 1000, ws.close_code
    async with websockets.connect(base + "/chat") as a, websockets.connect(base + "/chat") as b:
        await asyncio.sleep(0.2)
        await a.send("hi all")
        assert await asyncio.wait_for(a.recv(), 5) == "hi all"
        assert await asyncio.wait_for(b.recv(), 5) == "hi all"
    print("OK")

asyncio.run(asyncio.wait_for(main(sys.argv[1]), 60))
"#;

#[test]
fn python_websockets_echo_compression_and_chat() {
    let mut cmd = Command::new(example("ws_echo"));
    cmd.arg("127.0.0.1:0");
    let server = spawn_server(cmd);
    let url = format!("ws://{}", server.addr);
    let (ok, out, err) = run_bounded(
        Command::new("python3").args(["-c", SCRIPT, &url]),
        Duration::from_secs(90),
    );
    assert!(ok && out.trim() == "OK", "stdout: {out}\nstderr: {err}");
}
