//! `fetch`: curl's habits for plain-HTTP work, on `http-client`.
//!
//! Flags, environment variables and exit codes follow curl where the
//! meaning is the same (see DESIGN.md, "The fetch binary").

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{ArgAction, Parser};
use http_client::{
    Client, Credentials, Error, Method, NoProxy, Phase, Proxy, ProxyConfig, ProxyError,
    RedirectPolicy, RequestBody, Trace, Url, UrlError, DEFAULT_MAX_REDIRECTS,
};

/// curl's exit codes, where the meaning is the same.
mod exit {
    pub const UNSUPPORTED_PROTOCOL: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const MALFORMED_URL: u8 = 3;
    pub const PROXY_NOT_RESOLVED: u8 = 5;
    pub const HOST_NOT_RESOLVED: u8 = 6;
    pub const CONNECT_FAILED: u8 = 7;
    pub const WEIRD_SERVER_REPLY: u8 = 8;
    pub const PARTIAL_FILE: u8 = 18;
    pub const HTTP_ERROR: u8 = 22;
    pub const WRITE_ERROR: u8 = 23;
    pub const READ_ERROR: u8 = 26;
    pub const TIMEOUT: u8 = 28;
    pub const TOO_MANY_REDIRECTS: u8 = 47;
    pub const EMPTY_REPLY: u8 = 52;
    pub const SEND_ERROR: u8 = 55;
    pub const RECV_ERROR: u8 = 56;
    pub const PROXY_HANDSHAKE: u8 = 97;
}

/// First wait of `--retry`; doubled after each attempt (curl's rule).
const RETRY_FIRST_WAIT: Duration = Duration::from_secs(1);
/// Bytes asked of the body reader per read: large reads mean fewer
/// syscalls on bulk downloads (measured against curl on a 100 MiB file).
const BODY_BUF_BYTES: usize = 256 * 1024;
/// Longest wait between retries (curl's cap).
const RETRY_MAX_WAIT: Duration = Duration::from_secs(600);

