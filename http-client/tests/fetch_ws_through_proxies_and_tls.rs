//! `fetch ws://` and `wss://` open through the same road as HTTP: an HTTP
//! proxy (tinyproxy, always a CONNECT tunnel), SOCKS5 and SOCKS4 (dante),
//! SOCKS5 with remote names (microsocks), an HTTPS proxy (stunnel in
//! front of tinyproxy); wss with the test CA, `-k`, and curl's exit 60
//! for an untrusted or misnamed certificate.

mod common;
#[path = "common/tls.rs"]
mod tls;
#[path = "common/ws.rs"]
mod ws;

use common::{code, fetch, start_danted, start_microsocks, start_tinyproxy, stderr};
use tls::{start_stunnel, TlsFixture};
use ws::{FetchWs, Finished};

/// One line echoed through `fetch args...`, then the end of input.
fn echo_once(args: &[&str]) -> Finished {
    let mut f = FetchWs::start(args);
    f.send(b"through");
    assert_eq!(f.text(), "through", "args {args:?}");
    let done = f.finish();
    assert_eq!(done.code, 0, "{args:?}: {}", done.stderr);
    done
}

#[test]
fn http_proxy_tunnels_with_connect() {
    let peer = ws::start_py_ws(&[]);
    let proxy = start_tinyproxy("");
    let done = echo_once(&[
        "-v",
        "-x",
        &format!("http://127.0.0.1:{}", proxy.port),
        &ws::ws_url(&peer, "/echo"),
    ]);
    let tunnel = format!("> CONNECT 127.0.0.1:{} HTTP/1.1", peer.port);
    assert!(done.stderr.contains(&tunnel), "{}", done.stderr);
}

#[test]
fn socks_proxies_carry_the_websocket() {
    let peer = ws::start_py_ws(&[]);
    let dante = start_danted();
    let micro = start_microsocks(None);
    let url = ws::ws_url(&peer, "/echo");
    for proxy in [
        format!("socks5://127.0.0.1:{}", dante.port),
        format!("socks4://127.0.0.1:{}", dante.port),
        format!("socks5h://127.0.0.1:{}", micro.port),
    ] {
        let done = echo_once(&["-v", "-x", &proxy, &url]);
        let note = format!("Proxy tunnel to 127.0.0.1:{} established", peer.port);
        assert!(done.stderr.contains(&note), "{proxy}: {}", done.stderr);
    }
}

#[test]
fn wss_trusts_the_test_ca_and_refuses_what_it_must() {
    let fx = TlsFixture::new();
    let good = fx.path("good.crt");
    let good_key = fx.path("good.key");
    let peer = ws::start_py_ws(&[
        "--cert",
        good.to_str().unwrap(),
        "--key",
        good_key.to_str().unwrap(),
    ]);
    let url = format!("wss://127.0.0.1:{}/echo", peer.port);
    let ca = fx.ca.to_str().unwrap().to_string();
    let done = echo_once(&["-v", "--cacert", &ca, &url]);
    assert!(
        done.stderr.contains("SSL certificate verify ok"),
        "{}",
        done.stderr
    );
    // By name, with --resolve pinning it to loopback.
    let by_name = format!("wss://localhost:{}/echo", peer.port);
    let pin = format!("localhost:{}:127.0.0.1", peer.port);
    echo_once(&["--cacert", &ca, "--resolve", &pin, &by_name]);
    // Trusting another certificate only (not the test CA): 60; -k goes on.
    let out = fetch(&["--cacert", fx.path("client.crt").to_str().unwrap(), &url]);
    assert_eq!(code(&out), 60, "{}", stderr(&out));
    echo_once(&["-k", &url]);

    let other = fx.path("other_name.crt");
    let other_key = fx.path("other_name.key");
    let misnamed = ws::start_py_ws(&[
        "--cert",
        other.to_str().unwrap(),
        "--key",
        other_key.to_str().unwrap(),
    ]);
    let out = fetch(&[
        "--cacert",
        &ca,
        &format!("wss://127.0.0.1:{}/echo", misnamed.port),
    ]);
    assert_eq!(code(&out), 60, "{}", stderr(&out));
}

#[test]
fn wss_through_an_https_proxy() {
    let fx = TlsFixture::new();
    let good = fx.path("good.crt");
    let good_key = fx.path("good.key");
    let peer = ws::start_py_ws(&[
        "--cert",
        good.to_str().unwrap(),
        "--key",
        good_key.to_str().unwrap(),
    ]);
    let tinyproxy = start_tinyproxy("");
    let stunnel = start_stunnel(&fx, "good", tinyproxy.port);
    let ca = fx.ca.to_str().unwrap().to_string();
    let proxy = format!("https://127.0.0.1:{}", stunnel.port);
    // TLS to the proxy, CONNECT inside it, the origin's TLS inside that.
    echo_once(&[
        "--proxy-cacert",
        &ca,
        "--cacert",
        &ca,
        "-x",
        &proxy,
        &format!("wss://127.0.0.1:{}/echo", peer.port),
    ]);
    // And ws:// through the same HTTPS proxy.
    let plain = ws::start_py_ws(&[]);
    echo_once(&[
        "--proxy-cacert",
        &ca,
        "-x",
        &proxy,
        &ws::ws_url(&plain, "/echo"),
    ]);
}
