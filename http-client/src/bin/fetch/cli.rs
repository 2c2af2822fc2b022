//! The command line: the clap [`Cli`] (its doc comments are `--help`) and
//! the checks on flag values that clap cannot make.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Parser};
use http_client::tls::{TlsOptions, TlsVersion};
use http_client::DEFAULT_MAX_REDIRECTS;

use crate::exit::{self, Failure};

#[derive(Parser, Debug)]
#[command(
    name = "fetch",
    version,
    about = "Transfer a URL over HTTP/1.1 or HTTPS, with curl's flags and exit codes",
    after_help = "Examples:\n  fetch https://example.com/\n  fetch --cacert ca.pem -v https://localhost:8443/\n  fetch -k -o page.html https://self-signed.test/\n  fetch -x http://proxy:3128 https://example.com/   (CONNECT tunnel)\n  fetch -x https://proxy:8443 --proxy-cacert proxy-ca.pem https://example.com/   (TLS to the proxy, CONNECT and TLS inside)\n  fetch --cert client.pem --key client.key https://mtls.test/"
)]
pub struct Cli {
    /// URLs to fetch, in order, reusing connections.
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,
    /// Request method.
    #[arg(
        short = 'X',
        long = "request",
        value_name = "METHOD",
        allow_hyphen_values = true
    )]
    pub method: Option<String>,
    /// POST data (`@file` strips newlines, `@-` reads stdin); repeatable, joined by '&'.
    #[arg(short = 'd', long = "data", value_name = "DATA", action = ArgAction::Append, allow_hyphen_values = true)]
    pub data: Vec<String>,
    /// POST data sent as is (`@file` keeps newlines).
    #[arg(long = "data-binary", value_name = "DATA", action = ArgAction::Append, allow_hyphen_values = true)]
    pub data_binary: Vec<String>,
    /// Upload FILE with PUT ("-" reads stdin, sent chunked); a URL ending
    /// in '/' gets the file's name appended.
    #[arg(
        short = 'T',
        long = "upload-file",
        value_name = "FILE",
        allow_hyphen_values = true
    )]
    pub upload_file: Option<PathBuf>,
    /// Ask for a byte range ("0-99", "100-", "-50").
    #[arg(
        short = 'r',
        long = "range",
        value_name = "RANGE",
        allow_hyphen_values = true
    )]
    pub range: Option<String>,
    /// Referer header.
    #[arg(
        short = 'e',
        long = "referer",
        value_name = "URL",
        allow_hyphen_values = true
    )]
    pub referer: Option<String>,
    /// Cookie header ("name=value; name2=value2"; cookie files are not supported).
    #[arg(
        short = 'b',
        long = "cookie",
        value_name = "DATA",
        allow_hyphen_values = true
    )]
    pub cookie: Option<String>,
    /// Put the data in the query string and use GET.
    #[arg(short = 'G', long = "get")]
    pub get: bool,
    /// Extra header "Name: value"; "Name:" removes a default header.
    #[arg(short = 'H', long = "header", value_name = "HEADER", action = ArgAction::Append, allow_hyphen_values = true)]
    pub headers: Vec<String>,
    /// HEAD request; print the response head.
    #[arg(short = 'I', long = "head")]
    pub head: bool,
    /// Include the response head in the output.
    #[arg(short = 'i', long = "include")]
    pub include: bool,
    /// Write the body to FILE instead of stdout (one per URL, in order).
    #[arg(short = 'o', long = "output", value_name = "FILE", action = ArgAction::Append, allow_hyphen_values = true)]
    pub output: Vec<PathBuf>,
    /// Write the body to a file named like the URL's last path segment.
    #[arg(short = 'O', long = "remote-name", action = ArgAction::Count)]
    pub remote_name: u8,
    /// Follow redirects.
    #[arg(short = 'L', long = "location")]
    pub location: bool,
    /// Redirect limit with -L (-1: no limit).
    #[arg(long = "max-redirs", value_name = "N", default_value_t = i64::from(DEFAULT_MAX_REDIRECTS), allow_negative_numbers = true)]
    pub max_redirs: i64,
    /// Proxy URL: http://, https:// (TLS to the proxy), socks4://, socks4a://,
    /// socks5://, socks5h:// ("" = none).
    #[arg(
        short = 'x',
        long = "proxy",
        value_name = "URL",
        allow_hyphen_values = true
    )]
    pub proxy: Option<String>,
    /// Proxy credentials USER:PASS.
    #[arg(
        short = 'U',
        long = "proxy-user",
        value_name = "USER:PASS",
        allow_hyphen_values = true
    )]
    pub proxy_user: Option<String>,
    /// Tunnel through the HTTP(S) proxy with CONNECT.
    #[arg(short = 'p', long = "proxytunnel")]
    pub proxytunnel: bool,
    /// Hosts that bypass the proxy (comma list, overrides NO_PROXY).
    #[arg(long = "noproxy", value_name = "LIST", allow_hyphen_values = true)]
    pub noproxy: Option<String>,
    /// Server credentials USER:PASS (Basic).
    #[arg(
        short = 'u',
        long = "user",
        value_name = "USER:PASS",
        allow_hyphen_values = true
    )]
    pub user: Option<String>,
    /// User-Agent header.
    #[arg(
        short = 'A',
        long = "user-agent",
        value_name = "NAME",
        allow_hyphen_values = true
    )]
    pub user_agent: Option<String>,
    /// Ask for a compressed body (Accept-Encoding: deflate, gzip, br, zstd)
    /// and write it decoded.
    #[arg(long = "compressed")]
    pub compressed: bool,
    /// Print connection notes and heads on stderr.
    #[arg(short = 'v', long = "verbose")]
    pub verbose: bool,
    /// No progress, no error messages.
    #[arg(short = 's', long = "silent")]
    pub silent: bool,
    /// With -s, still print errors.
    #[arg(short = 'S', long = "show-error")]
    pub show_error: bool,
    /// Like -f, but the body is still written.
    #[arg(long = "fail-with-body")]
    pub fail_with_body: bool,
    /// Write the response heads to FILE ("-" = stdout).
    #[arg(
        short = 'D',
        long = "dump-header",
        value_name = "FILE",
        allow_hyphen_values = true
    )]
    pub dump_header: Option<PathBuf>,
    /// Use ADDR for HOST:PORT instead of resolving it (repeatable;
    /// ADDR may be a comma list, IPv6 in brackets).
    #[arg(long = "resolve", value_name = "HOST:PORT:ADDR", action = ArgAction::Append, allow_hyphen_values = true)]
    pub resolve: Vec<String>,
    /// Fail (exit 22, no body) on HTTP status 400 and above.
    #[arg(short = 'f', long = "fail")]
    pub fail: bool,
    /// Limit for resolving, connecting and the proxy handshake (seconds).
    #[arg(
        long = "connect-timeout",
        value_name = "SECS",
        allow_hyphen_values = true
    )]
    pub connect_timeout: Option<f64>,
    /// Limit for each whole transfer (seconds).
    #[arg(
        short = 'm',
        long = "max-time",
        value_name = "SECS",
        allow_hyphen_values = true
    )]
    pub max_time: Option<f64>,
    /// Retry transient failures (timeouts, HTTP 408/429/500/502/503/504) N times.
    #[arg(
        long = "retry",
        value_name = "N",
        default_value_t = 0,
        allow_hyphen_values = true
    )]
    pub retry: u32,
    /// Print FORMAT after each transfer (%{http_code}, %{time_total}, ...; @file reads it).
    #[arg(
        short = 'w',
        long = "write-out",
        value_name = "FORMAT",
        allow_hyphen_values = true
    )]
    pub write_out: Option<String>,
    /// Do not verify the server certificate (https).
    #[arg(short = 'k', long = "insecure")]
    pub insecure: bool,
    /// Trust the PEM certificates in FILE instead of the system's.
    #[arg(long = "cacert", value_name = "FILE", allow_hyphen_values = true)]
    pub cacert: Option<PathBuf>,
    /// Trust the PEM certificates in DIR (hashed names or *.pem/*.crt).
    #[arg(long = "capath", value_name = "DIR", allow_hyphen_values = true)]
    pub capath: Option<PathBuf>,
    /// Client certificate (PEM) for https.
    #[arg(
        short = 'E',
        long = "cert",
        value_name = "FILE",
        allow_hyphen_values = true
    )]
    pub cert: Option<PathBuf>,
    /// Private key (PEM) of --cert (default: the --cert file).
    #[arg(long = "key", value_name = "FILE", allow_hyphen_values = true)]
    pub key: Option<PathBuf>,
    /// Use TLS 1.2 or later.
    #[arg(long = "tlsv1.2")]
    pub tlsv1_2: bool,
    /// Use TLS 1.3 or later.
    #[arg(long = "tlsv1.3")]
    pub tlsv1_3: bool,
    /// Highest TLS version to offer: 1.2, 1.3 or default.
    #[arg(long = "tls-max", value_name = "VERSION")]
    pub tls_max: Option<String>,
    /// HTTPS proxy: trust the PEM certificates in FILE instead of the
    /// system's (--cacert is for the server only).
    #[arg(long = "proxy-cacert", value_name = "FILE", allow_hyphen_values = true)]
    pub proxy_cacert: Option<PathBuf>,
    /// HTTPS proxy: trust the PEM certificates in DIR (default: --capath).
    #[arg(long = "proxy-capath", value_name = "DIR", allow_hyphen_values = true)]
    pub proxy_capath: Option<PathBuf>,
    /// HTTPS proxy: do not verify the proxy's certificate (-k is for the
    /// server only).
    #[arg(long = "proxy-insecure")]
    pub proxy_insecure: bool,

    // --- WebSocket (issue 23): the flags of `fetch ws://` / `wss://` ---
    /// ws:// and wss:// URLs: send each input line as a binary message
    /// (default: text). Each line of standard input is one message, each
    /// message received one line of output; end of input closes (1000).
    /// Exit 22 when the upgrade is refused, 56 when the connection is lost
    /// without a close frame, 0 after a close frame.
    #[arg(long = "ws-binary", help_heading = "WebSocket (ws://, wss://)")]
    pub ws_binary: bool,
    /// Ping after SECS without traffic from the server; no answer within
    /// SECS more means the connection is lost.
    #[arg(
        long = "ws-ping",
        value_name = "SECS",
        help_heading = "WebSocket (ws://, wss://)"
    )]
    pub ws_ping: Option<f64>,
    /// After a lost connection (reset, end without a close frame, missed
    /// ping), reconnect with backoff (0.5 s doubling to 30 s, full jitter;
    /// --retry N bounds the attempts) and go on with the input lines not
    /// yet sent, never sending one twice; -v notes each attempt.
    #[arg(long = "ws-reconnect", help_heading = "WebSocket (ws://, wss://)")]
    pub ws_reconnect: bool,
}