#[derive(Parser, Debug)]
#[command(
    name = "fetch",
    version,
    about = "Transfer a URL over plain HTTP/1.1, with curl's flags and exit codes"
)]
struct Cli {
    /// URLs to fetch, in order, reusing connections.
    #[arg(value_name = "URL")]
    urls: Vec<String>,
    /// Request method.
    #[arg(
        short = 'X',
        long = "request",
        value_name = "METHOD",
        allow_hyphen_values = true
    )]
    method: Option<String>,
    /// POST data (`@file` strips newlines, `@-` reads stdin); repeatable, joined by '&'.
    #[arg(short = 'd', long = "data", value_name = "DATA", action = ArgAction::Append, allow_hyphen_values = true)]
    data: Vec<String>,
    /// POST data sent as is (`@file` keeps newlines).
    #[arg(long = "data-binary", value_name = "DATA", action = ArgAction::Append, allow_hyphen_values = true)]
    data_binary: Vec<String>,
    /// Upload FILE with PUT ("-" reads stdin, sent chunked); a URL ending
    /// in '/' gets the file's name appended.
    #[arg(
        short = 'T',
        long = "upload-file",
        value_name = "FILE",
        allow_hyphen_values = true
    )]
    upload_file: Option<PathBuf>,
    /// Ask for a byte range ("0-99", "100-", "-50").
    #[arg(
        short = 'r',
        long = "range",
        value_name = "RANGE",
        allow_hyphen_values = true
    )]
    range: Option<String>,
    /// Referer header.
    #[arg(
        short = 'e',
        long = "referer",
        value_name = "URL",
        allow_hyphen_values = true
    )]
    referer: Option<String>,
    /// Cookie header ("name=value; name2=value2"; cookie files are not supported).
    #[arg(
        short = 'b',
        long = "cookie",
        value_name = "DATA",
        allow_hyphen_values = true
    )]
    cookie: Option<String>,
    /// Put the data in the query string and use GET.
    #[arg(short = 'G', long = "get")]
    get: bool,
    /// Extra header "Name: value"; "Name:" removes a default header.
    #[arg(short = 'H', long = "header", value_name = "HEADER", action = ArgAction::Append, allow_hyphen_values = true)]
    headers: Vec<String>,
    /// HEAD request; print the response head.
    #[arg(short = 'I', long = "head")]
    head: bool,
    /// Include the response head in the output.
    #[arg(short = 'i', long = "include")]
    include: bool,
    /// Write the body to FILE instead of stdout (one per URL, in order).
    #[arg(short = 'o', long = "output", value_name = "FILE", action = ArgAction::Append, allow_hyphen_values = true)]
    output: Vec<PathBuf>,
    /// Write the body to a file named like the URL's last path segment.
    #[arg(short = 'O', long = "remote-name", action = ArgAction::Count)]
    remote_name: u8,
    /// Follow redirects.
    #[arg(short = 'L', long = "location")]
    location: bool,
    /// Redirect limit with -L (-1: no limit).
    #[arg(long = "max-redirs", value_name = "N", default_value_t = i64::from(DEFAULT_MAX_REDIRECTS), allow_negative_numbers = true)]
    max_redirs: i64,
    /// Proxy URL: http://, socks4://, socks4a://, socks5://, socks5h:// ("" = none).
    #[arg(
        short = 'x',
        long = "proxy",
        value_name = "URL",
        allow_hyphen_values = true
    )]
    proxy: Option<String>,
    /// Proxy credentials USER:PASS.
    #[arg(
        short = 'U',
        long = "proxy-user",
        value_name = "USER:PASS",
        allow_hyphen_values = true
    )]
    proxy_user: Option<String>,
    /// Tunnel through the HTTP proxy with CONNECT.
    #[arg(short = 'p', long = "proxytunnel")]
    proxytunnel: bool,
    /// Hosts that bypass the proxy (comma list, overrides NO_PROXY).
    #[arg(long = "noproxy", value_name = "LIST", allow_hyphen_values = true)]
    noproxy: Option<String>,
    /// Server credentials USER:PASS (Basic).
    #[arg(
        short = 'u',
        long = "user",
        value_name = "USER:PASS",
        allow_hyphen_values = true
    )]
    user: Option<String>,
    /// User-Agent header.
    #[arg(
        short = 'A',
        long = "user-agent",
        value_name = "NAME",
        allow_hyphen_values = true
    )]
    user_agent: Option<String>,
    /// Print connection notes and heads on stderr.
    #[arg(short = 'v', long = "verbose")]
    verbose: bool,
    /// No progress, no error messages.
    #[arg(short = 's', long = "silent")]
    silent: bool,
    /// With -s, still print errors.
    #[arg(short = 'S', long = "show-error")]
    show_error: bool,
    /// Like -f, but the body is still written.
    #[arg(long = "fail-with-body")]
    fail_with_body: bool,
    /// Write the response heads to FILE ("-" = stdout).
    #[arg(
        short = 'D',
        long = "dump-header",
        value_name = "FILE",
        allow_hyphen_values = true
    )]
    dump_header: Option<PathBuf>,
    /// Use ADDR for HOST:PORT instead of resolving it (repeatable;
    /// ADDR may be a comma list, IPv6 in brackets).
    #[arg(long = "resolve", value_name = "HOST:PORT:ADDR", action = ArgAction::Append, allow_hyphen_values = true)]
    resolve: Vec<String>,
    /// Fail (exit 22, no body) on HTTP status 400 and above.
    #[arg(short = 'f', long = "fail")]
    fail: bool,
    /// Limit for resolving, connecting and the proxy handshake (seconds).
    #[arg(
        long = "connect-timeout",
        value_name = "SECS",
        allow_hyphen_values = true
    )]
    connect_timeout: Option<f64>,
    /// Limit for each whole transfer (seconds).
    #[arg(
        short = 'm',
        long = "max-time",
        value_name = "SECS",
        allow_hyphen_values = true
    )]
    max_time: Option<f64>,
    /// Retry transient failures (timeouts, HTTP 408/429/500/502/503/504) N times.
    #[arg(
        long = "retry",
        value_name = "N",
        default_value_t = 0,
        allow_hyphen_values = true
    )]
    retry: u32,
    /// Print FORMAT after each transfer (%{http_code}, %{time_total}, ...; @file reads it).
    #[arg(
        short = 'w',
        long = "write-out",
        value_name = "FORMAT",
        allow_hyphen_values = true
    )]
    write_out: Option<String>,
}

/// A failed transfer: curl's exit code and a message.
struct Failure {
    code: u8,
    msg: String,
}

impl Failure {
    fn new(code: u8, msg: impl Into<String>) -> Failure {
        Failure {
            code,
            msg: msg.into(),
        }
    }
}

