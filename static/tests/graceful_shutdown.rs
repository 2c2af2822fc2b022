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
        .unwrap_or_else(|e| missing_peer("kill", e));
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

    // A SIGTERM right after the first line (the earliest a script can send
    // one) is already a graceful stop, never death by signal. Python sends
    // it with no delay (a `kill` process would give the server time).
    let script = r#"
import signal, subprocess, sys
codes = []
for _ in range(20):
    p = subprocess.Popen([sys.argv[1], "-q", "-a", "127.0.0.1:0", sys.argv[2]], stdout=subprocess.PIPE)
    p.stdout.readline()
    p.send_signal(signal.SIGTERM)
    codes.append(p.wait(timeout=10))
print(codes)
"#;
    require_peer("python3", "--version");
    let out = Command::new("timeout")
        .args(["120", "python3", "-c", script, env!("CARGO_BIN_EXE_static")])
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| missing_peer("timeout", e));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("{:?}", [0; 20])
    );

    // A download in flight when SIGTERM arrives still completes in full.
    write(dir.path(), "big.bin", vec![b'z'; 32 << 20]);
    let mut server = StaticServer::start(dir.path(), &["-q"]);
    let sink = dir.path().join("big.download");
    let client = slow_download(&format!("{}big.bin", server.url), &sink, "16M");
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
