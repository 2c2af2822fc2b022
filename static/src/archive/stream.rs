//! The archive as a response body: an iterator of pieces the server pulls
//! as the socket takes them (`brisk_server::Body::Stream`).
//!
//! ```text
//! Next --walk: a directory--> (header) Next
//!      --walk: a file-------> (header) Data --file read to its size--> (trailer of entry) Next
//!      --walk: done---------> Trailer (end records, in pieces) --> Done
//! ```
//!
//! Each pull fills one piece of about [`PIECE_BYTES`]: many headers and
//! small files share a piece, a big file takes many. Memory: that piece,
//! the gzip state for `tar_gz`, the walk's levels and the zip central
//! directory, whatever the file sizes.
//!
//! A file is read to exactly the size it had when opened (the size its
//! header announced). A read error, or an end before that size, is an
//! `Err` piece: the server cuts the connection, so the client sees a
//! failed download, never an archive that looks complete but is not.

use std::fs::File;
use std::io::{self, Read, Write};

use flate2::write::GzEncoder;

use super::tar::TarWriter;
use super::walk::{Item, Tree, Walker};
use super::zip::ZipWriter;
use super::{Entry, Format};

/// About this many bytes per piece: big enough that the per-pull costs
/// (a chunk header, a copy into the write queue) are noise, small enough
/// that four pulls per turn (the server's bound) keep other connections
/// on the worker served.
pub const PIECE_BYTES: usize = 128 << 10;

/// A piece is sent once it has less room than this: reads stay big, and
/// a read never needs more room than the piece has.
const MIN_READ_BYTES: usize = 4 << 10;

/// gzip level for `tar_gz`: 1, the fastest. Pieces are compressed on the
/// worker's loop thread, so speed matters more than the last few percent
/// of size; archives are mostly of already compressed media anyway.
const GZIP_LEVEL: u32 = 1;

enum Writer {
    Tar(TarWriter),
    Zip(ZipWriter),
}

impl Writer {
    fn begin(&mut self, entry: &Entry, out: &mut Vec<u8>) {
        match self {
            Writer::Tar(w) => w.begin(entry, out),
            Writer::Zip(w) => w.begin(entry, out),
        }
    }

    fn data(&mut self, bytes: &[u8]) {
        match self {
            Writer::Tar(w) => w.data(bytes.len()),
            Writer::Zip(w) => w.data(bytes),
        }
    }

    fn end(&mut self, entry: &Entry, out: &mut Vec<u8>) {
        match self {
            Writer::Tar(w) => w.end(entry, out),
            Writer::Zip(w) => w.end(entry, out),
        }
    }

    fn finish(&mut self) -> Vec<u8> {
        match self {
            Writer::Tar(w) => w.finish(),
            Writer::Zip(w) => w.finish(),
        }
    }
}

enum Phase {
    /// Between entries: the walk's next step decides.
    Next,
    /// The data of `entry`, `left` bytes still to read from `file`.
    Data {
        entry: Entry,
        file: File,
        left: u64,
    },
    /// The end records, from `at` on.
    Trailer {
        bytes: Vec<u8>,
        at: usize,
    },
    Done,
}

/// The body of one archive download.
pub struct ArchiveStream<T> {
    walker: Walker<T>,
    writer: Writer,
    gzip: Option<GzEncoder<Vec<u8>>>,
    phase: Phase,
    /// For the log: the archive's top folder.
    top: String,
}

impl<T: Tree> ArchiveStream<T> {
    pub fn new(walker: Walker<T>, format: Format, top: &str) -> ArchiveStream<T> {
        let writer = match format {
            Format::Zip => Writer::Zip(ZipWriter::default()),
            Format::Tar | Format::TarGz => Writer::Tar(TarWriter::default()),
        };
        let gzip = (format == Format::TarGz)
            .then(|| GzEncoder::new(Vec::new(), flate2::Compression::new(GZIP_LEVEL)));
        ArchiveStream {
            walker,
            writer,
            gzip,
            phase: Phase::Next,
            top: top.to_string(),
        }
    }

