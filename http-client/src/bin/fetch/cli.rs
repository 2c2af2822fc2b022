//! The command line: the clap [`Cli`] (its doc comments are `--help`);
//! the checks clap cannot make are in `cli_checks.rs`, the run-wide flags
//! in `cli_run.rs`.

use std::path::PathBuf;

use clap::{ArgAction, Parser};

use crate::cli_run::RunFlags;
use crate::data::DataArg;
use crate::form::FormArg;
use brisk_client::DEFAULT_MAX_REDIRECTS;

/// Where one URL argument's body goes, as `-o FILE` or `-O` said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputSpec {
    File(PathBuf),
    Remote,
}

#[derive(Parser, Debug)]
#[command(
    name = "fetch",
    version,
    about = "Transfer a URL over HTTP/1.1 or HTTPS, with curl's flags and exit codes",
    after_help = "As in curl: switches may repeat and combine (-sSfLo FILE), every boolean has a --no- form (--no-location), long names may be shortened while unambiguous. -K/--config reads curl's config syntax; no default config file (~/.curlrc) is read.\n\nExamples:\n  fetch https://example.com/\n  fetch -sSfLo page.html https://example.com/\n  fetch --json '{\"a\":1}' https://api.example.com/items\n  fetch -F name=value -F file=@photo.png https://example.com/upload\n  fetch -b jar.txt -c jar.txt -L https://example.com/login\n  fetch -C - -o big.iso https://example.com/big.iso   (resume)\n  fetch --unix-socket /var/run/docker.sock http://localhost/version\n  fetch --cacert ca.pem -v https://localhost:8443/\n  fetch -k -o page.html https://self-signed.test/\n  fetch -x http://proxy:3128 https://example.com/   (CONNECT tunnel)\n  fetch -x https://proxy:8443 --proxy-cacert proxy-ca.pem https://example.com/   (TLS to the proxy, CONNECT and TLS inside)\n  fetch --cert client.pem --key client.key https://mtls.test/"
)]
pub struct Cli {
    /// URLs to fetch, in order, reusing connections.
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,
    /// A URL to fetch, as if given as an argument (repeatable; in order
    /// with the others).
    #[arg(long = "url", value_name = "URL", action = ArgAction::Append, allow_hyphen_values = true)]
    pub url_flags: Vec<String>,
    /// Request method.
    #[arg(
        short = 'X',
        long = "request",
        value_name = "METHOD",
        allow_hyphen_values = true
    )]
    pub method: Option<String>,
    /// POST data (`@file` strips newlines, `@-` reads stdin); every data
    /// flag is repeatable, the pieces joined by '&' in command-line order.
    #[arg(short = 'd', long = "data", value_name = "DATA", action = ArgAction::Append, allow_hyphen_values = true)]
    pub data: Vec<String>,
    /// The same as -d.
    #[arg(long = "data-ascii", value_name = "DATA", action = ArgAction::Append, allow_hyphen_values = true)]
    pub data_ascii: Vec<String>,
    /// POST data sent as is (`@file` keeps newlines).
    #[arg(long = "data-binary", value_name = "DATA", action = ArgAction::Append, allow_hyphen_values = true)]
    pub data_binary: Vec<String>,
    /// POST data with no special meaning for '@'.
    #[arg(long = "data-raw", value_name = "DATA", action = ArgAction::Append, allow_hyphen_values = true)]
    pub data_raw: Vec<String>,
    /// POST data URL-encoded: "content", "=content", "name=content",
    /// "@file", "name@file".
    #[arg(long = "data-urlencode", value_name = "DATA", action = ArgAction::Append, allow_hyphen_values = true)]
    pub data_urlencode: Vec<String>,
    /// JSON body (repeatable, the pieces joined as they are; `@file`,
    /// `@-`): POST with Content-Type and Accept application/json.
    #[arg(long = "json", value_name = "DATA", action = ArgAction::Append, allow_hyphen_values = true)]
    pub json: Vec<String>,
    /// Multipart form field: "name=value", "name=@file" (uploaded, type
    /// from the extension), "name=@a,b", "name=<file" (the file as the
    /// value), "@-"/"<-" stdin; ";type=", ";filename=", ";headers=".
    #[arg(short = 'F', long = "form", value_name = "NAME=CONTENT", action = ArgAction::Append, allow_hyphen_values = true)]
    pub form: Vec<String>,
    /// Multipart form field whose value is taken as it is.
    #[arg(long = "form-string", value_name = "NAME=STRING", action = ArgAction::Append, allow_hyphen_values = true)]
    pub form_string: Vec<String>,
    /// Escape '"' and '\' in form names with a backslash (default: '"' as %22).
    #[arg(long = "form-escape")]
    pub form_escape: bool,
    /// Every form flag in command-line order (filled after parsing).
    #[arg(skip)]
    pub form_args: Vec<FormArg>,
    /// Run the transfers at once (each to its own output), with curl's
    /// combined progress line on stderr unless -s.
    #[arg(short = 'Z', long = "parallel")]
    pub parallel: bool,
    /// At most N transfers at once with -Z (default 50, at most 300).
    #[arg(long = "parallel-max", value_name = "N")]
    pub parallel_max: Option<usize>,
    /// With -Z, open connections at once rather than wait to share one
    /// (always so over HTTP/1.1).
    #[arg(long = "parallel-immediate")]
    pub parallel_immediate: bool,
    /// Take '{}' and '[]' in URLs literally (no globbing).
    #[arg(short = 'g', long = "globoff")]
    pub globoff: bool,
    /// Read options from FILE in curl's config syntax ("-": stdin), as if
    /// given here; no default file (~/.curlrc) is read.
    #[arg(short = 'K', long = "config", value_name = "FILE", action = ArgAction::Append, allow_hyphen_values = true)]
    pub config: Vec<String>,
    /// Every data flag in command-line order (filled after parsing).
    #[arg(skip)]
    pub data_args: Vec<DataArg>,
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
    /// Resume the transfer at OFFSET bytes ("-": the size of the output
    /// file), appending to the file.
    #[arg(
        short = 'C',
        long = "continue-at",
        value_name = "OFFSET",
        allow_hyphen_values = true
    )]
    pub continue_at: Option<String>,
    /// Referer header.
    #[arg(
        short = 'e',
        long = "referer",
        value_name = "URL",
        allow_hyphen_values = true
    )]
    pub referer: Option<String>,
    /// Cookies to send ("name=value; name2=value2"), or, without '=', a
    /// cookie file to read (Netscape format or Set-Cookie lines; "" or a
    /// missing file just turns the cookie engine on); repeatable.
    #[arg(short = 'b', long = "cookie", value_name = "DATA|FILE", action = ArgAction::Append, allow_hyphen_values = true)]
    pub cookie: Vec<String>,
    /// Write every cookie to FILE after the transfers, in curl's Netscape
    /// format ("-": stdout); turns the cookie engine on.
    #[arg(
        short = 'c',
        long = "cookie-jar",
        value_name = "FILE",
        allow_hyphen_values = true
    )]
    pub cookie_jar: Option<PathBuf>,
    /// Leave out session cookies when reading -b files.
    #[arg(short = 'j', long = "junk-session-cookies")]
    pub junk_session_cookies: bool,
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
    /// Only if modified since DATE (or FILE's time); "-DATE": only if
    /// unmodified since.
    #[arg(
        short = 'z',
        long = "time-cond",
        value_name = "DATE|FILE",
        allow_hyphen_values = true
    )]
    pub time_cond: Option<String>,
    /// Save the response's ETag in FILE.
    #[arg(long = "etag-save", value_name = "FILE", allow_hyphen_values = true)]
    pub etag_save: Option<PathBuf>,
    /// Send the ETag saved in FILE as If-None-Match.
    #[arg(long = "etag-compare", value_name = "FILE", allow_hyphen_values = true)]
    pub etag_compare: Option<PathBuf>,
    /// With -O: name the file as the response's Content-Disposition says
    /// (its last path part only; an existing file is not replaced).
    #[arg(short = 'J', long = "remote-header-name")]
    pub remote_header_name: bool,
    /// Keep an existing output file: write to NAME.1, NAME.2 ... instead.
    #[arg(long = "no-clobber")]
    pub no_clobber: bool,
    /// Remove the output file when the transfer fails.
    #[arg(long = "remove-on-error")]
    pub remove_on_error: bool,
    /// Give the output file the time of the response's Last-Modified.
    #[arg(short = 'R', long = "remote-time")]
    pub remote_time: bool,
    /// Refuse (exit 63) a body announced larger than SIZE (bytes, or with
    /// k, M, G).
    #[arg(long = "max-filesize", value_name = "SIZE", allow_hyphen_values = true)]
    pub max_filesize: Option<String>,
    /// Put -o and -O files in DIR.
    #[arg(long = "output-dir", value_name = "DIR", allow_hyphen_values = true)]
    pub output_dir: Option<PathBuf>,
    /// Create the directories an -o or -O file needs.
    #[arg(long = "create-dirs")]
    pub create_dirs: bool,
    /// Write the body to FILE instead of stdout (one per URL, in order).
    #[arg(short = 'o', long = "output", value_name = "FILE", action = ArgAction::Append, allow_hyphen_values = true)]
    pub output: Vec<PathBuf>,
    /// Write the body to a file named like the URL's last path segment.
    // Each -O is one empty value, so that every one keeps its place.
    #[arg(short = 'O', long = "remote-name", action = ArgAction::Append, num_args = 0, default_missing_value = "")]
    pub remote_name: Vec<String>,
    /// `-o` and `-O` in command-line order: they pair with the URLs in
    /// order (filled after parsing).
    #[arg(skip)]
    pub outputs: Vec<OutputSpec>,
    /// Follow redirects.
    #[arg(short = 'L', long = "location")]
    pub location: bool,
    /// Like -L, and credentials go to other hosts too.
    #[arg(long = "location-trusted")]
    pub location_trusted: bool,
    /// With -L, a 301 keeps a POST a POST.
    #[arg(long = "post301")]
    pub post301: bool,
    /// With -L, a 302 keeps a POST a POST.
    #[arg(long = "post302")]
    pub post302: bool,
    /// With -L, a 303 keeps a POST a POST.
    #[arg(long = "post303")]
    pub post303: bool,
    /// Redirect limit with -L (-1: no limit).
    #[arg(long = "max-redirs", value_name = "N", default_value_t = i64::from(DEFAULT_MAX_REDIRECTS), allow_negative_numbers = true)]
    pub max_redirs: i64,
    /// Schemes the transfers may use: curl's list ("=https", "-all,+http").
    #[arg(long = "proto", value_name = "PROTOCOLS", allow_hyphen_values = true)]
    pub proto: Option<String>,
    /// Schemes redirects may lead to (with -L), in --proto's syntax.
    #[arg(
        long = "proto-redir",
        value_name = "PROTOCOLS",
        allow_hyphen_values = true
    )]
    pub proto_redir: Option<String>,
    /// Send "." and ".." path segments as they are.
    #[arg(long = "path-as-is")]
    pub path_as_is: bool,
    /// Send requests as HTTP/1.0.
    #[arg(short = '0', long = "http1.0", overrides_with = "http1_1")]
    pub http1_0: bool,
    /// Send requests as HTTP/1.1 (the default).
    #[arg(long = "http1.1")]
    pub http1_1: bool,
    /// Connect to this Unix socket instead of the URL's host (http only;
    /// e.g. the Docker API: --unix-socket /var/run/docker.sock http://localhost/version).
    #[arg(long = "unix-socket", value_name = "PATH", allow_hyphen_values = true)]
    pub unix_socket: Option<PathBuf>,
    /// Connect to this socket in Linux's abstract namespace.
    #[arg(
        long = "abstract-unix-socket",
        value_name = "NAME",
        allow_hyphen_values = true
    )]
    pub abstract_unix_socket: Option<String>,
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
    /// With -u: HTTP Digest authentication (RFC 7616: MD5, SHA-256, their
    /// -sess forms, qop=auth), answering the server's 401.
    #[arg(long = "digest")]
    pub digest: bool,
    /// With -u: answer the server's 401 with Digest or Basic, as it asks.
    #[arg(long = "anyauth")]
    pub anyauth: bool,
    /// With -u: HTTP Basic authentication (the default; beside --digest
    /// it lets the server's 401 choose, as curl's set of methods does).
    #[arg(long = "basic")]
    pub basic: bool,
    /// Credentials from ~/.netrc for the URL's host (over those in the URL).
    #[arg(short = 'n', long = "netrc")]
    pub netrc: bool,
    /// Like -n, but credentials in the URL come first.
    #[arg(long = "netrc-optional")]
    pub netrc_optional: bool,
    /// Like -n, with this netrc file.
    #[arg(long = "netrc-file", value_name = "FILE", allow_hyphen_values = true)]
    pub netrc_file: Option<PathBuf>,
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
    /// Print connection notes and heads on stderr; the values of
    /// Authorization, Proxy-Authorization, Cookie and Set-Cookie are printed as
    /// "[redacted]" (curl prints them).
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
    /// Connect to HOST2:PORT2 when a URL names HOST1:PORT1 (empty parts:
    /// any, or unchanged); repeatable.
    #[arg(long = "connect-to", value_name = "HOST1:PORT1:HOST2:PORT2", action = ArgAction::Append, allow_hyphen_values = true)]
    pub connect_to: Vec<String>,
    /// Resolve names to IPv4 addresses only.
    #[arg(short = '4', long = "ipv4", overrides_with = "ipv6")]
    pub ipv4: bool,
    /// Resolve names to IPv6 addresses only.
    #[arg(short = '6', long = "ipv6")]
    pub ipv6: bool,
    /// Write the body to stdout as it arrives, without buffering.
    #[arg(short = 'N', long = "no-buffer")]
    pub no_buffer: bool,
    /// Ignored: fetch reads no default config file (~/.curlrc) anyway.
    #[arg(short = 'q', long = "disable")]
    pub disable: bool,
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
    /// Retry transient failures (timeouts, HTTP 408/429/500/502/503/504;
    /// a Retry-After answer sets the wait) N times.
    #[arg(
        long = "retry",
        value_name = "N",
        default_value_t = 0,
        allow_hyphen_values = true
    )]
    pub retry: u32,
    /// Wait SECS between retries instead of 1 s doubling (0: the default).
    #[arg(long = "retry-delay", value_name = "SECS", allow_hyphen_values = true)]
    pub retry_delay: Option<u64>,
    /// Retry only while less than SECS have passed since the first attempt.
    #[arg(
        long = "retry-max-time",
        value_name = "SECS",
        allow_hyphen_values = true
    )]
    pub retry_max_time: Option<u64>,
    /// With --retry, retry on any error.
    #[arg(long = "retry-all-errors")]
    pub retry_all_errors: bool,
    /// With --retry, retry a refused connection too.
    #[arg(long = "retry-connrefused")]
    pub retry_connrefused: bool,
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
    /// After the end of input, wait until nothing was sent or received
    /// for SECS (default 1) before closing: a server may drop the replies
    /// still due once it has our close. 0 closes at once.
    #[arg(
        long = "ws-linger",
        value_name = "SECS",
        help_heading = "WebSocket (ws://, wss://)"
    )]
    pub ws_linger: Option<f64>,

    /// Operations, pacing, keepalive, diagnostics (cli_run.rs).
    #[command(flatten)]
    pub run: RunFlags,
}
