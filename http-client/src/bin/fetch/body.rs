//! A response's body into its output: read (decoded with
//! `--compressed`), paced by `--limit-rate`, checked by `--speed-limit`,
//! counted for `-w`, with the progress bar.

use std::io::{self, IsTerminal, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use brisk_client::{decode, Error, Response};

use crate::context::Ctx;
use crate::exit::{self, failure, Failure};
use crate::output::{Output, Sink};
use crate::pace::{PacedReader, Pacer, SpeedCheck};
use crate::parallel_meter::Dir;
use crate::progress_bar;
use crate::send_body::Traced;
use crate::trace_dump::Block;
use crate::write_out::Stats;

/// Bytes asked of the body reader per read: large reads mean fewer
/// syscalls on bulk downloads (measured against curl on a 100 MiB file).
const BODY_BUF_BYTES: usize = 256 * 1024;

/// Reads the body into `out`, with `-#`'s bar, or a progress bar of ours
/// when it goes to a file and stderr is a terminal.
pub fn copy_body(
    ctx: &Ctx<'_>,
    resp: &mut Response,
    (sink, out): (&Sink, &mut Output<'_>),
    stats: &mut Stats,
) -> Result<(), Failure> {
    let total = resp
        .header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    let wire = AtomicU64::new(0);
    let pacing = ctx.cli.run.pacing;
    let mut body = body_reader(ctx, resp, &wire, pacing.rate.map(Pacer::new))?;
    let mut speed = SpeedCheck::new(pacing.speed_limit, pacing.speed_time);
    // curl's -# bar, else a bar of ours on a terminal for a file; -Z's
    // combined line replaces both.
    let meter = ctx.meter.as_deref();
    let progress = (!progress_bar::active()
        && meter.is_none()
        && !ctx.cli.silent
        && sink.file().is_some()
        && io::stderr().is_terminal())
    .then(|| make_progress(total));
    let mut buf = vec![0u8; BODY_BUF_BYTES];
    let result = loop {
        let n = match body.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if decode::is_decode_error(&e) => break Err(unencoding_failure(&e)),
            // A read waits at most a --speed-time window (see context.rs).
            Err(e) if e.kind() == io::ErrorKind::TimedOut => match &speed {
                Some(s) => break Err(s.too_slow()),
                None => break Err(failure(Error::from_io(e))),
            },
            Err(e) => break Err(failure(Error::from_io(e))),
        };
        if let Some(p) = &progress {
            p.inc(n as u64);
        }
        progress_bar::downloaded(wire.load(Ordering::Relaxed), total);
        if let Some(m) = meter {
            m.progress(Dir::Down, wire.load(Ordering::Relaxed), total);
        }
        if let Err(f) = out.write(&buf[..n]) {
            break Err(f);
        }
        if let Some(Err(f)) = speed.as_mut().map(|s| s.record(n)) {
            break Err(f);
        }
    };
    // curl's size_download counts the bytes received, not the decoded ones.
    stats.size_download = wire.load(Ordering::Relaxed);
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    result
}

/// The body as it is, or decoded with `--compressed` (by its
/// Content-Encoding), counting the bytes received into `wire` and pacing
/// them with `pacer` (`--limit-rate` counts bytes on the wire, as curl)
/// and tracing them (`--trace`).
fn body_reader<'a>(
    ctx: &Ctx<'_>,
    resp: &'a mut Response,
    wire: &'a AtomicU64,
    pacer: Option<Pacer>,
) -> Result<Box<dyn Read + Send + 'a>, Failure> {
    let coding = resp.header("content-encoding").map(str::to_string);
    let mut raw: Box<dyn Read + Send + 'a> = match pacer {
        Some(pacer) => Box::new(PacedReader {
            inner: resp.body(),
            pacer,
        }),
        None => Box::new(resp.body()),
    };
    if let Some(dump) = &ctx.trace {
        raw = Box::new(Traced {
            inner: raw,
            dump: dump.clone(),
            block: Block::RecvData,
        });
    }
    let counted = Counted {
        inner: raw,
        n: wire,
    };
    if !ctx.cli.compressed {
        return Ok(Box::new(counted));
    }
    decode::decoder(coding.as_deref(), counted).map_err(|e| {
        Failure::new(
            exit::BAD_CONTENT_ENCODING,
            format!("Unrecognized content encoding type: {e}"),
        )
    })
}

/// curl's exit 61 and message for a body that does not decode.
fn unencoding_failure(e: &io::Error) -> Failure {
    let detail = e
        .get_ref()
        .map_or_else(|| e.to_string(), |inner| inner.to_string());
    Failure::new(
        exit::BAD_CONTENT_ENCODING,
        format!("Error while processing content unencoding: {detail}"),
    )
}

/// A reader that counts the bytes read through it.
struct Counted<'a, R> {
    inner: R,
    n: &'a AtomicU64,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The `-o` progress bar on stderr: a bar when the length is known, else a
/// spinner.
fn make_progress(total: Option<u64>) -> indicatif::ProgressBar {
    let bar = match total {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    let style = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    );
    if let (Ok(style), Some(_)) = (style, total) {
        bar.set_style(style);
    }
    bar
}
