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
}
