//! `static`: serve a directory over HTTP/1.1 (HTTPS with `--tls-cert`).
//!
//! The command line and the first output line are a contract (DESIGN.md,
//! "The static binary"): scripts wait for `serving DIR at http://HOST:PORT/` (`https://` with
//! `--tls-cert`).

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use brisk_server::{Completion, Handler, Request, Response, Server, TlsConfig};
use brisk_static::live_reload::LiveReload;
use brisk_static::{access_log, Auth, StaticFiles};
use clap::Parser;

/// Serve a directory over HTTP/1.1, or HTTPS with --tls-cert and --tls-key.
#[derive(Debug, Parser)]
#[command(
    name = "static",
    version,
    // --overwrite and --max-upload apply to PUT, which --upload and --webdav both accept.
    group(clap::ArgGroup::new("writes").args(["upload", "webdav"]).multiple(true)),
    after_help = "Examples:\n  static ./public -a 0.0.0.0:8080\n  static ./public -a 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem\n  static ./public --proxy-protocol   (behind HAProxy send-proxy or nginx proxy_protocol)\n  static ./share --upload --auth alice:s3cret   (then: curl -u alice:s3cret -T file http://127.0.0.1:8080/)\n  static ./share --archives   (then: curl -OJ 'http://127.0.0.1:8080/photos/?download=zip')\n  static ./share --webdav --auth alice:s3cret   (then: rclone, davfs2, Windows or macOS can mount http://HOST:8080/)"
)]
struct Args {
    /// Directory to serve
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Listen address; port 0 picks a free port
    #[arg(
        short = 'a',
        long,
        value_name = "HOST:PORT",
        default_value = "127.0.0.1:8080"
    )]
    addr: String,
    /// Worker threads [default: available cores]
    #[arg(short = 'w', long, value_name = "N")]
    workers: Option<usize>,
    /// No directory listings (403 instead)
    #[arg(long)]
    no_listing: bool,
    /// Missing paths fall back to the root index.html
    #[arg(long)]
    spa: bool,
    /// Serve and list dotfiles (hidden by default)
    #[arg(long)]
    dotfiles: bool,
    /// Follow symlinks that leave the root
    #[arg(long)]
    follow_symlinks: bool,
    /// Extra response header (repeatable); replaces a default of that name
    #[arg(short = 'H', long = "header", value_name = "Name: value")]
    headers: Vec<String>,
    /// Cache-Control: public, max-age=SECS instead of no-cache
    #[arg(long, value_name = "SECS")]
    max_age: Option<u64>,
    /// No access log
    #[arg(short = 'q', long)]
    quiet: bool,
    /// No on-the-fly compression (on by default for text: br, zstd, gzip)
    #[arg(long)]
    no_compress: bool,
    /// Reload open HTML pages when files change (a script in each page, a
    /// WebSocket at /__live-reload; turns on-the-fly compression off)
    #[arg(long)]
    live_reload: bool,
    /// Compress on every request instead of caching small files' variants
    /// (for benchmarks: nginx's behaviour)
    #[arg(long, hide = true)]
    no_compress_cache: bool,
    /// Serve https with this certificate chain (PEM, server's first);
    /// SIGHUP reads it and --tls-key again
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, RSA or EC)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Expect a PROXY protocol v1/v2 header on every connection (behind
    /// HAProxy or nginx); the log shows the client's address
    #[arg(long)]
    proxy_protocol: bool,
    /// Accept uploads: PUT /path/name (curl -T FILE URL/) writes the file,
    /// and listings get an upload control; off by default
    #[arg(long)]
    upload: bool,
    /// Uploads may replace existing files (409 Conflict otherwise)
    #[arg(long, requires = "writes")]
    overwrite: bool,
    /// Largest upload (bytes, or with K, M, G, T: KiB...), else 413
    /// [default: no limit]
    #[arg(long, value_name = "SIZE", requires = "writes", value_parser = parse_size)]
    max_upload: Option<u64>,
    /// HTTP Basic credentials (repeatable); every request needs one pair
    #[arg(long = "auth", value_name = "USER:PASS")]
    auth: Vec<String>,
    /// With --auth, ask for credentials on uploads only
    #[arg(long, requires = "auth")]
    auth_uploads_only: bool,
    /// ?download=tar|tar_gz|zip on every listed directory: the whole
    /// folder as one archive, streamed (the listing shows the links)
    #[arg(long)]
    archives: bool,
    /// WebDAV class 1 and 2 (mount the tree read-write in a file manager,
    /// rclone, davfs2, Windows or macOS); implies --upload --overwrite.
    /// macOS Finder's ._NAME and .DS_Store files are stored and readable by
    /// their exact path (a Finder copy fails without them), never listed;
    /// other dotfiles stay hidden unless --dotfiles
    #[arg(long, conflicts_with = "webdav_read_only")]
    webdav: bool,
    /// WebDAV read-only: PROPFIND and the reads; every write gets 403
    #[arg(long)]
    webdav_read_only: bool,
    /// Seconds without a request body byte before the upload is cut
    #[arg(long, value_name = "SECS", default_value = "60")]
    body_timeout: f64,
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // One line: clap's first line ("error: unexpected argument ..."),
            // without the usage block that follows it.
            let text = e.render().to_string();
            let mut lines = text.lines().filter(|l| !l.trim().is_empty());
            let first = lines.next().unwrap_or("error: bad arguments"); // ok: fallback only
            let first = first.trim_start_matches("error: ");
            // "the following required arguments were not provided:" names
            // them on the next line.
            match lines.next().filter(|_| first.ends_with(':')) {
                Some(what) => eprintln!("static: {first} {}", what.trim()),
                None => eprintln!("static: {first}"),
            }
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("static: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The files, with or without `--live-reload`.
enum Files {
    Plain(StaticFiles),
    Live(LiveReload<StaticFiles>),
}

impl Handler for Files {
    fn call(&self, req: &Request) -> Response {
        match self {
            Files::Plain(f) => f.call(req),
            Files::Live(f) => f.call(req),
        }
    }

    fn streams_body(&self, req: &Request) -> bool {
        match self {
            Files::Plain(f) => f.streams_body(req),
            Files::Live(f) => f.streams_body(req),
        }
    }

    // Without it a wrapped StaticFiles would send `100 Continue` first.
    fn refuse_early(&self, req: &Request) -> Option<Response> {
        match self {
            Files::Plain(f) => f.refuse_early(req),
            Files::Live(f) => f.refuse_early(req),
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let mut files = StaticFiles::new(&args.dir)
        .map_err(|e| format!("cannot serve {}: {e}", args.dir.display()))?
        .listing(!args.no_listing)
        .spa(args.spa)
        .dotfiles(args.dotfiles)
        .follow_symlinks(args.follow_symlinks)
        .max_age(args.max_age.map(Duration::from_secs))
        // Pages get a script when live reload is on: they must go out
        // uncompressed to be rewritten.
        .compress(!args.no_compress && !args.live_reload)
        .compress_cache(!args.no_compress_cache)
        .archives(args.archives);
    for header in &args.headers {
        let (name, value) = parse_header(header)?;
        files = files.header(name, value);
    }
    files = files
        .upload(args.upload)
        .overwrite(args.overwrite)
        // After --upload, before --max-upload: --webdav turns uploads on.
        .webdav(args.webdav || args.webdav_read_only, args.webdav_read_only)
        .max_upload(args.max_upload)
        .auth(auth(&args)?);
    let files = if args.live_reload {
        let live = LiveReload::new(files, &args.dir)
            .map_err(|e| format!("cannot watch {}: {e}", args.dir.display()))?;
        Files::Live(live)
    } else {
        Files::Plain(files)
    };

    let mut server = Server::bind(args.addr.as_str())
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    if let Some(n) = args.workers {
        if n == 0 {
            return Err("--workers must be at least 1".into());
        }
        server = server.workers(n);
    }
    let scheme = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let tls = TlsConfig::from_pem_files(cert, key).map_err(|e| format!("TLS: {e}"))?;
            let (cert, key) = (cert.display().to_string(), key.display().to_string());
            // SIGHUP's outcome, either way, in our own words on stderr.
            server = server.tls(tls).on_tls_reload(move |outcome| match outcome {
                Ok(()) => {
                    eprintln!("static: SIGHUP: TLS certificate reloaded from {cert} and {key}")
                }
                Err(e) => {
                    eprintln!(
                        "static: SIGHUP: TLS reload refused, keeping the old certificate: {e}"
                    )
                }
            });
            "https"
        }
        _ => "http",
    };
    server = server.proxy_protocol(args.proxy_protocol);
    server = server.body_timeout(body_timeout(args.body_timeout)?);
    if args.upload || args.webdav || args.webdav_read_only {
        // Uploads and WebDAV's file system work run on the handler pool
        // (the loop must never block on a file write): two threads per worker.
        let workers = args
            .workers
            .unwrap_or_else(|| thread::available_parallelism().map_or(1, |n| n.get()));
        server = server.handler_threads(workers * 2);
    }
    let mut log_writer = None;
    if !args.quiet {
        let (lines, writer) =
            LogWriter::start().map_err(|e| format!("cannot start the access log: {e}"))?;
        server = server.on_complete(move |c: &Completion| {
            // Fails only once the writer has gone: the line is lost, serving goes on.
            let _ = lines.send(log_line(c));
        });
        log_writer = Some(writer);
    }
    // Signals are handled from before the first line on (the handlers are
    // installed by this call): a script that stops us as soon as it has
    // read the line gets a graceful exit 0.
    server = server.shutdown_on_signals();
    // The listener is bound: connections are accepted (queued) from now on.
    let line = format!(
        "serving {} at {scheme}://{}/",
        args.dir.display(),
        server.local_addr()
    );
    let mut out = io::stdout().lock();
    // stdout may be closed by the caller; serving goes on regardless.
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
    drop(out);
    let served = server
        .serve(files)
        .map_err(|e| format!("server failed: {e}"));
    // Every request has completed: write out the last lines.
    if let Some(writer) = log_writer {
        writer.finish();
    }
    served
}

/// The access log is written by its own thread, so that workers never
/// block on stdout (a slow terminal or pipe): lines queue in a channel and
/// go out in batches, flushed whenever the queue runs empty (so an idle
/// server's log is always up to date).
struct LogWriter {
    thread: thread::JoinHandle<()>,
    done: Arc<AtomicBool>,
}

/// How often the idle writer checks whether serving has ended.
const LOG_WRITER_POLL: Duration = Duration::from_millis(100);

impl LogWriter {
    fn start() -> io::Result<(mpsc::Sender<String>, LogWriter)> {
        let (tx, rx) = mpsc::channel::<String>();
        let done = Arc::new(AtomicBool::new(false));
        let finished = Arc::clone(&done);
        let thread = thread::Builder::new()
            .name("access-log".into())
            .spawn(move || {
                let mut out = io::BufWriter::with_capacity(64 * 1024, io::stdout());
                // Write errors (stdout closed) drop lines; the server goes on.
                loop {
                    match rx.recv_timeout(LOG_WRITER_POLL) {
                        Ok(first) => {
                            let _ = writeln!(out, "{first}");
                            while let Ok(line) = rx.try_recv() {
                                let _ = writeln!(out, "{line}");
                            }
                            let _ = out.flush();
                        }
                        Err(mpsc::RecvTimeoutError::Timeout)
                            if !finished.load(Ordering::Acquire) => {}
                        // Serving has ended (or every sender is gone): write what is left.
                        Err(_) => {
                            while let Ok(line) = rx.try_recv() {
                                let _ = writeln!(out, "{line}");
                            }
                            let _ = out.flush();
                            return;
                        }
                    }
                }
            })?;
        Ok((tx, LogWriter { thread, done }))
    }

    /// Writes out the queued lines and stops (within `LOG_WRITER_POLL`).
    fn finish(self) {
        self.done.store(true, Ordering::Release);
        let _ = self.thread.join();
    }
}

/// The `--auth` pairs; the message never repeats a credential.
fn auth(args: &Args) -> Result<Auth, String> {
    let mut auth = Auth::default().uploads_only(args.auth_uploads_only);
    for (i, pair) in args.auth.iter().enumerate() {
        auth = auth
            .with(pair)
            .ok_or_else(|| format!("--auth value {} is not USER:PASS", i + 1))?;
    }
    Ok(auth)
}

fn body_timeout(secs: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("bad --body-timeout {secs}: expected seconds above 0"))
}

/// `1048576`, `512K`, `10M`, `2G`, `1T` (binary units, case-insensitive,
/// an optional `iB` or `B`) -> bytes.
fn parse_size(s: &str) -> Result<u64, String> {
    let bad = || format!("bad size {s:?}: expected bytes or a number with K, M, G or T");
    let lower = s.trim().to_ascii_lowercase();
    let lower = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let (digits, shift) = match lower.char_indices().last() {
        Some((i, 'k')) => (&lower[..i], 10),
        Some((i, 'm')) => (&lower[..i], 20),
        Some((i, 'g')) => (&lower[..i], 30),
        Some((i, 't')) => (&lower[..i], 40),
        _ => (lower, 0),
    };
    let n: u64 = digits.parse().map_err(|_| bad())?;
    n.checked_mul(1 << shift).ok_or_else(bad)
}

/// `Name: value` -> (name, value), with the checks a header must pass.
fn parse_header(s: &str) -> Result<(&str, &str), String> {
    let bad = || format!("bad header {s:?}: expected \"Name: value\"");
    let (name, value) = s.split_once(':').ok_or_else(bad)?;
    let value = value.trim_matches([' ', '\t']);
    if !brisk_core::is_token(name.as_bytes()) {
        return Err(bad());
    }
    if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(bad());
    }
    Ok((name, value))
}

