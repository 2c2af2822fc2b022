//! What every transfer of one run shares ([`Ctx`]), opened from the flags:
//! the request data, the configured [`Client`], the `-w` format and the
//! `-D` file.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use brisk_client::{
    Client, Credentials, KeepPost, NoProxy, Proxy, ProxyConfig, RedirectPolicy, Scheme, UrlError,
};

use brisk_client::cookie::CookieStore;
use brisk_client::unix::UnixSocket;

use crate::cli::Cli;
use crate::cli_checks::parse_secs;
use crate::conditions::TimeCond;
use crate::cookies;
use crate::data::{self, Data};
use crate::exit::{self, Failure};
use crate::files;
use crate::netrc::Netrc;
use crate::pace::SpeedCheck;
use crate::parallel_meter::Meter;
use crate::protocols;
use crate::resolve::PinnedResolver;
use crate::trace::{tracer, HeadLog};
use crate::trace_dump::TraceDump;
use crate::write_out;

/// What every operation (`-:`) of a run shares.
pub struct RunShared {
    /// `--trace`/`--trace-ascii`, opened once.
    pub trace: Option<TraceDump>,
    /// `-Z`'s combined progress line.
    pub meter: Option<Arc<Meter>>,
    /// The cookie engine, for the operations that turn it on.
    pub cookies: CookieStore,
}

/// What every transfer of one operation shares.
pub struct Ctx<'a> {
    pub cli: &'a Cli,
    pub client: Client,
    pub heads: HeadLog,
    /// The request heads sent during the current transfer (for `-w`).
    pub requests: HeadLog,
    pub data: Option<Data>,
    /// `-w`, read once per run.
    pub write_out: Option<String>,
    /// `-n`, `--netrc-file`, `--netrc-optional`.
    pub netrc: Option<Netrc>,
    /// `-z`.
    pub time_cond: Option<TimeCond>,
    /// `--max-filesize` in bytes.
    pub max_filesize: Option<u64>,
    /// The schemes `--proto` allows.
    pub schemes: Vec<Scheme>,
    /// The cookie engine (`-b FILE`, `-c`), saved after the run.
    pub cookies: Option<CookieStore>,
    /// `-D`: every transfer's heads, in order (opened once per run).
    pub dump: Mutex<Option<Box<dyn Write + Send>>>,
    /// `--trace`/`--trace-ascii` (opened once per run, shared by every
    /// operation).
    pub trace: Option<TraceDump>,
    /// `-Z`'s combined progress line (shared by every operation).
    pub meter: Option<Arc<Meter>>,
}

