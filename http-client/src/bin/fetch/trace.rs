//! `-v` lines on stderr and the response heads of the current transfer,
//! both fed by the client's trace hook.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use brisk_client::Trace;

use crate::redact::redact_head;
use crate::trace_dump::TraceDump;

/// Heads seen during the current transfer of each thread, in order (for
/// responses: CONNECT replies, 1xx, redirects, the final one: what `-i`
/// prints). Keyed by thread: the client calls the hook on the thread
/// that sends, so parallel transfers (`-Z`) keep their heads apart.
pub type HeadLog = Arc<Mutex<HashMap<ThreadId, Vec<Vec<u8>>>>>;

/// Writes `-v` lines (`* note`, `> request` with credentials redacted as in
/// the trace, `< response`) when `verbose`,
/// the `--trace` file's notes and head blocks into `dump`, and collects
/// response heads into `heads` and request heads into `requests` (for `-w`).
pub fn tracer(
    verbose: bool,
    dump: Option<TraceDump>,
    heads: HeadLog,
    requests: HeadLog,
) -> impl Fn(&Trace<'_>) + Send + Sync + 'static {
    move |ev: &Trace<'_>| {
        if let Some(d) = &dump {
            match ev {
                Trace::Note(n) => d.info(n),
                Trace::RequestHead(h) => d.request_head(h),
                Trace::ResponseHead(h) => d.response_head(h),
            }
        }
        let log = match ev {
            Trace::ResponseHead(h) => Some((&heads, h)),
            Trace::RequestHead(h) => Some((&requests, h)),
            Trace::Note(_) => None,
        };
        if let Some((log, h)) = log {
            log.lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(std::thread::current().id())
                .or_default()
                .push(h.to_vec());
        }
        if !verbose {
            return;
        }
        let mut err = io::stderr().lock();
        let _ = match ev {
            Trace::Note(n) => writeln!(err, "* {n}"),
            Trace::RequestHead(h) => write_head_lines(&mut err, "> ", &redact_head(h)),
            Trace::ResponseHead(h) => write_head_lines(&mut err, "< ", &redact_head(h)),
        };
    }
}

fn write_head_lines(out: &mut dyn Write, prefix: &str, head: &[u8]) -> io::Result<()> {
    let text = String::from_utf8_lossy(head);
    for line in text.split("\r\n") {
        if line.is_empty() {
            continue;
        }
        writeln!(out, "{prefix}{line}")?;
    }
    writeln!(out, "{}", prefix.trim_end())
}

/// Empties this thread's part of `log`, returning the heads it held.
pub fn take_heads(log: &HeadLog) -> Vec<Vec<u8>> {
    log.lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&std::thread::current().id())
        .unwrap_or_default()
}
