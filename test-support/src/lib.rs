//! Helpers shared by the behaviour tests of `brisk-server`, `brisk-static`
//! and `brisk-client`: bounded waits on child processes (peers and servers
//! under test), and the failure for a peer program that cannot be run.
//!
//! Only std (and rcgen behind the `tls` feature, for test certificates:
//! [`tls`]; tempfile behind `chromium`, for its profiles: [`chromium`]), and nothing that knows HTTP or a crate under test: what is
//! specific to one crate stays in that crate's `tests/common/mod.rs`. Every
//! wait here takes its bound from the caller, so each crate keeps its own
//! timeouts, and a broken child fails a test instead of hanging it.

#[cfg(feature = "chromium")]
pub mod chromium;
#[cfg(feature = "tls")]
pub mod tls;

use std::io::{self, BufRead, BufReader};
use std::process::{Child, ExitStatus};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How often [`wait_exit`] asks whether the child has exited.
const EXIT_POLL_INTERVAL: Duration = Duration::from_millis(10);

/// Waits at most `limit` for `child` to exit: `Ok(Some(status))` once it
/// has, `Ok(None)` when it still runs at the deadline (it is left running;
/// killing it is the caller's choice). Checks at least once, even for a
/// zero `limit`.
///
/// # Errors
/// What `Child::try_wait` reports (the child was already reaped elsewhere).
pub fn wait_exit(child: &mut Child, limit: Duration) -> io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        thread::sleep(EXIT_POLL_INTERVAL);
    }
}

/// The first line `child` prints on its (piped) stdout, without its line
/// end, waiting at most `limit`: how a server under test announces its
/// address. A thread keeps reading the later lines and hands each to
/// `rest`, so the child never blocks on a full pipe. Lines that are not
/// UTF-8 are converted lossily. Returns `None`, after killing the child,
/// when stdout closes or stays silent until `limit`.
///
/// # Panics
/// When `child`'s stdout is not piped, or was already taken.
pub fn first_stdout_line(
    child: &mut Child,
    limit: Duration,
    mut rest: impl FnMut(String) + Send + 'static,
) -> Option<String> {
    let stdout = child.stdout.take().expect("the child's stdout is piped"); // ok: the callers spawn with Stdio::piped()
    let (first_tx, first_rx) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        if let Some(first) = read_line_lossy(&mut reader) {
            let _ = first_tx.send(first);
        }
        while let Some(line) = read_line_lossy(&mut reader) {
            rest(line);
        }
    });
    match first_rx.recv_timeout(limit) {
        Ok(line) => Some(line),
        Err(_) => {
            let _ = child.kill();
            None
        }
    }
}

/// One line without its end (`\n` or `\r\n`), lossily decoded; `None` at
/// the end of the stream or on a read error.
fn read_line_lossy(reader: &mut impl BufRead) -> Option<String> {
    let mut line = Vec::new();
    match reader.read_until(b'\n', &mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => {
            if line.ends_with(b"\n") {
                line.pop();
                if line.ends_with(b"\r") {
                    line.pop();
                }
            }
            Some(String::from_utf8_lossy(&line).into_owned())
        }
    }
}

/// Fails the test because `program` could not be run (`err` is why),
/// naming the Debian package to install: the one `packages` (program,
/// package) lists for it, else the program's own name. CI installs every
/// peer (scripts/install-peers.sh), so a missing one is a broken setup that
/// must show, never a reason to pass.
pub fn missing_peer_in(packages: &[(&str, &str)], program: &str, err: io::Error) -> ! {
    let package = packages
        .iter()
        .find(|(p, _)| *p == program)
        .map_or(program, |(_, package)| package);
    panic!(
        "cannot run `{program}` ({err}): install the Debian package `{package}` \
         (scripts/install-peers.sh installs every peer)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};
    use std::sync::{Arc, Mutex};

    fn sh(script: &str) -> Child {
        Command::new("sh")
            .args(["-c", script])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| missing_peer_in(&[("sh", "dash")], "sh", e))
    }

    #[test]
    fn wait_exit_reports_the_status_of_a_child_that_ends() {
        let mut child = sh("exit 3");
        let status = wait_exit(&mut child, Duration::from_secs(10)).unwrap();
        assert_eq!(status.and_then(|s| s.code()), Some(3));
    }

    #[test]
    fn wait_exit_gives_up_at_the_limit_and_leaves_the_child_running() {
        let mut child = sh("sleep 30");
        let t0 = Instant::now();
        assert!(wait_exit(&mut child, Duration::from_millis(50))
            .unwrap()
            .is_none());
        assert!(t0.elapsed() < Duration::from_secs(5));
        assert!(child.try_wait().unwrap().is_none());
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn first_line_without_its_end_and_later_lines_to_rest() {
        let mut child = sh("printf 'listening at x\\r\\nlog \\377\\nlog 2'");
        let later = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&later);
        let first = first_stdout_line(&mut child, Duration::from_secs(10), move |l| {
            sink.lock().unwrap().push(l)
        });
        assert_eq!(first.as_deref(), Some("listening at x"));
        child.wait().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while later.lock().unwrap().len() < 2 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(*later.lock().unwrap(), ["log \u{fffd}", "log 2"]);
    }

    #[test]
    fn silent_or_closed_stdout_gives_none_and_kills_the_child() {
        let mut silent = sh("sleep 30");
        assert_eq!(
            first_stdout_line(&mut silent, Duration::from_millis(50), |_| {}),
            None
        );
        let status = wait_exit(&mut silent, Duration::from_secs(10)).unwrap();
        assert!(status.is_some_and(|s| !s.success()), "killed");

        let mut closed = sh("exec >&-; sleep 30");
        assert_eq!(
            first_stdout_line(&mut closed, Duration::from_secs(10), |_| {}),
            None
        );
        assert!(wait_exit(&mut closed, Duration::from_secs(10))
            .unwrap()
            .is_some());
    }

    #[test]
    #[should_panic(expected = "install the Debian package `procps`")]
    fn missing_peer_names_the_package_from_the_table() {
        let err = io::Error::from(io::ErrorKind::NotFound);
        missing_peer_in(&[("kill", "procps")], "kill", err);
    }

    #[test]
    #[should_panic(expected = "install the Debian package `frobnicate`")]
    fn missing_peer_falls_back_to_the_program_name() {
        let err = io::Error::from(io::ErrorKind::NotFound);
        missing_peer_in(&[("kill", "procps")], "frobnicate", err);
    }
}
