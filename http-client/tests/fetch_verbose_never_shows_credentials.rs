//! `fetch -v` never prints a credential (deliberately unlike curl): the
//! values of `Authorization`, `Proxy-Authorization` and `Cookie` show as
//! "[redacted]", whether the user wrote the header (`-H`) or fetch made it
//! (`-u` Basic, `--digest`, `-U` and proxy URL user info, `-b` name=value
//! and a cookie file, URL user info), over http, https (stunnel in front of
//! the recording origin), through an HTTP proxy (absolute-form and the
//! CONNECT tunnel) and across `-L` redirects; a password in a URL shows in
//! no `-v` line and no error message. The servers still receive every
//! real value: each case checks what they got.
mod common;
#[path = "common/tls.rs"]
mod tls;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use common::*;
use tls::*;

/// Request heads a recording server received, in order.
type Heads = Arc<Mutex<Vec<String>>>;

/// How long a test server waits on a silent connection.
const IDLE: Duration = Duration::from_secs(5);

/// Starts a loopback server on a thread: each connection is handed to
/// `serve` with the shared log of heads. Returns its port and the log.
fn start(serve: fn(TcpStream, Heads)) -> (u16, Heads) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let heads: Heads = Arc::default();
    let log = heads.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || serve(conn, log));
        }
    });
    (port, heads)
}

/// Reads one head into `heads`; None at the end of the connection.
fn next_head(s: &mut TcpStream, heads: &Heads) -> Option<String> {
    let head = String::from_utf8_lossy(&read_request_head(s)).into_owned();
    if !head.ends_with("\r\n\r\n") {
        return None;
    }
    heads
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(head.clone());
    Some(head)
}

/// The origin's answer to `head`: `/redirect` gets a 302 to `/final`,
/// `/digest` a Digest challenge until a Digest `Authorization` comes,
/// anything else "ok".
fn answer(head: &str) -> &'static str {
    let path = head.split(' ').nth(1).unwrap_or("");
    if path.ends_with("/redirect") {
        "HTTP/1.1 302 Found\r\nLocation: /final\r\nContent-Length: 0\r\n\r\n"
    } else if path.ends_with("/digest") && !head.contains("Authorization: Digest ") {
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"r\", \
         nonce=\"abc123\", qop=\"auth\"\r\nContent-Length: 0\r\n\r\n"
    } else {
        "HTTP/1.1 200 OK\r\nSet-Cookie: sid=SetCookieSecret1; Path=/\r\n\
         Content-Length: 2\r\n\r\nok"
    }
}

fn origin(mut s: TcpStream, heads: Heads) {
    while let Some(head) = next_head(&mut s, &heads) {
        write_quiet(&mut s, answer(&head).as_bytes());
    }
}

