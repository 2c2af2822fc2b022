//! A client that pipelines requests for large answers and never reads
//! them: the server stops reading it (memory stays bounded), serves other
//! clients meanwhile, and cuts it when the write stalls too long.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::memory::*;
use common::*;
use std::io::Write;
use std::time::{Duration, Instant};

#[test]
fn non_reading_client_is_throttled_and_others_are_served() {
    let server = serve(
        |s| s.write_timeout(Duration::from_secs(3)),
        |req: &Request| {
            if req.path() == "/big" {
                Response::new(StatusCode::OK).bytes(vec![b'z'; 1 << 20])
            } else {
                Response::text(StatusCode::OK, "small")
            }
        },
    );
    let before = rss_kib();
    let mut hog = connect(server.addr);
    hog.set_write_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    // 500 requests for 1 MiB each: 500 MiB if the server buffered them all.
    let mut raw = vec![];
    for _ in 0..500 {
        raw.extend(get("/big"));
    }
    let _ = hog.write_all(&raw); // may block once the server stops reading: fine
    let started = Instant::now();
    for _ in 0..10 {
        let (resp, _) = exchange(server.addr, &get("/small"));
        assert_eq!(resp.text(), "small");
    }
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "others were delayed"
    );
    let grown_mib = rss_kib().saturating_sub(before) / 1024;
    assert!(grown_mib < 64, "memory grew by {grown_mib} MiB");
    // The stalled writer is cut at the write timeout (3 s): wait past it
    // without reading, since reading would be progress.
    hog.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    std::thread::sleep(Duration::from_secs(5));
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0usize;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        use std::io::Read;
        match hog.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("{e}"),
        }
        assert!(Instant::now() < deadline, "stalled connection not cut");
    }
    assert!(total < 100 << 20, "read {total} bytes");
}