/// Maps a client error to curl's exit code.
fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Url(UrlError::UnsupportedScheme(_)) => exit::UNSUPPORTED_PROTOCOL,
        Error::Url(UrlError::Malformed(_)) => exit::MALFORMED_URL,
        Error::Resolve { proxy: true, .. } => exit::PROXY_NOT_RESOLVED,
        Error::Resolve { proxy: false, .. } => exit::HOST_NOT_RESOLVED,
        Error::Connect { .. } => exit::CONNECT_FAILED,
        Error::Timeout { .. } => exit::TIMEOUT,
        // curl reports a refused CONNECT as a receive failure, SOCKS as 97.
        Error::Proxy {
            error: ProxyError::ConnectRefused { .. } | ProxyError::ConnectBadReply(_),
            ..
        } => exit::RECV_ERROR,
        Error::Proxy { proxy, .. } if proxy.starts_with("http://") => exit::RECV_ERROR,
        Error::Proxy { .. } => exit::PROXY_HANDSHAKE,
        Error::Io {
            phase: Phase::Send, ..
        } => exit::SEND_ERROR,
        Error::Io {
            phase: Phase::Connect,
            ..
        } => exit::CONNECT_FAILED,
        Error::Io { .. } => exit::RECV_ERROR,
        Error::EmptyReply => exit::EMPTY_REPLY,
        Error::BadResponse(_) if e.phase() == Some(Phase::ReceiveBody) => exit::RECV_ERROR,
        Error::BadResponse(_) => exit::WEIRD_SERVER_REPLY,
        Error::Incomplete { .. } => exit::PARTIAL_FILE,
        Error::TooManyRedirects { .. } => exit::TOO_MANY_REDIRECTS,
        Error::BodyTooLarge { .. } => exit::RECV_ERROR,
        Error::RequestBody(_) => exit::READ_ERROR,
        Error::InvalidHeader { .. } => exit::USAGE,
        Error::Tls(t) => t.curl_exit_code(),
    }
}

fn failure(e: Error) -> Failure {
    Failure::new(exit_code(&e), e.to_string())
}

/// What one transfer measured, for `-w`.
#[derive(Default)]
struct Stats {
    http_code: u16,
    namelookup: Duration,
    connect: Duration,
    start_transfer: Duration,
    total: Duration,
    size_download: u64,
    size_header: u64,
    num_redirects: usize,
    url_effective: String,
    content_type: String,
    remote_ip: String,
    remote_port: u16,
    exitcode: u8,
}

/// Where a body goes.
enum Sink {
    Stdout,
    File(PathBuf),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let rendered = e.to_string();
            let first = rendered.lines().next().unwrap_or("bad usage"); // ok: fallback text
            eprintln!("fetch: {}", first.trim_start_matches("error: "));
            eprintln!("fetch: try 'fetch --help' for more information");
            return ExitCode::from(exit::USAGE);
        }
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("off"))
        .format_timestamp(None)
        .init();
    let show_errors = !cli.silent || cli.show_error;
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if show_errors && !f.msg.is_empty() {
                eprintln!("fetch: ({}) {}", f.code, f.msg);
            }
            ExitCode::from(f.code)
        }
    }
}

fn parse_secs(v: Option<f64>, flag: &str) -> Result<Option<Duration>, Failure> {
    match v {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 => Ok(Some(Duration::from_secs_f64(s))),
        // curl: 0 means no limit.
        Some(0.0) => Ok(None),
        Some(_) => Err(Failure::new(
            exit::USAGE,
            format!("{flag}: expected a positive number of seconds"),
        )),
    }
}

/// The request body and its method effect, from `-d` / `--data-binary`.
fn read_data(cli: &Cli) -> Result<Option<Vec<u8>>, Failure> {
    if cli.data.is_empty() && cli.data_binary.is_empty() {
        return Ok(None);
    }
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let load = |arg: &str, binary: bool| -> Result<Vec<u8>, Failure> {
        let Some(src) = arg.strip_prefix('@') else {
            return Ok(arg.as_bytes().to_vec());
        };
        let mut bytes = Vec::new();
        let res = if src == "-" {
            io::stdin().read_to_end(&mut bytes)
        } else {
            File::open(src).and_then(|mut f| f.read_to_end(&mut bytes))
        };
        if let Err(e) = res {
            return Err(Failure::new(
                exit::READ_ERROR,
                format!("Failed to read {src}: {e}"),
            ));
        }
        if !binary {
            // curl's -d @file drops carriage returns and newlines.
            bytes.retain(|b| *b != b'\r' && *b != b'\n');
        }
        Ok(bytes)
    };
    // curl keeps the command-line order between -d and --data-binary; we
    // take -d first, which is the same when only one kind is used.
    for d in &cli.data {
        parts.push(load(d, false)?);
    }
    for d in &cli.data_binary {
        parts.push(load(d, true)?);
    }
    Ok(Some(parts.join(&b'&')))
}