/// The HTTP proxy: a CONNECT gets 200 and a byte pipe to its target; an
/// absolute-form request is answered by the proxy itself, as the origin
/// would.
fn proxy(mut s: TcpStream, heads: Heads) {
    while let Some(head) = next_head(&mut s, &heads) {
        if let Some(target) = head.strip_prefix("CONNECT ") {
            let target = target.split(' ').next().unwrap_or("").to_string();
            let Ok(up) = TcpStream::connect(target) else {
                write_quiet(&mut s, b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
                return;
            };
            write_quiet(&mut s, b"HTTP/1.1 200 Connection established\r\n\r\n");
            return tunnel(s, up);
        }
        write_quiet(&mut s, answer(&head).as_bytes());
    }
}

/// Copies bytes both ways until either side ends.
fn tunnel(a: TcpStream, b: TcpStream) {
    let pipe = |mut from: TcpStream, mut to: TcpStream| {
        let _ = from.set_read_timeout(Some(IDLE));
        let mut buf = [0u8; 16384];
        while let Ok(n @ 1..) = from.read(&mut buf) {
            if to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    };
    let (a2, b2) = (a.try_clone().expect("clone"), b.try_clone().expect("clone"));
    let t = std::thread::spawn(move || pipe(a2, b2));
    pipe(b, a);
    let _ = t.join();
}

fn basic(user_pass: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(user_pass)
}

/// One run: its arguments, what the origin and the proxy must have
/// received (substrings of their heads), and what stderr must not hold.
struct Case {
    args: Vec<String>,
    origin_got: Vec<String>,
    proxy_got: Vec<String>,
    secrets: Vec<String>,
    exit: i32,
}

fn case(args: &[&str]) -> Case {
    Case {
        args: args.iter().map(|s| s.to_string()).collect(),
        origin_got: Vec::new(),
        proxy_got: Vec::new(),
        secrets: Vec::new(),
        exit: 0,
    }
}

impl Case {
    fn origin(mut self, got: &[&str]) -> Case {
        self.origin_got.extend(got.iter().map(|s| s.to_string()));
        self
    }
    fn proxy(mut self, got: &[&str]) -> Case {
        self.proxy_got.extend(got.iter().map(|s| s.to_string()));
        self
    }
    fn secret(mut self, s: &[&str]) -> Case {
        self.secrets.extend(s.iter().map(|s| s.to_string()));
        self
    }
    fn exit(mut self, code: i32) -> Case {
        self.exit = code;
        self
    }
}

/// The values of the credential headers in `heads` (each must stay out of
/// stderr too: a Digest response, a cookie line as the jar built it).
fn secret_values(heads: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for line in heads.iter().flat_map(|h| h.split("\r\n")) {
        if let Some((name, value)) = line.split_once(": ") {
            let name = name.to_ascii_lowercase();
            if ["authorization", "proxy-authorization", "cookie"].contains(&name.as_str()) {
                out.push(value.to_string());
            }
        }
    }
    out
}

fn take(heads: &Heads) -> Vec<String> {
    std::mem::take(&mut *heads.lock().unwrap_or_else(|p| p.into_inner()))
}

/// Runs `c`, returning what is wrong with it, if anything.
fn check(c: &Case, origin_heads: &Heads, proxy_heads: &Heads) -> Option<String> {
    take(origin_heads);
    take(proxy_heads);
    let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
    let out = fetch(&args);
    let err = stderr(&out);
    let (o, p) = (take(origin_heads), take(proxy_heads));
    let mut wrong = Vec::new();
    if code(&out) != c.exit {
        wrong.push(format!("exit {} (want {})", code(&out), c.exit));
    }
    for (want, got, who) in [(&c.origin_got, &o, "origin"), (&c.proxy_got, &p, "proxy")] {
        for w in want {
            if !got.iter().any(|h| h.contains(w.as_str())) {
                wrong.push(format!("the {who} did not receive {w:?}"));
            }
        }
    }
    // Every final answer sets a session cookie: its value is a secret too.
    let mut secrets = c.secrets.clone();
    secrets.push("SetCookieSecret1".into());
    secrets.extend(secret_values(&o));
    secrets.extend(secret_values(&p));
    for s in secrets.iter().filter(|s| err.contains(s.as_str())) {
        wrong.push(format!("stderr shows {s:?}"));
    }
    if c.exit == 0 && !err.contains(": [redacted]") {
        wrong.push("no [redacted] line".into());
    }
    (!wrong.is_empty()).then(|| {
        format!(
            "{:?}: {}\n--- stderr\n{err}\n--- origin\n{o:?}\n--- proxy\n{p:?}",
            c.args,
            wrong.join("; ")
        )
    })
}

#[test]
fn verbose_output_never_shows_credentials() {
    let (origin_port, origin_heads) = start(origin);
    let (proxy_port, proxy_heads) = start(proxy);
    let fx = TlsFixture::new();
    let tls = start_stunnel(&fx, "good", origin_port);
    let ca = fx.ca.display().to_string();
    let http = |path: &str| format!("http://127.0.0.1:{origin_port}{path}");
    let https = |path: &str| format!("https://127.0.0.1:{}{path}", tls.port);
    let px = format!("http://127.0.0.1:{proxy_port}");
    let px_user = format!("http://pxu:PxUrlSecret1@127.0.0.1:{proxy_port}");
    let dir = tempfile::tempdir().expect("tempdir");
    let jar = dir.path().join("jar.txt");
    std::fs::write(
        &jar,
        "# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tjar\tJarSecret1\n",
    )
    .expect("write the jar");
    let jar = jar.display().to_string();
    let (u, us, hs) = (http("/a"), https("/a"), http("/redirect"));
    let user_url = format!("http://uu:UrlSecret1@127.0.0.1:{origin_port}/a");
    let user_url_tls = format!("https://uu:UrlSecret2@127.0.0.1:{}/redirect", tls.port);
    let refused = format!("http://uu:UrlSecret3@127.0.0.1:{}/", free_port());
    let bad_port = "http://uu:UrlSecret4@127.0.0.1:99999/".to_string();
    let headers = [
        "-H",
        "Authorization: Bearer HdrSecret1",
        "-H",
        "Cookie: hc=HdrSecret2",
    ];
    let with = |base: &[&str], more: &[&str]| {
        let mut a: Vec<&str> = vec!["-sS", "-v", "-o", "/dev/null"];
        a.extend(base);
        a.extend(more);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let own = |args: Vec<String>| Case { args, ..case(&[]) };
    let cases = vec![
        own(with(&headers, &[&u]))
            .origin(&["Bearer HdrSecret1", "hc=HdrSecret2"])
            .secret(&["HdrSecret1", "HdrSecret2"]),
        own(with(
            &["-u", "us:BasicSecret1", "-b", "c=CookieSecret1"],
            &[&u],
        ))
        .origin(&[&basic("us:BasicSecret1"), "c=CookieSecret1"])
        .secret(&["BasicSecret1", &basic("us:BasicSecret1"), "CookieSecret1"]),
        own(with(
            &["--digest", "-u", "us:DigestSecret1"],
            &[&http("/digest")],
        ))
        .origin(&["Authorization: Digest ", "username=\"us\""])
        .secret(&["DigestSecret1"]),
        own(with(&["-b", &jar], &[&u]))
            .origin(&["jar=JarSecret1"])
            .secret(&["JarSecret1"]),
        own(with(&[], &[&user_url]))
            .origin(&[&basic("uu:UrlSecret1")])
            .secret(&["UrlSecret1", &basic("uu:UrlSecret1")]),
        // Redirects: every hop's request redacted (a user's -H header
        // replaces fetch's own, as in curl: one case each).
        own(with(&headers, &["-L", &hs]))
            .origin(&["GET /final", "Bearer HdrSecret1", "hc=HdrSecret2"])
            .secret(&["HdrSecret1", "HdrSecret2"]),
        own(with(
            &["-L", "-u", "us:BasicSecret2", "-b", "c=CookieSecret2"],
            &[&hs],
        ))
        .origin(&["GET /final", &basic("us:BasicSecret2"), "c=CookieSecret2"])
        .secret(&["BasicSecret2", &basic("us:BasicSecret2"), "CookieSecret2"]),
        // https, to the origin through stunnel.
        own(with(
            &["--cacert", &ca, "-u", "us:TlsSecret1", "-b", "c=TlsSecret2"],
            &[&us],
        ))
        .origin(&[&basic("us:TlsSecret1"), "c=TlsSecret2"])
        .secret(&["TlsSecret1", &basic("us:TlsSecret1"), "TlsSecret2"]),
        own(with(&["--cacert", &ca, "-L", "-b", &jar], &[&user_url_tls]))
            .origin(&["GET /final", &basic("uu:UrlSecret2"), "jar=JarSecret1"])
            .secret(&["UrlSecret2", "JarSecret1"]),
        // An HTTP proxy, absolute-form: -U and the proxy URL's user info.
        own(with(
            &["-x", &px, "-U", "pu:ProxySecret1", "-u", "us:BasicSecret3"],
            &[&u],
        ))
        .proxy(&[&basic("pu:ProxySecret1"), &basic("us:BasicSecret3")])
        .secret(&["ProxySecret1", &basic("pu:ProxySecret1"), "BasicSecret3"]),
        own(with(
            &["-x", &px_user, "-b", "c=CookieSecret3"],
            &[&hs, "-L"],
        ))
        .proxy(&[
            "GET http://",
            "/final",
            &basic("pxu:PxUrlSecret1"),
            "c=CookieSecret3",
        ])
        .secret(&["PxUrlSecret1", &basic("pxu:PxUrlSecret1"), "CookieSecret3"]),
        // The CONNECT tunnel: https, and http with -p.
        own(with(
            &headers,
            &["--cacert", &ca, "-x", &px, "-U", "pu:ProxySecret2", &us],
        ))
        .proxy(&["CONNECT 127.0.0.1:", &basic("pu:ProxySecret2")])
        .origin(&["HdrSecret1", "hc=HdrSecret2"])
        .secret(&[
            "ProxySecret2",
            &basic("pu:ProxySecret2"),
            "HdrSecret1",
            "HdrSecret2",
        ]),
        own(with(
            &["-p", "-x", &px_user, "-u", "us:BasicSecret4"],
            &[&hs, "-L"],
        ))
        .proxy(&["CONNECT 127.0.0.1:", &basic("pxu:PxUrlSecret1")])
        .origin(&["GET /final", &basic("us:BasicSecret4")])
        .secret(&["PxUrlSecret1", "BasicSecret4", &basic("us:BasicSecret4")]),
        // Error messages: a URL's password is not repeated.
        case(&["-sS", "-v", &refused])
            .secret(&["UrlSecret3"])
            .exit(7),
        case(&["-sS", "-v", &bad_port])
            .secret(&["UrlSecret4"])
            .exit(3),
        case(&[
            "-sS",
            "-v",
            "-x",
            "http://pu:ProxySecret3@127.0.0.1:99999",
            &u,
        ])
        .secret(&["ProxySecret3"])
        .exit(3),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| check(c, &origin_heads, &proxy_heads))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
