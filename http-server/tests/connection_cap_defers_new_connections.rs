//! At `max_connections` a worker stops accepting; a waiting connection is
//! served as soon as another one closes.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Write};
use std::time::{Duration, Instant};

#[test]
fn the_next_connection_waits_for_a_free_slot() {
    let server = serve(
        |s| s.max_connections(2),
        |_r: &Request| Response::text(StatusCode::OK, "ok"),
    );
    let mut held: Vec<_> = (0..2)
        .map(|_| {
            let mut s = connect(server.addr);
            s.write_all(&get("/")).unwrap();
            let mut r = BufReader::new(s);
            assert_eq!(read_response(&mut r, false).status, 200);
            r
        })
        .collect();
    // The kernel completes the handshake (backlog), the server does not
    // accept: no answer yet.
    let mut waiting = connect(server.addr);
    waiting.write_all(&get("/")).unwrap();
    waiting
        .set_read_timeout(Some(Duration::from_millis(400)))
        .unwrap();
    let mut probe = [0u8; 1];
    let early = std::io::Read::read(&mut waiting, &mut probe);
    assert!(early.is_err(), "answered past the cap: {early:?}");
    let freed = Instant::now();
    drop(held.pop());
    waiting.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    let resp = read_response(&mut BufReader::new(waiting), false);
    assert_eq!(resp.status, 200);
    assert!(freed.elapsed() < Duration::from_secs(2));
}