fn build_proxy_config(cli: &Cli) -> Result<ProxyConfig, Failure> {
    let creds = cli.proxy_user.as_deref().map(Credentials::from_pair);
    let no_proxy = cli.noproxy.as_deref().map(NoProxy::parse);
    match cli.proxy.as_deref() {
        Some("") => Ok(ProxyConfig::None),
        Some(p) => {
            let mut proxy = Proxy::parse(p).map_err(|e| {
                let code = match e {
                    UrlError::UnsupportedScheme(_) => exit::UNSUPPORTED_PROTOCOL,
                    UrlError::Malformed(_) => exit::MALFORMED_URL,
                };
                Failure::new(code, format!("proxy: {e}"))
            })?;
            if let Some(c) = creds {
                proxy = proxy.with_credentials(c);
            }
            proxy = proxy.with_tunnel(cli.proxytunnel);
            let no_proxy = match no_proxy {
                Some(n) => n,
                None => std::env::var("no_proxy")
                    .or_else(|_| std::env::var("NO_PROXY"))
                    .map(|s| NoProxy::parse(&s))
                    .unwrap_or_default(),
            };
            Ok(ProxyConfig::Fixed(proxy, no_proxy))
        }
        None => Ok(ProxyConfig::Environment {
            no_proxy_override: no_proxy,
            credentials: creds,
            tunnel: cli.proxytunnel,
        }),
    }
}

/// Response heads received during the current transfer, in order
/// (CONNECT replies, 1xx, redirects, the final one): what `-i` prints.
type HeadLog = Arc<Mutex<Vec<Vec<u8>>>>;

