//! `--unix-socket PATH` and `--abstract-unix-socket NAME`: the echo
//! origin serves on a Unix socket (and on TCP, only so that the test
//! knows when it is up); `fetch` sends what curl 7.88 sends over it (the
//! `Host` from the URL), Docker-API style, and a socket nobody listens on
//! is curl's exit 7.
mod common;
#[path = "common/echo.rs"]
mod echo;

use common::*;
use echo::*;

#[test]
fn requests_go_over_unix_sockets_as_with_curl() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sock = dir.path().join("api.sock");
    let abstract_name = format!("fetch-test-{}", std::process::id());
    let script = ECHO_PY.replace(
        "ThreadingHTTPServer((\"127.0.0.1\", int(sys.argv[1])), H).serve_forever()",
        "import os, socketserver, threading\n\
class U(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):\n    daemon_threads = True\n\
    def get_request(self):\n        s, _ = self.socket.accept()\n        return s, ('local', 0)\n\
for addr in (sys.argv[2], '\\0' + sys.argv[3]):\n    threading.Thread(target=U(addr, H).serve_forever, daemon=True).start()\n\
ThreadingHTTPServer((\"127.0.0.1\", int(sys.argv[1])), H).serve_forever()",
    );
    let _origin = start_python_with_args(&script, &[sock.as_os_str(), abstract_name.as_ref()]);
    let path = sock.display().to_string();
    let missing = dir.path().join("none.sock").display().to_string();
    let c = |args: &[&str]| {
        let mut v = vec!["-s", "-A", "t"];
        v.extend(args);
        Case::new(&v)
    };
    let cases = vec![
        c(&["--unix-socket", &path, "http://localhost/version"]),
        c(&[
            "--unix-socket",
            &path,
            "http://localhost/v1.43/containers/json?all=1",
            "http://localhost/info",
        ]),
        c(&[
            "--unix-socket",
            &path,
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-d",
            "{\"Image\":\"alpine\"}",
            "http://localhost/containers/create",
        ]),
        c(&["--unix-socket", &path, "-i", "http://docker:2375/_ping"]),
        c(&[
            "--abstract-unix-socket",
            &abstract_name,
            "http://localhost/abstract",
        ]),
        c(&["--unix-socket", &missing, "http://localhost/version"]),
    ];
    assert_cases_like_curl(&cases, dir.path());
}
