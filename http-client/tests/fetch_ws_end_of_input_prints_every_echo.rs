//! `fetch ws://` with many lines piped in against Python's `websockets`,
//! which drops the replies it still owes once it has the client's close:
//! the end of input waits until the server is quiet (`--ws-linger`, 1 s
//! by default) before closing, so every echo is printed, in order, and
//! the session ends with the server's close (exit 0). `--ws-linger 0`
//! closes at once (the old behaviour: the echoes printed are a prefix).

mod common;
#[path = "common/ws.rs"]
mod ws;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Enough lines that most echoes are still due when the input ends
/// (Python echoes about 20,000 a second here).
const LINES: usize = 20_000;

/// Runs fetch with `args`, the numbers 1..=LINES as input; returns the
/// output, stderr, exit code and wall time.
fn pipe_lines(args: &[&str]) -> (String, String, i32, Duration) {
    let input: String = (1..=LINES).map(|i| format!("{i}\n")).collect();
    let t0 = Instant::now();
    let mut child = Command::new(common::fetch_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn fetch");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let stdout = read_all(child.stdout.take().expect("stdout"));
    let stderr = read_all(child.stderr.take().expect("stderr"));
    let status = match test_support::wait_exit(&mut child, common::RUN_TIMEOUT).expect("wait") {
        Some(s) => s,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("fetch ran longer than {:?}", common::RUN_TIMEOUT);
        }
    };
    writer.join().expect("writer").expect("write stdin");
    let (stdout, stderr) = (stdout.join().expect("out"), stderr.join().expect("err"));
    (
        String::from_utf8(stdout).expect("UTF-8"),
        String::from_utf8_lossy(&stderr).into_owned(),
        status.code().unwrap_or(-1),
        t0.elapsed(),
    )
}

fn read_all(mut r: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = r.read_to_end(&mut v);
        v
    })
}

#[test]
fn every_echo_is_printed_before_the_close() {
    let peer = ws::start_py_ws(&[]);
    let url = ws::ws_url(&peer, "/echo");
    let (out, err, code, took) = pipe_lines(&["-v", &url]);
    assert_eq!(code, 0, "{err}");
    let want: String = (1..=LINES).map(|i| format!("{i}\n")).collect();
    assert!(
        out == want,
        "{} of {LINES} echoes (in order: {})",
        out.lines().count(),
        want.starts_with(&out)
    );
    assert!(err.contains("* WebSocket closed: 1000"), "{err}");
    // The linger (1 s of quiet) is the only wait after the last echo.
    assert!(took < Duration::from_secs(15), "{took:?}");
}

#[test]
fn linger_0_closes_as_soon_as_the_input_is_written() {
    let peer = ws::start_py_ws(&[]);
    let url = ws::ws_url(&peer, "/echo");
    let (out, err, code, _) = pipe_lines(&["--ws-linger", "0", &url]);
    assert_eq!(code, 0, "{err}");
    // The server stops echoing at our close (here most echoes are lost):
    // what is printed is a prefix of the input, in order.
    let got = out.lines().count();
    let want: String = (1..=got).map(|i| format!("{i}\n")).collect();
    assert_eq!(out, want);
    eprintln!("--ws-linger 0: {got} of {LINES} echoes before the server's close");
}