/// Writes `-v` lines (`* note`, `> request`, `< response`) when `verbose`,
/// and collects response heads into `heads`.
fn tracer(verbose: bool, heads: HeadLog) -> impl Fn(&Trace<'_>) + Send + Sync + 'static {
    move |ev: &Trace<'_>| {
        if let Trace::ResponseHead(h) = ev {
            heads
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(h.to_vec());
        }
        if !verbose {
            return;
        }
        let mut err = io::stderr().lock();
        let _ = match ev {
            Trace::Note(n) => writeln!(err, "* {n}"),
            Trace::RequestHead(h) => write_head_lines(&mut err, "> ", h),
            Trace::ResponseHead(h) => write_head_lines(&mut err, "< ", h),
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

/// What every transfer of one run shares.
struct Ctx<'a> {
    cli: &'a Cli,
    client: Client,
    heads: HeadLog,
    data: Option<Vec<u8>>,
    /// `-D`: every transfer's heads, in order (opened once per run).
    dump: std::cell::RefCell<Option<Box<dyn Write>>>,
}

/// `--resolve HOST:PORT:ADDR[,ADDR...]` entries, consulted before the
/// system resolver (the binary's face of the library's resolver hook).
struct PinnedResolver {
    pins: Vec<(String, u16, Vec<std::net::IpAddr>)>,
}

impl PinnedResolver {
    fn parse(entries: &[String]) -> Result<PinnedResolver, Failure> {
        let bad = |e: &str| {
            Failure::new(
                exit::USAGE,
                format!("--resolve {e:?}: expected HOST:PORT:ADDR[,ADDR...]"),
            )
        };
        let mut pins = Vec::new();
        for e in entries {
            let mut parts = e.splitn(3, ':');
            let (Some(host), Some(port), Some(addrs)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(bad(e));
            };
            let port: u16 = port.parse().map_err(|_| bad(e))?;
            let ips = addrs
                .split(',')
                .map(|a| {
                    a.trim()
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .parse()
                })
                .collect::<Result<Vec<std::net::IpAddr>, _>>()
                .map_err(|_| bad(e))?;
            if host.is_empty() || ips.is_empty() {
                return Err(bad(e));
            }
            pins.push((host.to_ascii_lowercase(), port, ips));
        }
        Ok(PinnedResolver { pins })
    }
}

impl http_client::Resolve for PinnedResolver {
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<std::net::SocketAddr>> {
        for (h, p, ips) in &self.pins {
            if *p == port && h.eq_ignore_ascii_case(host) {
                return Ok(ips
                    .iter()
                    .map(|ip| std::net::SocketAddr::new(*ip, port))
                    .collect());
            }
        }
        http_client::net::SystemResolver.resolve(host, port)
    }
}

fn run(cli: &Cli) -> Result<(), Failure> {
    if cli.urls.is_empty() {
        return Err(Failure::new(exit::USAGE, "no URL specified!"));
    }
    let data = read_data(cli)?;
    if cli.head && data.is_some() && !cli.get {
        return Err(Failure::new(
            exit::USAGE,
            "You can only select one HTTP request method! You asked for both POST (-d) and HEAD (-I).",
        ));
    }
    if cli.max_redirs < -1 {
        return Err(Failure::new(
            exit::USAGE,
            "option --max-redirs: expected a proper numerical parameter",
        ));
    }
    let connect_timeout = parse_secs(cli.connect_timeout, "--connect-timeout")?;
    let max_time = parse_secs(cli.max_time, "--max-time")?;
    let redirects = if cli.location {
        RedirectPolicy::Follow {
            // curl: -1 means unlimited.
            max: u32::try_from(cli.max_redirs).unwrap_or(u32::MAX),
        }
    } else {
        RedirectPolicy::None
    };
    let heads: HeadLog = Arc::default();
    let mut builder = Client::builder()
        .proxy(build_proxy_config(cli)?)
        .redirects(redirects)
        .trace(tracer(cli.verbose, Arc::clone(&heads)));
    if let Some(d) = connect_timeout {
        builder = builder.connect_timeout(d);
    }
    if let Some(d) = max_time {
        builder = builder.timeout(d);
    }
    if !cli.resolve.is_empty() {
        builder = builder.resolver(PinnedResolver::parse(&cli.resolve)?);
    }
    // curl's habit: "fetch/VERSION" unless -A says otherwise.
    let default_ua = format!("fetch/{}", env!("CARGO_PKG_VERSION"));
    builder = builder.user_agent(Some(cli.user_agent.as_deref().unwrap_or(&default_ua)));
    let write_out = match cli.write_out.as_deref() {
        Some(f) => Some(match f.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path).map_err(|e| {
                Failure::new(exit::READ_ERROR, format!("Failed to read {path}: {e}"))
            })?,
            None => f.to_string(),
        }),
        None => None,
    };
    let dump: Option<Box<dyn Write>> = match cli.dump_header.as_deref() {
        None => None,
        Some(p) if p.as_os_str() == "-" => Some(Box::new(io::stdout())),
        Some(p) => Some(Box::new(File::create(p).map_err(|e| {
            Failure::new(
                exit::WRITE_ERROR,
                format!("Failed to create the file {}: {e}", p.display()),
            )
        })?)),
    };
    let ctx = Ctx {
        cli,
        client: builder.build(),
        heads,
        data,
        dump: std::cell::RefCell::new(dump),
    };

    let mut last: Result<(), Failure> = Ok(());
    let mut remote_left = cli.remote_name;
    for (i, url) in cli.urls.iter().enumerate() {
        let sink = if let Some(p) = cli.output.get(i) {
            // curl: "-o -" is stdout.
            if p.as_os_str() == "-" {
                Sink::Stdout
            } else {
                Sink::File(p.clone())
            }
        } else if remote_left > 0 {
            remote_left -= 1;
            match Url::parse(url).ok().as_ref().and_then(Url::file_name) {
                Some(name) => Sink::File(PathBuf::from(
                    percent_encoding::percent_decode_str(name)
                        .decode_utf8_lossy()
                        .into_owned(),
                )),
                None => {
                    report(
                        cli,
                        &Failure::new(exit::WRITE_ERROR, "Remote file name has no length!"),
                    );
                    last = Err(Failure::new(exit::WRITE_ERROR, ""));
                    continue;
                }
            }
        } else {
            Sink::Stdout
        };
        let mut stats = Stats::default();
        let result = transfer_with_retry(&ctx, url, &sink, &mut stats);
        stats.exitcode = result.as_ref().err().map_or(0, |f| f.code);
        if let Some(fmt) = &write_out {
            let text = render_write_out(fmt, &stats);
            let mut out = io::stdout().lock();
            if out
                .write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                return Err(Failure::new(
                    exit::WRITE_ERROR,
                    "Failure writing output to destination",
                ));
            }
        }
        // Each failure is reported when it happens; the run goes on with
        // the next URL, and the exit code is the last transfer's (curl's rule).
        last = result.map_err(|f| {
            report(cli, &f);
            Failure::new(f.code, "")
        });
    }
    last
}

/// One error line on stderr, unless `-s` without `-S`.
fn report(cli: &Cli, f: &Failure) {
    if (!cli.silent || cli.show_error) && !f.msg.is_empty() {
        eprintln!("fetch: ({}) {}", f.code, f.msg);
    }
}

/// curl's transient failures for `--retry`.
fn is_transient(f: &Failure, http_code: u16) -> bool {
    f.code == exit::TIMEOUT || matches!(http_code, 408 | 429 | 500 | 502 | 503 | 504)
}

