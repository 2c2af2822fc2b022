//! Where a body goes and how it is written: [`Sink`] chosen from `-o` and
//! `-O`, [`Output`] opening it on first write, stdout without std's line
//! buffering and with a grown pipe.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use brisk_client::Url;

use crate::cli::{Cli, OutputSpec};
use crate::exit::{self, write_failure, Failure};
use crate::files::{self, OpenMode};
use crate::glob;

/// Output buffer: smaller writes are gathered up to this size; reads at
/// least this large go straight to the descriptor.
const OUT_BUF_BYTES: usize = 64 * 1024;
/// Capacity asked for a stdout pipe (Linux's default `pipe-max-size`, the
/// most an unprivileged process may set).
const PIPE_BYTES: usize = 1 << 20;

/// Where a body goes.
pub enum Sink {
    Stdout,
    /// An `-o` file.
    File(PathBuf),
    /// An `-O` file (named after the URL; `-J` may rename it).
    Remote(PathBuf),
}

impl Sink {
    /// The file, for either kind.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Sink::Stdout => None,
            Sink::File(p) | Sink::Remote(p) => Some(p),
        }
    }

    /// Where the body of URL argument number `i` goes (`url` one of its
    /// glob expansions, `globs` the texts its globs took): the `i`-th
    /// output flag's file (`-o`, `#N` filled in; `-O`: named after the
    /// URL's last path segment), else stdout.
    pub fn for_url(cli: &Cli, i: usize, url: &str, globs: &[String]) -> Result<Sink, Failure> {
        let sink = Sink::named(cli, i, url, globs)?;
        let (path, remote) = match sink {
            Sink::Stdout => return Ok(sink),
            Sink::File(p) => (p, false),
            Sink::Remote(p) => (p, true),
        };
        // curl joins --output-dir and the name as they are.
        let path = match &cli.output_dir {
            Some(dir) => PathBuf::from(format!("{}/{}", dir.display(), path.display())),
            None => path,
        };
        if cli.create_dirs {
            create_parents(&path)?;
        }
        Ok(if remote {
            Sink::Remote(path)
        } else {
            Sink::File(path)
        })
    }

    /// The `-o` or `-O` name of URL number `i`, or stdout.
    fn named(cli: &Cli, i: usize, url: &str, globs: &[String]) -> Result<Sink, Failure> {
        match cli.outputs.get(i) {
            None => return Ok(Sink::Stdout),
            // curl: "-o -" is stdout.
            Some(OutputSpec::File(p)) if p.as_os_str() == "-" => return Ok(Sink::Stdout),
            Some(OutputSpec::File(p)) => {
                let name = glob::fill_name(&p.to_string_lossy(), globs);
                return Ok(Sink::File(PathBuf::from(name)));
            }
            Some(OutputSpec::Remote) => {}
        }
        match Url::parse(url).ok().as_ref().and_then(Url::file_name) {
            Some(name) => Ok(Sink::Remote(PathBuf::from(
                percent_encoding::percent_decode_str(name)
                    .decode_utf8_lossy()
                    .into_owned(),
            ))),
            None => Err(Failure::new(
                exit::WRITE_ERROR,
                "Remote file name has no length!",
            )),
        }
    }
}

/// `--create-dirs`: the directories above `path`, made as curl makes
/// them (mode 0750 before the umask).
fn create_parents(path: &std::path::Path) -> Result<(), Failure> {
    use std::os::unix::fs::DirBuilderExt;
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o750)
        .create(parent)
        .map_err(|e| {
            Failure::new(
                exit::WRITE_ERROR,
                format!("failed to create the directory {}: {e}", parent.display()),
            )
        })
}

/// Stdout for the body, bypassing std's line buffering: `io::stdout()` is
/// a `LineWriter`, which cuts every large write at its last newline and
/// sends the tail in a second, small `write(2)`, so a binary body into a
/// pipe took two system calls per read and woke the reader twice (the
/// cause of fetch being slower than curl into a pipe). A duplicate of the
/// descriptor behind a `BufWriter` writes reads of at least its capacity
/// straight through, in one call each, and gathers smaller ones.
/// Without a descriptor to duplicate, std's stdout is used as it is.
fn raw_stdout() -> Box<dyn Write> {
    use std::os::fd::AsFd;
    match io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => {
            grow_pipe(&fd);
            Box::new(BufWriter::with_capacity(OUT_BUF_BYTES, File::from(fd)))
        }
        Err(_) => Box::new(BufWriter::with_capacity(OUT_BUF_BYTES, io::stdout())),
    }
}

/// When stdout is a pipe, raises its capacity to [`PIPE_BYTES`] (never
/// lowers it). With the default 64 KiB, every read of the body fills the
/// pipe and blocks until the reader wakes, so fetch and the reader take
/// turns; with 1 MiB they overlap (a 100 MiB body into `wc -c` took half
/// the time). A refusal (the user's pipe quota, an older kernel) leaves the
/// pipe as it was.
fn grow_pipe(fd: &impl std::os::fd::AsFd) {
    let is_pipe = rustix::fs::fstat(fd).is_ok_and(|st| {
        rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Fifo
    });
    if !is_pipe {
        return;
    }
    match rustix::pipe::fcntl_getpipe_size(fd) {
        Ok(size) if size < PIPE_BYTES => {
            if let Err(e) = rustix::pipe::fcntl_setpipe_size(fd, PIPE_BYTES) {
                // Target "fetch", not the module path: the line names the binary.
                log::debug!(target: "fetch", "stdout pipe stays at {size} bytes: {e}");
            }
        }
        _ => {}
    }
}

/// A sink opened on first write (a file is not created for nothing).
pub struct Output<'s> {
    sink: &'s Sink,
    w: Option<Box<dyn Write>>,
    mode: OpenMode,
    /// The file written, once opened (`--no-clobber` may have renamed it).
    opened: Option<PathBuf>,
}

impl<'s> Output<'s> {
    pub fn new(sink: &'s Sink, mode: OpenMode) -> Output<'s> {
        Output {
            sink,
            w: None,
            mode,
            opened: None,
        }
    }

    /// The file written so far, if one was opened.
    pub fn opened(&self) -> Option<&Path> {
        self.opened.as_deref()
    }

    pub fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        if self.w.is_none() {
            self.w = Some(match self.sink {
                Sink::Stdout => raw_stdout(),
                Sink::File(p) | Sink::Remote(p) => {
                    let (f, name) = files::open(p, self.mode).map_err(|e| {
                        Failure::new(
                            exit::WRITE_ERROR,
                            format!("Failed to create the file {}: {e}", p.display()),
                        )
                    })?;
                    self.opened = Some(name);
                    Box::new(BufWriter::with_capacity(OUT_BUF_BYTES, f))
                }
            });
        }
        match &mut self.w {
            Some(w) if self.mode.unbuffered => w
                .write_all(bytes)
                .and_then(|()| w.flush())
                .map_err(write_failure),
            Some(w) => w.write_all(bytes).map_err(write_failure),
            None => Ok(()),
        }
    }

    /// Flushes what was written; a sink never written to stays unopened
    /// (no file for a `-f` failure, as in curl).
    pub fn flush_written(mut self) -> Result<(), Failure> {
        match &mut self.w {
            Some(w) => w.flush().map_err(write_failure),
            None => Ok(()),
        }
    }

    pub fn finish(mut self) -> Result<(), Failure> {
        // A body of zero bytes still creates the output file.
        if self.w.is_none() && self.sink.file().is_some() {
            self.write(&[])?;
        }
        match &mut self.w {
            Some(w) => w.flush().map_err(write_failure),
            None => Ok(()),
        }
    }
}
