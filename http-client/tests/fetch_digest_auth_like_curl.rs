//! `--digest` and `--anyauth` with `-u` against a Python origin that
//! checks RFC 7616 Digest responses (MD5, SHA-256, with and without
//! `qop`, a POST whose body waits for the challenge) or asks for Basic:
//! `fetch` prints what curl 7.88 prints (the origin echoes the fields it
//! got) and exits with the same code.
mod common;
#[path = "common/echo.rs"]
mod echo;

use common::*;
use echo::*;

const DIGEST_PY: &str = r#"
import sys, hashlib, urllib.parse, re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
USER, PASS, REALM, NONCE, OPAQUE = "user", "pa ss", "test realm", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "5ccc069c403ebaf9f0171e9517f40e41"
def H(alg, s):
    return (hashlib.sha256 if alg.startswith("SHA-256") else hashlib.md5)(s.encode()).hexdigest()
class D(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def version_string(self): return "py"
    def date_time_string(self, t=None): return "Thu, 01 Jan 1970 00:00:00 GMT"
    def answer(self, status, body, extra=()):
        self.send_response(status)
        for k, v in extra: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def handle_any(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(n)
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query, keep_blank_values=True))
        alg = q.get("alg", "MD5")
        qop = q.get("qop", "auth")
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Digest "):
            p = dict((k, a or b) for k, a, b in re.findall(r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))', auth[7:]))
            ha1 = H(alg, "%s:%s:%s" % (p.get("username"), REALM, PASS))
            if alg.endswith("-sess"):
                ha1 = H(alg, "%s:%s:%s" % (ha1, NONCE, p.get("cnonce", "")))
            ha2 = H(alg, "%s:%s" % (self.command, p.get("uri")))
            if qop:
                want = H(alg, ":".join([ha1, NONCE, p.get("nc", ""), p.get("cnonce", ""), p.get("qop", ""), ha2]))
            else:
                want = H(alg, ":".join([ha1, NONCE, ha2]))
            if p.get("response") == want and p.get("uri") == self.path:
                return self.answer(200, b"welcome %s %s body=%s keys=%s\n" % (self.command.encode(), self.path.encode(), body, ",".join(sorted(p)).encode()))
            return self.answer(403, b"bad digest\n")
        if auth.startswith("Basic "):
            return self.answer(200, b"basic %s\n" % auth.encode())
        chal = 'Digest realm="%s", nonce="%s", opaque="%s", algorithm=%s' % (REALM, NONCE, OPAQUE, alg)
        if qop:
            chal += ', qop="%s"' % qop
        extra = [("WWW-Authenticate", chal)]
        if q.get("basic"):
            extra = [("WWW-Authenticate", 'Basic realm="%s"' % REALM)]
        self.answer(401, b"who are you? body=%s\n" % body, extra)
    do_GET = do_POST = do_PUT = handle_any
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), D).serve_forever()
"#;

#[test]
fn digest_and_anyauth_authenticate_as_curl_does() {
    let origin = start_python(DIGEST_PY);
    let dir = tempfile::tempdir().expect("temp dir");
    let d = |p: &str| origin.url(p);
    let c = |args: &[&str]| {
        let mut v = vec!["-s", "-A", "t"];
        v.extend(args);
        Case::new(&v)
    };
    let user = "user:pa ss";
    let cases = vec![
        c(&["--digest", "-u", user, &d("/p?x=1")]),
        c(&["--digest", "-u", user, &d("/p?alg=SHA-256")]),
        c(&["--digest", "-u", user, &d("/p?alg=MD5-sess")]),
        c(&["--digest", "-u", user, &d("/p?qop=")]),
        c(&["-i", "--digest", "-u", user, "-d", "hello", &d("/post")]),
        c(&[
            "--digest",
            "-u",
            user,
            "-X",
            "PUT",
            "--data-binary",
            "x",
            &d("/put"),
        ]),
        c(&["--anyauth", "-u", user, &d("/any?basic=1")]),
        c(&["--anyauth", "-u", user, &d("/any")]),
        c(&["--digest", "-u", "user:wrong", &d("/p")]),
        c(&["--digest", &d("/p")]),
        c(&["-u", user, &d("/p")]),
        c(&["--digest", "--basic", "-u", user, &d("/p")]),
        c(&["--digest", "--basic", "-u", user, &d("/p?basic=1")]),
    ];
    assert_cases_like_curl(&cases, dir.path());
}
