//! Compressing a body as the socket takes it: each pull of the stream
//! encodes at most [`SLICE_BYTES`] of input, so a 10 MiB file is
//! compressed over many loop turns while other connections are served,
//! and the memory held is the encoder's window plus one slice.

use super::encoder::Encoder;
use crate::{BodyStream, FileRegion};
use std::io;
use std::os::unix::fs::FileExt;

/// The most input encoded per pull of the stream (one loop turn's work
/// for this response, at most).
pub const SLICE_BYTES: usize = 64 * 1024;

/// Where the identity bytes come from.
enum Source {
    /// The handler's stream, and what is left of its current piece.
    Stream {
        inner: BodyStream,
        piece: Vec<u8>,
        pos: usize,
    },
    /// A file region, read with `pread` one slice at a time.
    File { region: FileRegion, done: u64 },
}

/// A [`BodyStream`] of encoded pieces. A piece may be empty (the encoder
/// held its output back); the server skips those.
pub(crate) struct CompressStream {
    source: Source,
    encoder: Option<Encoder>,
    buf: Vec<u8>,
}

impl CompressStream {
    pub(crate) fn of_stream(inner: BodyStream, encoder: Encoder) -> CompressStream {
        let source = Source::Stream {
            inner,
            piece: Vec::new(),
            pos: 0,
        };
        CompressStream::new(source, encoder)
    }

    pub(crate) fn of_file(region: FileRegion, encoder: Encoder) -> CompressStream {
        CompressStream::new(Source::File { region, done: 0 }, encoder)
    }

    fn new(source: Source, encoder: Encoder) -> CompressStream {
        CompressStream {
            source,
            encoder: Some(encoder),
            buf: Vec::new(),
        }
    }
}

/// The next slice of input (read into `buf` for a file), `None` at the
/// end of the source.
fn next_slice<'a>(source: &'a mut Source, buf: &'a mut Vec<u8>) -> Option<io::Result<&'a [u8]>> {
    {
        match source {
            Source::Stream { inner, piece, pos } => {
                while *pos == piece.len() {
                    match inner.next()? {
                        Ok(next) => {
                            *piece = next;
                            *pos = 0;
                        }
                        Err(e) => return Some(Err(e)),
                    }
                }
                let start = *pos;
                let end = piece.len().min(start + SLICE_BYTES);
                *pos = end;
                Some(Ok(&piece[start..end]))
            }
            Source::File { region, done } => {
                let left = region.len - *done;
                if left == 0 {
                    return None;
                }
                let n = usize::try_from(left).map_or(SLICE_BYTES, |l| l.min(SLICE_BYTES));
                buf.resize(n, 0);
                let at = region.offset + *done;
                if let Err(e) = region.file.read_exact_at(buf, at) {
                    // A file cut short under us: end this response.
                    return Some(Err(e));
                }
                *done += n as u64;
                Some(Ok(buf))
            }
        }
    }
}

impl Iterator for CompressStream {
    type Item = io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<io::Result<Vec<u8>>> {
        let encoder = self.encoder.as_mut()?;
        match next_slice(&mut self.source, &mut self.buf) {
            Some(Ok(input)) => Some(encoder.write(input).map(|()| encoder.take())),
            Some(Err(e)) => {
                self.encoder = None;
                Some(Err(e))
            }
            None => self.encoder.take().map(Encoder::finish),
        }
    }
}
