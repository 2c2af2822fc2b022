//! WebDAV requests for the behaviour tests: curl with any method, headers
//! and body; raw requests as a named client sends them (its User-Agent,
//! its headers, chunked bodies); and the tree on disk as a sorted listing
//! to compare with what a client shows.

use std::net::SocketAddr;
use std::path::Path;

use super::{curl, parse_reply, raw, Reply};

/// A client replayed over a real socket: every request carries its
/// `User-Agent` and the extra headers it always sends.
pub struct Replay<'a> {
    pub addr: SocketAddr,
    pub user_agent: &'a str,
    pub always: &'a [&'a str],
}

impl Replay<'_> {
    /// `METHOD path` with `headers` and `body` (a `Content-Length` unless
    /// the headers say `Transfer-Encoding`, when `body` is sent as given),
    /// on a new connection the server closes after the answer.
    pub fn send(&self, method: &str, path: &str, headers: &[&str], body: &[u8]) -> Reply {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {}\r\nConnection: close\r\n",
            self.addr, self.user_agent
        );
        for h in self.always.iter().chain(headers) {
            head.push_str(h);
            head.push_str("\r\n");
        }
        let chunked = headers
            .iter()
            .any(|h| h.to_ascii_lowercase().starts_with("transfer-encoding:"));
        if !chunked {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        raw(self.addr, &bytes)
    }

    /// The absolute URL of `path` on this server (for `Destination`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// `data` in the chunked coding, `piece` bytes a chunk.
pub fn chunked(data: &[u8], piece: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for c in data.chunks(piece) {
        out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// The token of a `LOCK` answer's `Lock-Token` header, with its `<>`.
pub fn lock_token(reply: &Reply) -> String {
    let token = reply.header("Lock-Token").unwrap_or_else(|| {
        panic!(
            "LOCK {} without Lock-Token: {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        )
    });
    assert!(token.starts_with('<') && token.ends_with('>'), "{token}");
    token.to_string()
}

/// `METHOD url` with extra headers and a body, through curl; the reply
/// parsed (status, headers, body).
pub fn dav(method: &str, url: &str, headers: &[&str], body: &str) -> Reply {
    let mut args = vec!["-i", "-X", method];
    for h in headers {
        args.push("-H");
        args.push(h);
    }
    if !body.is_empty() {
        args.push("--data-binary");
        args.push(body);
        args.push("-H");
        args.push("Content-Type: application/xml");
    }
    args.push(url);
    parse_reply(&curl(&args).stdout)
}

/// Every path under `root` (relative, `/`-separated, directories with a
/// trailing `/`), sorted; names starting with `.` are left out, as the
/// server hides them.
pub fn tree_listing(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    walk(root, "", &mut out);
    out.sort();
    out
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let entries = std::fs::read_dir(dir).expect("read_dir");
    for entry in entries {
        let entry = entry.expect("dir entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if entry.file_type().expect("file type").is_dir() {
            out.push(format!("{prefix}{name}/"));
            walk(&entry.path(), &format!("{prefix}{name}/"), out);
        } else {
            out.push(format!("{prefix}{name}"));
        }
    }
}
