//! The request body on its way out: paced by `--limit-rate` and traced
//! as `=> Send data` blocks by `--trace`.

use std::io::{self, Read};

use brisk_client::RequestBody;

use crate::context::Ctx;
use crate::pace::{PacedReader, Pacer};
use crate::trace_dump::{Block, TraceDump};

/// `body` read through a pacer (`--limit-rate`) and a tracer (`--trace`),
/// when they are on. A body in memory becomes a stream then, which the
/// client does not send twice (no replay on a stale connection or a
/// 307), a cost only such runs pay.
pub fn wrap(ctx: &Ctx<'_>, body: RequestBody) -> RequestBody {
    let rate = ctx.cli.run.pacing.rate;
    if rate.is_none() && ctx.trace.is_none() {
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
    RequestBody::Reader { reader, len }
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