impl Cli {
    /// The checks on flag combinations that clap cannot make; `has_data`:
    /// `-d` or `--data-binary` gave a body.
    pub fn check_combinations(&self, has_data: bool) -> Result<(), Failure> {
        if self.head && has_data && !self.get {
            return Err(Failure::new(
                exit::USAGE,
                "You can only select one HTTP request method! You asked for both POST (-d) and HEAD (-I).",
            ));
        }
        if self.max_redirs < -1 {
            return Err(Failure::new(
                exit::USAGE,
                "option --max-redirs: expected a proper numerical parameter",
            ));
        }
        Ok(())
    }

    /// The TLS settings: curl's environment (`CURL_CA_BUNDLE`,
    /// `SSL_CERT_FILE`, `SSL_CERT_DIR`) with the flags on top.
    pub fn tls_options(&self) -> Result<TlsOptions, Failure> {
        let mut o = TlsOptions::from_curl_env();
        o.insecure = self.insecure;
        if self.cacert.is_some() {
            o.ca_file.clone_from(&self.cacert);
        }
        if self.capath.is_some() {
            o.ca_dir.clone_from(&self.capath);
        }
        o.client_cert.clone_from(&self.cert);
        o.client_key.clone_from(&self.key);
        if self.tlsv1_3 {
            o.min_version = Some(TlsVersion::Tls13);
        } else if self.tlsv1_2 {
            o.min_version = Some(TlsVersion::Tls12);
        }
        if let Some(v) = &self.tls_max {
            o.max_version = TlsVersion::parse_max(v)
                .map_err(|e| Failure::new(exit::USAGE, format!("--tls-max: {e}")))?;
        }
        Ok(o)
    }
}

impl Cli {
    /// The TLS settings for an HTTPS proxy, as curl's tool sets them:
    /// `--proxy-cacert` else the system bundle (`CURL_CA_BUNDLE` and
    /// `SSL_CERT_FILE` are for the server only), `--proxy-capath` else
    /// `--capath` else the system directory, `--proxy-insecure`. Versions
    /// and client certificates stay the defaults.
    pub fn proxy_tls_options(&self) -> TlsOptions {
        TlsOptions {
            ca_file: self.proxy_cacert.clone(),
            ca_dir: self.proxy_capath.clone().or_else(|| self.capath.clone()),
            insecure: self.proxy_insecure,
            key_log: TlsOptions::from_curl_env().key_log,
            ..TlsOptions::default()
        }
    }
}

/// A `--connect-timeout` or `--max-time` value: absent or 0 is no limit.
pub fn parse_secs(v: Option<f64>, flag: &str) -> Result<Option<Duration>, Failure> {
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