fn transfer_with_retry(
    ctx: &Ctx<'_>,
    url: &str,
    sink: &Sink,
    stats: &mut Stats,
) -> Result<(), Failure> {
    let mut left = ctx.cli.retry;
    let mut wait = RETRY_FIRST_WAIT;
    loop {
        *stats = Stats::default();
        match transfer(ctx, url, sink, stats, left > 0) {
            Err(f) if left > 0 && is_transient(&f, stats.http_code) => {
                if !ctx.cli.silent {
                    let what = if f.code == exit::TIMEOUT {
                        "timeout"
                    } else {
                        "HTTP error"
                    };
                    eprintln!(
                        "Warning: Problem : {what}. Will retry in {} seconds. {left} retries left.",
                        wait.as_secs()
                    );
                }
                std::thread::sleep(wait);
                wait = (wait * 2).min(RETRY_MAX_WAIT);
                left -= 1;
            }
            other => return other,
        }
    }
}

/// The request for one URL, from the command line.
fn build_request<'c>(
    ctx: &'c Ctx<'_>,
    url: &str,
) -> Result<http_client::RequestBuilder<'c>, Failure> {
    let cli = ctx.cli;
    let mut method = if cli.head { Method::Head } else { Method::Get };
    if ctx.data.is_some() && !cli.get {
        method = Method::Post;
    }
    if cli.upload_file.is_some() {
        method = Method::Put;
    }
    if let Some(m) = &cli.method {
        method = Method::from_bytes(m.as_bytes())
            .ok_or_else(|| Failure::new(exit::USAGE, format!("bad method {m:?}")))?;
    }
    let url = upload_url(url, cli.upload_file.as_deref());
    let mut req = ctx.client.request(method, &url);
    if let Some(u) = &cli.user {
        req = req.header("Authorization", Credentials::from_pair(u).basic_auth());
    }
    if let Some(r) = &cli.range {
        req = req.header("Range", format!("bytes={r}"));
    }
    // curl sends these before the -H headers.
    if let Some(r) = &cli.referer {
        req = req.header("Referer", r);
    }
    if let Some(c) = &cli.cookie {
        if !c.contains('=') {
            return Err(Failure::new(
                exit::USAGE,
                format!("-b {c:?}: cookie files are not supported, give \"name=value\""),
            ));
        }
        req = req.header("Cookie", c);
    }
    for h in &cli.headers {
        if let Some((name, value)) = h.split_once(':') {
            let (name, value) = (name.trim(), value.trim());
            if value.is_empty() {
                req = req.remove_header(name);
            } else {
                req = req.header(name, value);
            }
        } else if let Some(name) = h.strip_suffix(';') {
            // curl: "Name;" sends the header with an empty value.
            req = req.header(name.trim(), "");
        } else {
            return Err(Failure::new(
                exit::USAGE,
                format!("bad header {h:?}: expected \"Name: value\""),
            ));
        }
    }
    match (&ctx.data, cli.get) {
        (Some(d), true) => req = req.raw_query(&String::from_utf8_lossy(d)),
        (Some(d), false) => {
            req = req
                .body(RequestBody::Bytes(d.clone()))
                .default_header("Content-Type", "application/x-www-form-urlencoded");
        }
        (None, _) => {}
    }
    if let Some(path) = &cli.upload_file {
        let body = if path.as_os_str() == "-" {
            RequestBody::Reader {
                reader: Box::new(io::stdin()),
                len: None,
            }
        } else {
            File::open(path).and_then(RequestBody::file).map_err(|e| {
                Failure::new(
                    exit::READ_ERROR,
                    format!(
                        "Failed to open/read local data from file/application: {}: {e}",
                        path.display()
                    ),
                )
            })?
        };
        // curl announces every upload with Expect: 100-continue.
        req = req.body(body).expect_continue(true);
    }
    Ok(req)
}

/// Bytes of a file name escaped when it becomes a path segment.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// curl's `-T` rule: a URL without a path, or whose path ends in '/', gets
/// the file's name appended (not for stdin).
fn upload_url(url: &str, upload: Option<&std::path::Path>) -> String {
    let Some(path) = upload else {
        return url.to_string();
    };
    if path.as_os_str() == "-" {
        return url.to_string();
    }
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return url.to_string();
    };
    let name = percent_encoding::utf8_percent_encode(&name, SEGMENT).to_string();
    let cut = url.find(['?', '#']).unwrap_or(url.len());
    let (head, tail) = url.split_at(cut);
    let after_scheme = head.find("://").map_or(0, |i| i + 3);
    if !head[after_scheme..].contains('/') {
        format!("{head}/{name}{tail}")
    } else if head.ends_with('/') {
        format!("{head}{name}{tail}")
    } else {
        url.to_string()
    }
}

