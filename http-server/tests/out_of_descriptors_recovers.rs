//! EMFILE: a server in a child process with a low descriptor limit
//! survives a connection flood without spinning, and serves again once
//! descriptors free up.
mod common;
use common::*;
use std::io::Write;
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn flood_past_the_descriptor_limit_then_recover() {
    let hello = example("hello");
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "ulimit -n 40 && exec \"$0\" 127.0.0.1:0"])
        .arg(&hello);
    let server = spawn_server(cmd);
    let pid = server.child.id();

    // Far more connections than descriptors: the kernel completes them
    // into the backlog; the server accepts what it can.
    let mut flood = vec![];
    for _ in 0..150 {
        match TcpStream::connect_timeout(&server.addr, Duration::from_secs(2)) {
            Ok(s) => flood.push(s),
            Err(_) => break,
        }
    }
    assert!(flood.len() > 60, "only {} connections", flood.len());
    let before = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(1));
    let spent = cpu_ticks(pid) - before;
    // A loop spinning on EMFILE would burn ~100 ticks in this second.
    assert!(spent < 30, "server spun: {spent} ticks in 1 s");
    assert!(server_alive(&server));

    drop(flood);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answered = TcpStream::connect(server.addr).ok().and_then(|mut s| {
            s.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
            s.write_all(&get("/")).ok()?;
            let mut r = std::io::BufReader::new(s);
            use std::io::BufRead;
            let mut line = String::new();
            r.read_line(&mut line).ok()?;
            line.starts_with("HTTP/1.1 200").then_some(())
        });
        if answered.is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "server did not recover");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn server_alive(server: &ChildServer) -> bool {
    std::path::Path::new(&format!("/proc/{}", server.child.id())).exists()
}