    /// Archive bytes up to about [`PIECE_BYTES`], or fewer at the end.
    fn raw_piece(&mut self) -> io::Result<Vec<u8>> {
        let mut piece = Vec::with_capacity(PIECE_BYTES);
        while piece.len() + MIN_READ_BYTES <= PIECE_BYTES && !matches!(self.phase, Phase::Done) {
            self.step(&mut piece)?;
        }
        Ok(piece)
    }

    /// One step of the machine drawn in the module doc, into `piece`.
    fn step(&mut self, piece: &mut Vec<u8>) -> io::Result<()> {
        match &mut self.phase {
            Phase::Next => match self.walker.next() {
                Some(Item::Dir(entry)) => {
                    self.writer.begin(&entry, piece);
                    self.writer.end(&entry, piece);
                }
                Some(Item::File(entry, file)) => {
                    self.writer.begin(&entry, piece);
                    let left = entry.size;
                    self.phase = Phase::Data { entry, file, left };
                }
                None => {
                    let bytes = self.writer.finish();
                    self.phase = Phase::Trailer { bytes, at: 0 };
                }
            },
            Phase::Data { entry, file, left } => {
                if *left > 0 {
                    let start = piece.len();
                    let room = piece.capacity().saturating_sub(start).max(MIN_READ_BYTES);
                    let want = (*left).min(room as u64) as usize;
                    read_exact_into(file, want, piece)
                        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", entry.path)))?;
                    self.writer.data(&piece[start..]);
                    *left -= want as u64;
                }
                if *left == 0 {
                    let read = std::mem::replace(&mut self.phase, Phase::Next);
                    if let Phase::Data { entry, .. } = read {
                        self.writer.end(&entry, piece);
                    }
                }
            }
            Phase::Trailer { bytes, at } => {
                let n = (bytes.len() - *at).min(PIECE_BYTES.saturating_sub(piece.len()).max(1));
                piece.extend_from_slice(&bytes[*at..*at + n]);
                *at += n;
                if *at == bytes.len() {
                    self.phase = Phase::Done;
                }
            }
            Phase::Done => {}
        }
        Ok(())
    }

    /// The next piece to send, compressed for `tar_gz`; `None` when the
    /// archive is complete.
    fn next_piece(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            if matches!(self.phase, Phase::Done) && self.gzip.is_none() {
                return Ok(None);
            }
            let raw = self.raw_piece()?;
            let Some(gz) = &mut self.gzip else {
                return Ok((!raw.is_empty()).then_some(raw));
            };
            gz.write_all(&raw)?;
            if matches!(self.phase, Phase::Done) {
                return match self.gzip.take() {
                    Some(gz) => gz.finish().map(Some),
                    None => Ok(None),
                };
            }
            let out = std::mem::take(gz.get_mut());
            // A piece that compressed to nothing yet: read more first.
            if !out.is_empty() {
                return Ok(Some(out));
            }
        }
    }
}

impl<T: Tree> Iterator for ArchiveStream<T> {
    type Item = io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<io::Result<Vec<u8>>> {
        match self.next_piece() {
            Ok(piece) => piece.map(Ok),
            Err(e) => {
                // The server cuts the connection on this error; say why.
                log::warn!("static: archive of {} cut short: {e}", self.top);
                self.phase = Phase::Done;
                self.gzip = None;
                Some(Err(e))
            }
        }
    }
}

/// Appends exactly `want` bytes read from `file` to `out`: an end of file
/// before them is an error, since the entry's header promised them.
/// (`read_to_end` fills the spare capacity without zeroing it first; the
/// caller leaves room for `want`, so `out` does not grow.)
fn read_exact_into(file: &mut File, want: usize, out: &mut Vec<u8>) -> io::Result<()> {
    let n = file.take(want as u64).read_to_end(out)?;
    if n < want {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the file shrank while it was archived",
        ));
    }
    Ok(())
}