/// One URL: send, then write the heads (`-i`, `-I`) and the body.
/// `retrying`: another attempt may follow, so a transient HTTP error's
/// response is not written.
fn transfer(
    ctx: &Ctx<'_>,
    url: &str,
    sink: &Sink,
    stats: &mut Stats,
    retrying: bool,
) -> Result<(), Failure> {
    let cli = ctx.cli;
    let started = Instant::now();
    ctx.heads.lock().unwrap_or_else(|p| p.into_inner()).clear();
    let result = build_request(ctx, url)?.send();
    stats.total = started.elapsed();
    stats.url_effective = url.to_string();
    let heads: Vec<Vec<u8>> =
        std::mem::take(&mut *ctx.heads.lock().unwrap_or_else(|p| p.into_inner()));
    stats.size_header = heads.iter().map(|h| h.len() as u64).sum();
    if let Some(d) = ctx.dump.borrow_mut().as_mut() {
        d.write_all(&heads.concat())
            .and_then(|()| d.flush())
            .map_err(write_failure)?;
    }
    let show_heads = cli.include || cli.head;
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => {
            let f = failure(e);
            // Heads that did arrive (redirects before exit 47) are output.
            if show_heads && !heads.is_empty() && !(retrying && is_transient(&f, 0)) {
                let mut out = Output::new(sink);
                out.write(&heads.concat())?;
                out.finish()?;
            }
            return Err(f);
        }
    };
    let t = resp.timings();
    stats.http_code = resp.status();
    stats.namelookup = t.namelookup;
    stats.connect = t.connect;
    stats.start_transfer = t.start_transfer;
    stats.num_redirects = resp.redirects().len();
    stats.url_effective = resp.url().to_string();
    stats.content_type = resp.header("content-type").unwrap_or("").to_string();
    stats.remote_ip = resp.remote_addr().ip().to_string();
    stats.remote_port = resp.remote_addr().port();

    let status = resp.status();
    if retrying && matches!(status, 408 | 429 | 500 | 502 | 503 | 504) {
        // Another attempt follows: this response is not written.
        return Err(Failure::new(
            exit::HTTP_ERROR,
            format!("HTTP error {status}"),
        ));
    }
    let mut out = Output::new(sink);
    if show_heads {
        out.write(&heads.concat())?;
    }
    let http_failed = (cli.fail || cli.fail_with_body) && status >= 400;
    if http_failed && !cli.fail_with_body {
        // -f: the heads (with -i) but no body, exit 22.
        out.finish()?;
        return Err(Failure::new(
            exit::HTTP_ERROR,
            format!("The requested URL returned error: {status}"),
        ));
    }
    let total = resp
        .header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    let progress = (!cli.silent && matches!(sink, Sink::File(_)) && io::stderr().is_terminal())
        .then(|| make_progress(total));
    let mut buf = vec![0u8; BODY_BUF_BYTES];
    let body = resp.body();
    let result = loop {
        match body.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                stats.size_download += n as u64;
                if let Some(p) = &progress {
                    p.inc(n as u64);
                }
                if let Err(f) = out.write(&buf[..n]) {
                    break Err(f);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(failure(Error::from_io(e))),
        }
    };
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    // Whatever arrived is written, even when the transfer failed.
    let flushed = out.finish();
    stats.total = started.elapsed();
    result.and(flushed)?;
    if http_failed {
        // --fail-with-body: the body is out, the exit code still says 22.
        return Err(Failure::new(
            exit::HTTP_ERROR,
            format!("The requested URL returned error: {status}"),
        ));
    }
    Ok(())
}

/// A sink opened on first write (a file is not created for nothing).
struct Output<'s> {
    sink: &'s Sink,
    w: Option<Box<dyn Write>>,
}

fn write_failure(e: io::Error) -> Failure {
    Failure::new(
        exit::WRITE_ERROR,
        format!("Failure writing output to destination: {e}"),
    )
}

