//! `--trace FILE` and `--trace-ascii FILE` in curl's format: `== Info:`
//! lines, and blocks (`=> Send header, N bytes (0xN)`, `<= Recv header`,
//! `=> Send data`, `<= Recv data`) dumped as offset, 16 hex bytes and
//! their characters, or with `--trace-ascii` as offset and up to 64
//! characters, a new line at each CRLF. "-" is stdout, "%" stderr.
//!
//! Unlike curl, the values of `Authorization`, `Proxy-Authorization`,
//! `Cookie` and `Set-Cookie` never reach the file: [`redact_head`]
//! replaces each (and the block's size is the redacted one), so a trace
//! can be shared.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::exit::{self, Failure};
use crate::redact::redact_head;

/// Where a run's trace goes, shared by its transfers and threads.
#[derive(Clone)]
pub struct TraceDump {
    out: Arc<Mutex<Box<dyn Write + Send>>>,
    ascii: bool,
}

/// The kinds of blocks, in curl's words.
#[derive(Clone, Copy)]
pub enum Block {
    SendHeader,
    RecvHeader,
    SendData,
    RecvData,
}

impl Block {
    fn title(self) -> &'static str {
        match self {
            Block::SendHeader => "=> Send header",
            Block::RecvHeader => "<= Recv header",
            Block::SendData => "=> Send data",
            Block::RecvData => "<= Recv data",
        }
    }
}

impl TraceDump {
    /// Opens the trace of `--trace` (`ascii` false) or `--trace-ascii`:
    /// "-" stdout, "%" stderr, else the file, created or truncated.
    pub fn open(path: &Path, ascii: bool) -> Result<TraceDump, Failure> {
        let out: Box<dyn Write + Send> = match path.to_str() {
            Some("-") => Box::new(io::stdout()),
            Some("%") => Box::new(io::stderr()),
            _ => Box::new(File::create(path).map_err(|e| {
                Failure::new(
                    exit::WRITE_ERROR,
                    format!("Failed to create/open output: {}: {e}", path.display()),
                )
            })?),
        };
        Ok(TraceDump {
            out: Arc::new(Mutex::new(out)),
            ascii,
        })
    }

    /// A connection note.
    pub fn info(&self, note: &str) {
        self.write(format!("== Info: {note}\n").as_bytes());
    }

    /// A request head: one block, credentials redacted.
    pub fn request_head(&self, head: &[u8]) {
        self.block(Block::SendHeader, &redact_head(head));
    }

    /// A response head: a block per line, as curl traces each header.
    pub fn response_head(&self, head: &[u8]) {
        let head = redact_head(head);
        let mut rest = &head[..];
        while !rest.is_empty() {
            let end = rest
                .windows(2)
                .position(|w| w == b"\r\n")
                .map_or(rest.len(), |i| i + 2);
            let (line, tail) = rest.split_at(end);
            self.block(Block::RecvHeader, line);
            rest = tail;
        }
    }

    /// One block of `kind` with `data` dumped.
    pub fn block(&self, kind: Block, data: &[u8]) {
        self.write(dump(kind.title(), data, self.ascii).as_bytes());
    }

    fn write(&self, bytes: &[u8]) {
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        // A trace that cannot be written does not stop the transfer (curl).
        let _ = out.write_all(bytes).and_then(|()| out.flush());
    }
}

/// A block as curl dumps it: the title line, then per line the offset
/// (4 hex digits), 16 bytes in hex (unless `ascii`) and the characters,
/// '.' for bytes outside 0x20..0x7f; `ascii` lines hold up to 64
/// characters and end at each CRLF, which is not shown.
pub fn dump(title: &str, data: &[u8], ascii: bool) -> String {
    let width = if ascii { 0x40 } else { 0x10 };
    let mut s = format!("{title}, {} bytes (0x{:x})\n", data.len(), data.len());
    let mut i = 0;
    while i < data.len() {
        s.push_str(&format!("{i:04x}: "));
        if !ascii {
            for c in 0..width {
                match data.get(i + c) {
                    Some(b) => s.push_str(&format!("{b:02x} ")),
                    None => s.push_str("   "),
                }
            }
        }
        let mut next = i + width;
        for (c, &b) in data[i..].iter().enumerate().take(width) {
            if ascii && data[i + c..].starts_with(b"\r\n") {
                next = i + c + 2;
                break;
            }
            s.push(if (0x20..0x80).contains(&b) {
                b as char
            } else {
                '.'
            });
            if ascii && data[i + c + 1..].starts_with(b"\r\n") && i + c + 2 < data.len() {
                next = i + c + 3;
                break;
            }
        }
        s.push('\n');
        i = next;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_dump_as_curl() {
        let got = dump(
            "=> Send header",
            b"GET /a HTTP/1.1\r\nAccept: */*\r\n\r\n",
            false,
        );
        let want = "=> Send header, 32 bytes (0x20)\n\
            0000: 47 45 54 20 2f 61 20 48 54 54 50 2f 31 2e 31 0d GET /a HTTP/1.1.\n\
            0010: 0a 41 63 63 65 70 74 3a 20 2a 2f 2a 0d 0a 0d 0a .Accept: */*....\n";
        assert_eq!(got, want);
        let got = dump("<= Recv data", b"hello\n", false);
        assert_eq!(
            got,
            format!(
                "<= Recv data, 6 bytes (0x6)\n0000: 68 65 6c 6c 6f 0a {}hello.\n",
                " ".repeat(30)
            )
        );
    }

    #[test]
    fn ascii_dump_breaks_at_crlf_as_curl() {
        let got = dump(
            "=> Send header",
            b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n",
            true,
        );
        let want =
            "=> Send header, 28 bytes (0x1c)\n0000: GET /a HTTP/1.1\n0011: Host: h\n001a: \n";
        assert_eq!(got, want);
        assert_eq!(
            dump("<= Recv header", b"HTTP/1.0 200 OK\r\n", true),
            "<= Recv header, 17 bytes (0x11)\n0000: HTTP/1.0 200 OK\n"
        );
        let long = vec![b'a'; 70];
        assert_eq!(
            dump("x", &long, true),
            format!(
                "x, 70 bytes (0x46)\n0000: {}\n0040: aaaaaa\n",
                "a".repeat(64)
            )
        );
    }
}
