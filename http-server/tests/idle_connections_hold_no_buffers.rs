//! An idle keep-alive connection holds no buffers: thousands of them cost
//! a few hundred bytes each (nginx: ~500-600 measured here).
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::memory::*;
use common::*;
use std::io::{BufReader, Write};

#[test]
fn idle_keep_alive_connections_are_cheap() {
    const N: usize = 3000;
    if !descriptors_allow(2 * N + 100) {
        return;
    }
    let server = serve(
        |s| s,
        |_r: &Request| Response::text(StatusCode::OK, "hello"),
    );
    // Warm up the worker (its first allocations are not per connection).
    let mut warm: Vec<_> = (0..200).map(|_| connect(server.addr)).collect();
    for s in &mut warm {
        s.write_all(&get("/")).unwrap();
    }
    for s in warm {
        read_response(&mut BufReader::new(s), false);
    }
    let mut clients = Vec::with_capacity(N);
    let before = rss_kib();
    for _ in 0..N {
        let mut s = connect(server.addr);
        s.write_all(&get("/")).unwrap();
        clients.push(s);
    }
    for s in &clients {
        let resp = read_response(&mut BufReader::new(s), false);
        assert_eq!(resp.status, 200);
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    let per_conn = (rss_kib() - before) * 1024 / N as u64;
    // Without freeing, each would keep at least a 1 KiB read buffer and
    // its write buffer.
    assert!(per_conn < 700, "{per_conn} bytes per idle connection");
}
