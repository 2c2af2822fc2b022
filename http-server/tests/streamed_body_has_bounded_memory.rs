//! A streamed body of any size goes through bounded memory: curl `-T`
//! of a 1 GiB sparse file to a streaming pool handler, with this
//! process's RSS sampled during the upload (growth under 32 MiB), and
//! every byte counted by the handler.
mod common;
use brisk_server::{streaming, Request, Response, StatusCode};
use common::memory::*;
use common::*;
use std::io::Read;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const SIZE: u64 = 1 << 30;

/// Reads the whole body in 64 KiB reads; answers its length and whether
/// every byte was zero.
fn count(req: &Request) -> Response {
    let mut r = req.body_reader();
    let mut buf = vec![0u8; 64 << 10];
    let (mut n, mut zero) = (0u64, true);
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => {
                zero &= buf[..k].iter().all(|&b| b == 0);
                n += k as u64;
            }
            Err(e) => return Response::text(StatusCode::BAD_REQUEST, format!("{e}")),
        }
    }
    Response::text(StatusCode::OK, format!("{n} {zero}"))
}

#[test]
fn one_gib_through_a_streaming_handler_in_bounded_memory() {
    let server = serve(|s| s.handler_threads(2), streaming(count));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sparse");
    std::fs::File::create(&file).unwrap().set_len(SIZE).unwrap();
    let before = rss_kib();
    let peak = Arc::new(AtomicU64::new(before));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let (ok, out, err) = run_bounded(
        Command::new("curl").args([
            "-sS",
            "--max-time",
            "120",
            "-T",
            &file.display().to_string(),
            &format!("http://{}/up", server.addr),
        ]),
        Duration::from_secs(130),
    );
    stop.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    assert!(ok, "{err}");
    assert_eq!(out, format!("{SIZE} true"));
    let growth_mib = peak.load(Ordering::Relaxed).saturating_sub(before) / 1024;
    assert!(growth_mib < 32, "RSS grew by {growth_mib} MiB");
}
