//! After an error response the server half-closes and drains the peer's
//! input before closing, so a client still sending its (refused) body
//! receives the whole response instead of a reset that destroys it.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Write};
use std::time::Duration;

#[test]
fn client_still_uploading_reads_the_whole_413() {
    let server = serve(
        |s| s.max_body_bytes(1000),
        |_r: &Request| Response::text(StatusCode::OK, "fine"),
    );
    for _ in 0..5 {
        let s = connect(server.addr);
        let mut w = s.try_clone().unwrap();
        w.set_write_timeout(Some(Duration::from_secs(3))).unwrap();
        // Like curl: a failed upload write aborts the whole exchange, so
        // the client must not see a reset while it is still sending.
        let writer = std::thread::spawn(move || -> std::io::Result<()> {
            w.write_all(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 8000000\r\n\r\n")?;
            let block = vec![b'x'; 64 << 10];
            for _ in 0..30 {
                w.write_all(&block)?;
                std::thread::sleep(Duration::from_millis(5));
            }
            Ok(())
        });
        // Let the server answer and close while body bytes are in flight.
        std::thread::sleep(Duration::from_millis(200));
        let mut r = BufReader::new(s);
        let resp = read_response(&mut r, false);
        assert_eq!(resp.status, 413);
        assert_eq!(resp.text(), "413 Content Too Large\n");
        writer.join().unwrap().expect("the upload was reset");
    }
}

/// A real client in the same situation. (curl reads an early response
/// even when a reset follows, so this one would pass without lingering;
/// the raw client above is the one that tells.)
#[test]
fn curl_uploading_too_much_gets_the_413() {
    let server = serve(
        |s| s.max_body_bytes(1000),
        |_r: &Request| Response::text(StatusCode::OK, "fine"),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big");
    std::fs::write(&file, vec![0u8; 3_000_000]).unwrap();
    let (ok, out, err) = run_bounded(
        std::process::Command::new("curl").args([
            "-sS",
            "--max-time",
            "10",
            "-H",
            "Expect:",
            "--data-binary",
            &format!("@{}", file.display()),
            "-w",
            "\n%{http_code}",
            &format!("http://{}/", server.addr),
        ]),
        Duration::from_secs(15),
    );
    assert!(ok, "curl failed: {err}");
    assert_eq!(out, "413 Content Too Large\n\n413");
}
