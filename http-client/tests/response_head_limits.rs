//! A response head past the client's limits is a clear error, not a hang
//! or an unbounded buffer.
mod common;
use common::*;

use std::net::TcpListener;
use std::time::Duration;

#[test]
fn too_many_response_headers_is_bad_response() {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for _ in 0..2 {
            let Ok((mut s, _)) = l.accept() else { return };
            read_request_head(&mut s);
            let mut resp = String::from("HTTP/1.1 200 OK\r\n");
            for i in 0..40 {
                resp.push_str(&format!("X-H{i}: v\r\n"));
            }
            resp.push_str("Content-Length: 2\r\n\r\nok");
            write_quiet(&mut s, resp.as_bytes());
        }
    });
    let url = format!("http://127.0.0.1:{port}/");
    let strict = brisk_client::Client::builder()
        .timeout(Duration::from_secs(5))
        .limits(brisk_client::Limits {
            max_headers: 20,
            ..Default::default()
        })
        .build();
    match strict.get(&url).send() {
        Err(brisk_client::Error::BadResponse(_)) => {}
        other => panic!("want BadResponse past 20 headers, got {other:?}"),
    }
    let default = brisk_client::Client::builder()
        .timeout(Duration::from_secs(5))
        .build();
    let r = default
        .get(&url)
        .send()
        .expect("41 headers are within the defaults");
    assert_eq!(r.text(10).expect("body"), "ok");
}
