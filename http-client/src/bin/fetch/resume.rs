//! `-C OFFSET` / `-C -`: resuming a download as curl does. The request
//! asks for `bytes=OFFSET-`, a file output is appended to; a 416 answer
//! means there is nothing left (exit 0, nothing written), a 200 whose
//! length is the offset means the file is already complete (exit 0), any
//! other answer without a range is curl's exit 33. With `-f` a 416 is
//! exit 22, as in curl.

use brisk_client::{Method, Response};

use crate::cli::Cli;
use crate::exit::{self, Failure};
use crate::output::Sink;

/// The offset to resume this URL's output from: `-C N`, or with `-C -`
/// the size of the output file (0 when it does not exist yet, or for
/// stdout).
pub fn offset(cli: &Cli, sink: &Sink) -> Result<u64, Failure> {
    match cli.continue_at.as_deref() {
        None => Ok(0),
        Some("-") => Ok(sink
            .file()
            .map_or(0, |p| std::fs::metadata(p).map_or(0, |m| m.len()))),
        Some(n) => n.parse().map_err(|_| {
            Failure::new(
                exit::USAGE,
                "option -C: expected a proper numerical parameter",
            )
        }),
    }
}

/// What a resumed transfer does with its response.
pub enum Verdict {
    /// Write the body (a 206, or no resume at all).
    Write,
    /// Nothing to write: the range is past the end (416), or the whole
    /// document is the part already there.
    Skip,
}

/// curl's checks on the response to a resumed GET; `fail`: `-f` is on,
/// and then a 416 is an HTTP error like any other (curl's exit 22).
pub fn check(
    resp: &Response,
    offset: u64,
    method: &Method,
    fail: bool,
) -> Result<Verdict, Failure> {
    if offset == 0 || *method != Method::Get {
        return Ok(Verdict::Write);
    }
    if resp.status() == 416 {
        return Ok(if fail { Verdict::Write } else { Verdict::Skip });
    }
    if resp.header("content-range").is_some() {
        return Ok(Verdict::Write);
    }
    let length = resp
        .header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    if length == Some(offset) {
        return Ok(Verdict::Skip);
    }
    Err(Failure::new(
        exit::RANGE_ERROR,
        "HTTP server doesn't seem to support byte ranges. Cannot resume.",
    ))
}