impl<'a> Ctx<'a> {
    /// Checks the flags and opens what the run shares. The steps run in
    /// this order, so of several bad flags the first one here is reported.
    pub fn open(cli: &'a Cli, shared: &RunShared) -> Result<Ctx<'a>, Failure> {
        let trace = shared.trace.clone();
        if cli.urls.is_empty() {
            return Err(Failure::new(exit::USAGE, "no URL specified!"));
        }
        let data = data::assemble(&cli.data_args, cli.silent)?;
        cli.check_combinations(data.is_some())?;
        let heads = HeadLog::default();
        let requests = HeadLog::default();
        let cookies = cookies::open_jar(cli, &shared.cookies);
        let (schemes, redirect) = allowed_schemes(cli)?;
        let time_cond = cli
            .time_cond
            .as_deref()
            .and_then(|t| TimeCond::parse(t, cli.silent));
        let max_filesize = match &cli.max_filesize {
            None => None,
            Some(s) => Some(files::parse_size(s).ok_or_else(|| {
                Failure::new(
                    exit::USAGE,
                    "option --max-filesize: expected a proper numerical parameter",
                )
            })?),
        };
        let client = build_client(
            cli,
            (&heads, &requests, trace.clone()),
            cookies.clone(),
            &redirect,
        )?;
        let write_out = write_out::load_format(cli.write_out.as_deref())?;
        let dump = open_dump(cli.dump_header.as_deref())?;
        Ok(Ctx {
            cli,
            client,
            heads,
            requests,
            data,
            cookies,
            schemes,
            max_filesize,
            time_cond,
            netrc: Netrc::open(cli),
            write_out,
            dump: Mutex::new(dump),
            trace,
            meter: shared.meter.clone(),
        })
    }
}

/// The client with the flags' timeouts, redirect policy, proxy, pinned
/// names and User-Agent; its trace hook feeds `heads` (and `-v`,
/// `--trace`).
fn build_client(
    cli: &Cli,
    (heads, requests, trace): (&HeadLog, &HeadLog, Option<TraceDump>),
    cookies: Option<CookieStore>,
    redirect: &[Scheme],
) -> Result<Client, Failure> {
    let connect_timeout = parse_secs(cli.connect_timeout, "--connect-timeout")?;
    let max_time = parse_secs(cli.max_time, "--max-time")?;
    let redirects = if cli.location || cli.location_trusted {
        RedirectPolicy::Follow {
            // curl: -1 means unlimited.
            max: u32::try_from(cli.max_redirs).unwrap_or(u32::MAX),
        }
    } else {
        RedirectPolicy::None
    };
    let mut builder = Client::builder()
        .redirect_protocols(redirect)
        .location_trusted(cli.location_trusted)
        .keep_post(KeepPost {
            on_301: cli.post301,
            on_302: cli.post302,
            on_303: cli.post303,
        })
        .proxy(build_proxy_config(cli)?)
        .redirects(redirects)
        .tls(cli.tls_options()?)
        .proxy_tls(cli.proxy_tls_options())
        .trace(tracer(
            cli.verbose,
            trace,
            Arc::clone(heads),
            Arc::clone(requests),
        ));
    if let Some(d) = connect_timeout {
        builder = builder.connect_timeout(d);
    }
    if let Some(d) = max_time {
        builder = builder.timeout(d);
    }
    builder = builder.tcp_keepalive(cli.run.keepalive());
    let p = cli.run.pacing;
    if let Some(check) = SpeedCheck::new(p.speed_limit, p.speed_time) {
        // A read that waits a whole window is too slow (curl counts a
        // stall as speed 0); the body's reads report it as curl does.
        builder = builder.idle_timeout(check.window());
    }
    // curl: the last of the two socket flags wins; both given is rare.
    if let Some(name) = &cli.abstract_unix_socket {
        builder = builder.unix_socket(UnixSocket::Abstract(name.as_bytes().to_vec()));
    } else if let Some(path) = &cli.unix_socket {
        builder = builder.unix_socket(UnixSocket::Path(path.clone()));
    }
    if let Some(jar) = cookies {
        builder = builder.cookie_jar(jar);
    }
    let family = match (cli.ipv4, cli.ipv6) {
        (true, _) => Some(true),
        (false, true) => Some(false),
        _ => None,
    };
    if !cli.resolve.is_empty() || !cli.connect_to.is_empty() || family.is_some() {
        let resolver = PinnedResolver::parse(&cli.resolve)?
            .with_routes(&cli.connect_to)?
            .with_family(family);
        builder = builder.resolver(resolver);
    }
    // curl's habit: "fetch/VERSION" unless -A says otherwise.
    let default_ua = format!("fetch/{}", env!("CARGO_PKG_VERSION"));
    builder = builder.user_agent(Some(cli.user_agent.as_deref().unwrap_or(&default_ua)));
    Ok(builder.build())
}

/// `--proto` (checked on each URL) and what redirects may use: both it
/// and `--proto-redir`.
fn allowed_schemes(cli: &Cli) -> Result<(Vec<Scheme>, Vec<Scheme>), Failure> {
    let all = || vec![Scheme::Http, Scheme::Https];
    let allowed = match &cli.proto {
        Some(p) => protocols::parse(p, "--proto", cli.silent)?,
        None => all(),
    };
    let redirect = match &cli.proto_redir {
        Some(p) => protocols::parse(p, "--proto-redir", cli.silent)?,
        None => all(),
    };
    let both = redirect
        .into_iter()
        .filter(|s| allowed.contains(s))
        .collect();
    Ok((allowed, both))
}

/// `-x`, `-U`, `-p` and `--noproxy`: a fixed proxy (none for `-x ""`), or
/// the environment's proxy settings without `-x`.
fn build_proxy_config(cli: &Cli) -> Result<ProxyConfig, Failure> {
    let creds = cli.proxy_user.as_deref().map(Credentials::from_pair);
    let no_proxy = cli.noproxy.as_deref().map(NoProxy::parse);
    match cli.proxy.as_deref() {
        Some("") => Ok(ProxyConfig::None),
        Some(p) => {
            let mut proxy = Proxy::parse(p).map_err(|e| match e {
                // curl's code and words for a proxy scheme it cannot speak.
                UrlError::UnsupportedScheme(_) => Failure::new(
                    exit::CONNECT_FAILED,
                    format!("Unsupported proxy scheme for '{p}'"),
                ),
                UrlError::Malformed(_) => Failure::new(exit::MALFORMED_URL, format!("proxy: {e}")),
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

/// The `-D` file ("-": stdout), created before the first transfer.
fn open_dump(path: Option<&Path>) -> Result<Option<Box<dyn Write + Send>>, Failure> {
    match path {
        None => Ok(None),
        Some(p) if p.as_os_str() == "-" => Ok(Some(Box::new(io::stdout()))),
        Some(p) => match File::create(p) {
            Ok(f) => Ok(Some(Box::new(f))),
            Err(e) => Err(Failure::new(
                exit::WRITE_ERROR,
                format!("Failed to create the file {}: {e}", p.display()),
            )),
        },
    }
}