/// One access-log line for a completed request.
fn log_line(c: &Completion) -> String {
    access_log::format(&access_log::Entry {
        peer: c.peer.ip(),
        time: c.time,
        method: c.method.as_str(),
        target: &c.target,
        version: c.version.as_str(),
        status: c.status,
        bytes: c.body_bytes,
        referer: c.referer.as_deref(),
        user_agent: c.user_agent.as_deref(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_header_table() {
        let table: &[(&str, Option<(&str, &str)>)] = &[
            ("X-A: b", Some(("X-A", "b"))),
            ("X-A:b", Some(("X-A", "b"))),
            ("X-A:   spaced  \t", Some(("X-A", "spaced"))),
            ("X-A:", Some(("X-A", ""))),
            ("Link: <a>; rel=preload", Some(("Link", "<a>; rel=preload"))),
            ("X-Colon: a:b", Some(("X-Colon", "a:b"))),
            ("NoColon", None),
            (": value", None),
            ("Bad Name: x", None),
            ("X-A : x", None),
            ("X-A: a\r\nInjected: yes", None),
            ("X-A: a\nb", None),
        ];
        for (input, expect) in table {
            assert_eq!(parse_header(input).ok(), *expect, "{input:?}");
        }
    }

    #[test]
    fn parse_size_table() {
        let table: &[(&str, Option<u64>)] = &[
            ("0", Some(0)),
            ("1048576", Some(1 << 20)),
            ("512K", Some(512 << 10)),
            ("10m", Some(10 << 20)),
            ("2GiB", Some(2 << 30)),
            ("1tb", Some(1 << 40)),
            ("", None),
            ("M", None),
            ("-1", None),
            ("1.5G", None),
            ("99999999999T", None),
        ];
        for (input, expect) in table {
            assert_eq!(parse_size(input).ok(), *expect, "{input:?}");
        }
    }

    #[test]
    fn upload_and_auth_flags() {
        let args = Args::try_parse_from([
            "static",
            "--upload",
            "--overwrite",
            "--max-upload",
            "1G",
            "--auth",
            "a:b",
            "--auth",
            "c:d:e",
            "--auth-uploads-only",
        ])
        .expect("every flag"); // ok: literal
        assert!(args.upload && args.overwrite && args.auth_uploads_only);
        assert_eq!(args.max_upload, Some(1 << 30));
        assert_eq!(args.auth.len(), 2);
        assert!(auth(&args).is_ok());
        assert!(Args::try_parse_from(["static", "--overwrite"]).is_err());
        assert!(Args::try_parse_from(["static", "--auth-uploads-only"]).is_err());
        let bad = Args::try_parse_from(["static", "--auth", "secret"]).expect("parses"); // ok: literal
        let message = auth(&bad).expect_err("no colon");
        assert!(!message.contains("secret"), "{message}");
    }

    #[test]
    fn webdav_flags() {
        let args = Args::try_parse_from(["static", "--webdav"]).expect("--webdav"); // ok: literal
        assert!(args.webdav && !args.webdav_read_only);
        let args = Args::try_parse_from(["static", "--webdav-read-only"]).expect("read-only"); // ok: literal
        assert!(!args.webdav && args.webdav_read_only);
        assert!(Args::try_parse_from(["static", "--webdav", "--webdav-read-only"]).is_err());
        let args =
            Args::try_parse_from(["static", "--webdav", "--max-upload", "1G"]).expect("limit"); // ok: literal
        assert_eq!(args.max_upload, Some(1 << 30));
        assert!(
            Args::try_parse_from(["static", "--webdav-read-only", "--max-upload", "1G"]).is_err()
        );
    }

    #[test]
    fn cli_defaults_and_flags() {
        let args = Args::try_parse_from(["static"]).expect("no arguments are fine"); // ok: literal
        assert_eq!(args.dir, PathBuf::from("."));
        assert_eq!(args.addr, "127.0.0.1:8080");
        assert!(
            !args.quiet && !args.spa && !args.dotfiles && !args.no_listing && !args.follow_symlinks
        );
        assert!(!args.no_compress && !args.archives);
        let args = Args::try_parse_from([
            "static",
            "-a",
            "0.0.0.0:0",
            "-w",
            "3",
            "--no-listing",
            "--spa",
            "--dotfiles",
            "--follow-symlinks",
            "-H",
            "A: 1",
            "--header",
            "B: 2",
            "-q",
            "--max-age",
            "60",
            "--no-compress",
            "--archives",
            "site",
        ])
        .expect("every flag"); // ok: literal
        assert_eq!(args.dir, PathBuf::from("site"));
        assert_eq!(args.workers, Some(3));
        assert_eq!(args.headers, vec!["A: 1", "B: 2"]);
        assert_eq!(args.max_age, Some(60));
        assert!(args.quiet && args.spa && args.dotfiles && args.no_listing && args.follow_symlinks);
        assert!(args.no_compress && args.archives);
    }
}