impl<'s> Output<'s> {
    fn new(sink: &'s Sink) -> Output<'s> {
        Output { sink, w: None }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        if self.w.is_none() {
            self.w = Some(match self.sink {
                Sink::Stdout => Box::new(BufWriter::with_capacity(64 * 1024, io::stdout())),
                Sink::File(p) => File::create(p)
                    .map(|f| Box::new(BufWriter::with_capacity(64 * 1024, f)) as Box<dyn Write>)
                    .map_err(|e| {
                        Failure::new(
                            exit::WRITE_ERROR,
                            format!("Failed to create the file {}: {e}", p.display()),
                        )
                    })?,
            });
        }
        match &mut self.w {
            Some(w) => w.write_all(bytes).map_err(write_failure),
            None => Ok(()),
        }
    }

    fn finish(mut self) -> Result<(), Failure> {
        // A body of zero bytes still creates the output file.
        if self.w.is_none() && matches!(self.sink, Sink::File(_)) {
            self.write(&[])?;
        }
        match &mut self.w {
            Some(w) => w.flush().map_err(write_failure),
            None => Ok(()),
        }
    }
}

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

/// Expands `-w` variables and curl's backslash escapes.
fn render_write_out(fmt: &str, s: &Stats) -> String {
    let secs = |d: Duration| format!("{:.6}", d.as_secs_f64());
    let mut out = String::new();
    let mut rest = fmt;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("%{") {
            if let Some(end) = after.find('}') {
                let var = &after[..end];
                let value = match var {
                    "http_code" | "response_code" => format!("{:03}", s.http_code),
                    "time_namelookup" => secs(s.namelookup),
                    "time_connect" => secs(s.connect),
                    "time_starttransfer" => secs(s.start_transfer),
                    "time_total" => secs(s.total),
                    "size_download" => s.size_download.to_string(),
                    "size_header" => s.size_header.to_string(),
                    "num_redirects" => s.num_redirects.to_string(),
                    "exitcode" => s.exitcode.to_string(),
                    "url_effective" => s.url_effective.clone(),
                    "content_type" => s.content_type.clone(),
                    "remote_ip" => s.remote_ip.clone(),
                    "remote_port" => s.remote_port.to_string(),
                    _ => format!("%{{{var}}}"),
                };
                out.push_str(&value);
                rest = &after[end + 1..];
                continue;
            }
        }
        if let Some(after) = rest.strip_prefix("%%") {
            out.push('%');
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix('\\') {
            match after.chars().next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('\\') => out.push('\\'),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
            rest = after.get(1..).unwrap_or("");
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn write_out_expands_variables_and_escapes() {
        let s = Stats {
            http_code: 200,
            namelookup: Duration::from_micros(1500),
            total: Duration::from_millis(2),
            size_download: 42,
            num_redirects: 1,
            exitcode: 0,
            url_effective: "http://h/x".into(),
            ..Stats::default()
        };
        let cases = [
            ("%{http_code}", "200"),
            ("%{time_namelookup}", "0.001500"),
            ("%{time_total}s", "0.002000s"),
            ("%{size_download} %{num_redirects} %{exitcode}", "42 1 0"),
            ("%{url_effective}\\n", "http://h/x\n"),
            ("a\\tb\\\\c 100%% %", "a\tb\\c 100% %"),
            ("%{nope} %{", "%{nope} %{"),
            ("é %{http_code}", "é 200"),
        ];
        for (fmt, want) in cases {
            assert_eq!(render_write_out(fmt, &s), want, "{fmt}");
        }
        assert_eq!(render_write_out("%{http_code}", &Stats::default()), "000");
    }

    #[test]
    fn errors_map_to_curls_exit_codes() {
        let io_err = || io::Error::other("x");
        let cases: Vec<(Error, u8)> = vec![
            (Error::Url(UrlError::UnsupportedScheme("https".into())), 1),
            (Error::Url(UrlError::Malformed("x")), 3),
            (
                Error::Resolve {
                    host: "p".into(),
                    proxy: true,
                    source: io_err(),
                },
                5,
            ),
            (
                Error::Resolve {
                    host: "h".into(),
                    proxy: false,
                    source: io_err(),
                },
                6,
            ),
            (
                Error::Connect {
                    target: "t".into(),
                    proxy: true,
                    source: io_err(),
                },
                7,
            ),
            (
                Error::Timeout {
                    phase: Phase::ReceiveBody,
                },
                28,
            ),
            (
                Error::Proxy {
                    proxy: "http://p:1".into(),
                    error: ProxyError::ConnectRefused {
                        status: 407,
                        reason: "x".into(),
                    },
                },
                56,
            ),
            (
                Error::Proxy {
                    proxy: "socks5://p:1".into(),
                    error: ProxyError::Socks5NotAllowed,
                },
                97,
            ),
            (
                Error::Io {
                    phase: Phase::Send,
                    source: io_err(),
                },
                55,
            ),
            (
                Error::Io {
                    phase: Phase::ReceiveHead,
                    source: io_err(),
                },
                56,
            ),
            (Error::EmptyReply, 52),
            (Error::Incomplete { received: 1 }, 18),
            (Error::TooManyRedirects { max: 1 }, 47),
            (Error::RequestBody(io_err()), 26),
            (Error::InvalidHeader { name: "x y".into() }, 2),
        ];
        for (e, want) in cases {
            assert_eq!(exit_code(&e), want, "{e:?}");
        }
    }
}
