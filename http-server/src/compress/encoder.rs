//! One incremental encoder per content coding, writing into a `Vec` that
//! the caller empties between slices.

use super::Levels;
use brisk_core::accept_encoding::Coding;
use std::io::{self, Write};

/// Brotli's and zstd's window: 1 MiB (`2^20`). It bounds the memory a
/// streaming encoder holds per connection (the libraries' defaults are 4
/// and 2 MiB) at a small cost in ratio on large files.
const WINDOW_LOG: u32 = 20;

/// Brotli's internal input buffer.
const BROTLI_BUFFER_BYTES: usize = 4096;

/// An encoder for one response body.
pub(crate) enum Encoder {
    Gzip(flate2::write::GzEncoder<Vec<u8>>),
    Brotli(Box<brotli::CompressorWriter<Vec<u8>>>),
    Zstd(zstd::stream::write::Encoder<'static, Vec<u8>>),
}

impl Encoder {
    /// An encoder for `coding`; `deflate` is not produced (clients
    /// disagree on whether it means zlib or raw deflate).
    pub(crate) fn new(coding: Coding, levels: &Levels) -> io::Result<Encoder> {
        Ok(match coding {
            Coding::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                Vec::new(),
                flate2::Compression::new(levels.gzip),
            )),
            Coding::Brotli => Encoder::Brotli(Box::new(brotli::CompressorWriter::new(
                Vec::new(),
                BROTLI_BUFFER_BYTES,
                levels.brotli,
                WINDOW_LOG,
            ))),
            Coding::Zstd => {
                let mut e = zstd::stream::write::Encoder::new(Vec::new(), levels.zstd)?;
                e.window_log(WINDOW_LOG)?;
                // 4 bytes per body, so that a client can detect corruption.
                e.include_checksum(true)?;
                Encoder::Zstd(e)
            }
            Coding::Deflate => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "deflate is not produced",
                ))
            }
        })
    }

    /// Feeds `input`; its output may be held back until more comes.
    pub(crate) fn write(&mut self, input: &[u8]) -> io::Result<()> {
        match self {
            Encoder::Gzip(e) => e.write_all(input),
            Encoder::Brotli(e) => e.write_all(input),
            Encoder::Zstd(e) => e.write_all(input),
        }
    }

    /// The output produced so far, taken out.
    pub(crate) fn take(&mut self) -> Vec<u8> {
        let out = match self {
            Encoder::Gzip(e) => e.get_mut(),
            Encoder::Brotli(e) => e.get_mut(),
            Encoder::Zstd(e) => e.get_mut(),
        };
        std::mem::take(out)
    }

    /// Ends the stream: the output not yet taken, and the trailer.
    pub(crate) fn finish(self) -> io::Result<Vec<u8>> {
        match self {
            Encoder::Gzip(e) => e.finish(),
            // Writing into a Vec cannot fail, so finishing cannot either.
            Encoder::Brotli(e) => Ok(e.into_inner()),
            Encoder::Zstd(e) => e.finish(),
        }
    }
}

/// `input` encoded at once.
pub(crate) fn encode_all(coding: Coding, levels: &Levels, input: &[u8]) -> io::Result<Vec<u8>> {
    let mut e = Encoder::new(coding, levels)?;
    e.write(input)?;
    let mut out = e.take();
    out.extend_from_slice(&e.finish()?);
    Ok(out)
}
