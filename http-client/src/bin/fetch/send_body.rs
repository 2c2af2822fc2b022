//! The request body on its way out: paced by `--limit-rate`, traced as
//! `=> Send data` blocks by `--trace`, counted by `-#`'s bar and `-Z`'s
//! line.

use std::io::{self, Read};
use std::sync::Arc;

use brisk_client::RequestBody;

use crate::context::Ctx;
use crate::pace::{PacedReader, Pacer};
use crate::parallel_meter::{Dir, Meter};
use crate::progress_bar;
use crate::trace_dump::{Block, TraceDump};

/// `body` read through a pacer (`--limit-rate`), a tracer (`--trace`)
/// and the counter of `-#`'s bar and `-Z`'s line, when they are on. A body in memory becomes a stream then, which the
/// client does not send twice (no replay on a stale connection or a
/// 307), a cost only such runs pay.
pub fn wrap(ctx: &Ctx<'_>, body: RequestBody) -> RequestBody {
    let rate = ctx.cli.run.pacing.rate;
    let counted = progress_bar::active() || ctx.meter.is_some();
    if rate.is_none() && ctx.trace.is_none() && !counted {
        return body;
    }
    let (mut reader, len): (Box<dyn Read + Send>, Option<u64>) = match body {
        RequestBody::Empty => return RequestBody::Empty,
        RequestBody::Bytes(b) => {
            let len = b.len() as u64;
            (Box::new(io::Cursor::new(b)), Some(len))
        }
        RequestBody::Reader { reader, len } => (reader, len),
    };
    if let Some(rate) = rate {
        reader = Box::new(PacedReader {
            inner: reader,
            pacer: Pacer::new(rate),
        });
    }
    if let Some(dump) = &ctx.trace {
        reader = Box::new(Traced {
            inner: reader,
            dump: dump.clone(),
            block: Block::SendData,
        });
    }
    if counted {
        reader = Box::new(Uploaded {
            inner: reader,
            sent: 0,
            total: len,
            meter: ctx.meter.clone(),
        });
    }
    RequestBody::Reader { reader, len }
}

/// A reader whose reads `-#`'s bar and `-Z`'s line count as sent.
struct Uploaded<R> {
    inner: R,
    sent: u64,
    total: Option<u64>,
    meter: Option<Arc<Meter>>,
}

impl<R: Read> Read for Uploaded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sent += n as u64;
        progress_bar::uploaded(self.sent, self.total);
        if let Some(m) = &self.meter {
            m.progress(Dir::Up, self.sent, self.total);
        }
        Ok(n)
    }
}

/// A reader whose every read is traced as one block.
pub struct Traced<R> {
    pub inner: R,
    pub dump: TraceDump,
    pub block: Block,
}

impl<R: Read> Read for Traced<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.dump.block(self.block, &buf[..n]);
        }
        Ok(n)
    }
}
