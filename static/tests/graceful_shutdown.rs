//! SIGTERM and SIGINT stop the server: exit 0, quickly, and a request in
//! flight still completes.
mod common;
use common::*;
use std::process::Command;
use std::time::Duration;

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args(["-s", name, &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

#[test]
fn graceful_shutdown() {
    let dir = site();
    write(dir.path(), "f.txt", "x");
    for sig in ["TERM", "INT"] {
        let mut server = StaticServer::start(dir.path(), &["-q"]);
        assert_eq!(curl(&[&format!("{}f.txt", server.url)]).stdout, b"x");
        signal(server.pid(), sig);
        let status = server
            .wait_exit(Duration::from_secs(10))
            .expect("exits within 10 s");
        assert_eq!(status.code(), Some(0), "SIG{sig}");
        assert!(
            std::net::TcpStream::connect(server.addr).is_err(),
            "still listening after SIG{sig}"
        );
    }

    // A download in flight when SIGTERM arrives still completes in full.
    write(dir.path(), "big.bin", vec![b'z'; 32 << 20]);
    let mut server = StaticServer::start(dir.path(), &["-q"]);
    let sink = dir.path().join("big.download");
    let client = Command::new("curl")
        .args([
            "-s",
            "--max-time",
            "30",
            "--limit-rate",
            "16M",
            "-w",
            "%{size_download}",
            "-o",
        ])
        .arg(&sink)
        .arg(format!("{}big.bin", server.url))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn curl");
    wait_for_bytes(&sink, 64 << 10);
    signal(server.pid(), "TERM");
    let out = client.wait_with_output().expect("curl");
    assert!(out.status.success(), "curl failed: {:?}", out.status);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        (32u64 << 20).to_string()
    );
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("exits after the download");
    assert_eq!(status.code(), Some(0));
}
