//! A file that shrinks while it is being sent: the connection closes
//! (curl reports a partial transfer) instead of hanging, and the server
//! goes on serving. A file deleted mid-transfer is still sent whole (the
//! open descriptor keeps it alive).
mod common;
use common::*;
use std::time::{Duration, Instant};

#[test]
fn file_truncated_mid_transfer() {
    let dir = site();
    let data = vec![b'x'; 20 << 20];
    write(dir.path(), "shrinks.bin", &data);
    write(dir.path(), "deleted.bin", &data);
    write(dir.path(), "ok.txt", "ok");
    let server = StaticServer::start(dir.path(), &["-q"]);

    for (name, truncate) in [("shrinks.bin", true), ("deleted.bin", false)] {
        let url = format!("{}{name}", server.url);
        let sink = dir.path().join(format!("{name}.download"));
        let started = Instant::now();
        let client = slow_download(&url, &sink, "4M");
        wait_for_bytes(&sink, 64 << 10);
        let path = dir.path().join(name);
        if truncate {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .expect("open")
                .set_len(1 << 20)
                .expect("truncate");
        } else {
            std::fs::remove_file(&path).expect("remove");
        }
        let out = client.wait_with_output().expect("curl output");
        let elapsed = started.elapsed();
        let got: u64 = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0);
        assert!(
            elapsed < Duration::from_secs(25),
            "{name}: took {elapsed:?}"
        );
        if truncate {
            // curl 18 "transfer closed with outstanding read data remaining",
            // or 56 "connection reset": either way closed, not hung.
            assert!(
                matches!(out.status.code(), Some(18 | 56)),
                "{name}: {:?}, {got} bytes",
                out.status
            );
            assert!(got < data.len() as u64);
        } else {
            assert!(out.status.success(), "{name}");
            assert_eq!(got, data.len() as u64);
        }
    }
    assert_eq!(curl(&[&format!("{}ok.txt", server.url)]).stdout, b"ok");
}
