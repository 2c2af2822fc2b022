//! TLS (issue 10): a session inside another one, as through an HTTPS
//! proxy: TLS to the proxy (a Python asyncio relay with its own
//! certificate), `CONNECT` inside it, then TLS to nginx through the
//! tunnel, both sessions verified; a 2 MiB download crosses both layers.
mod common;
#[path = "common/tls.rs"]
mod tls;

use std::time::Instant;

use brisk_client::tls::stream::Wire;
use brisk_client::tls::TlsConn;
use tls::*;

const RELAY: &str = r#"
import asyncio, ssl, sys
async def pipe(r, w):
    try:
        while True:
            b = await r.read(65536)
            if not b:
                break
            w.write(b)
            await w.drain()
    except Exception:
        pass
    finally:
        try:
            w.close()
        except Exception:
            pass
async def handle(r, w):
    head = await r.readuntil(b"\r\n\r\n")
    host, port = head.split(b" ")[1].decode().rsplit(":", 1)
    ur, uw = await asyncio.open_connection(host, int(port))
    w.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
    await w.drain()
    await asyncio.gather(pipe(r, uw), pipe(ur, w))
async def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    srv = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), ssl=ctx)
    async with srv:
        await srv.serve_forever()
asyncio.run(main())
"#;

#[test]
fn tls_to_the_origin_through_a_tls_proxy_tunnel() {
    let fx = TlsFixture::new();
    let big: Vec<u8> = (0..2 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let nginx = start_nginx_tls_good(&fx, &[("big.bin", &big)]);
    let relay = start_python_tls(&fx, "good", RELAY);
    let port = relay.port;
    let config = fx.config();
    let deadline = Instant::now() + TLS_TIMEOUT;
    let mut proxy = tls_connect(port, "localhost", &config).expect("TLS to the proxy");
    let origin = nginx.port("good");
    let connect =
        format!("CONNECT 127.0.0.1:{origin} HTTP/1.1\r\nHost: 127.0.0.1:{origin}\r\n\r\n");
    proxy
        .write_all(connect.as_bytes(), deadline)
        .expect("CONNECT");
    while !proxy.buffered().ends_with(b"\r\n\r\n") {
        assert!(
            proxy.fill(deadline).expect("CONNECT reply") > 0,
            "proxy closed"
        );
    }
    assert!(proxy.buffered().starts_with(b"HTTP/1.1 200"));
    let n = proxy.buffered().len();
    proxy.consume(n);
    let peer = proxy.peer();
    // Boxed, as a connection layer holding either kind of wire would.
    let wire: Box<dyn Wire + Send> = Box::new(proxy);
    let mut inner = TlsConn::over(wire, peer, "127.0.0.1", &config).expect("inner session");
    inner
        .handshake(deadline)
        .expect("TLS to the origin inside the tunnel");
    assert_eq!(inner.info().ssl_verify_result(), 0);
    assert_eq!(inner.info().version.as_deref(), Some("TLSv1.3"));
    let got = get(&mut inner, "127.0.0.1", "/big.bin", false);
    assert!(got.head.starts_with("HTTP/1.1 200 OK"), "{}", got.head);
    assert!(got.body == big, "body differs ({} bytes)", got.body.len());
    // The connection is still usable for a second request.
    assert!(inner.probe_alive());
    assert_eq!(
        get(&mut inner, "127.0.0.1", "/big.bin", false).body.len(),
        big.len()
    );
}
