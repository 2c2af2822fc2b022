//! One attempt at one URL: send, heads (`-D`, `-i`, `-I`), the `-C` and
//! `-f` checks, and the body copied to its [`Sink`] (`--retry` around it
//! is [`crate::retry`]'s).

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use brisk_client::tls::TlsError;
use brisk_client::{Error, Method, Response};

use crate::auth;
use crate::body::copy_body;
use crate::conditions;
use crate::context::Ctx;
use crate::exit::{self, failure, write_failure, Failure};
use crate::files::{self, OpenMode};
use crate::output::{Output, Sink};
use crate::progress_bar;
use crate::resume::{self, Verdict};
use crate::retry::parse_retry_after;
use crate::trace::take_heads;
use crate::write_out::Stats;

/// The failure of a status at or above 400 with `-f` or `--fail-with-body`.
fn http_error(status: u16) -> Failure {
    Failure::new(
        exit::HTTP_ERROR,
        format!("The requested URL returned error: {status}"),
    )
}

/// One URL: send, then write the heads (`-i`, `-I`) and the body.
pub fn transfer(ctx: &Ctx<'_>, url: &str, sink: &Sink, stats: &mut Stats) -> Result<(), Failure> {
    let cli = ctx.cli;
    let started = Instant::now();
    // Heads left from the previous attempt or URL are dropped.
    take_heads(&ctx.heads);
    take_heads(&ctx.requests);
    let offset = resume::offset(cli, sink)?;
    progress_bar::start(cli, offset, ctx.meter.is_some());
    let auth::Sent {
        method,
        body_len,
        result,
    } = auth::send(ctx, url, offset)?;
    stats.total = started.elapsed();
    record_request(ctx, stats, url, sink, (&method, body_len));
    let heads = collect_heads(ctx, stats)?;
    let show_heads = cli.include || cli.head;
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => {
            if let Error::Tls(TlsError::Verify(v)) = &e {
                // curl reports why verification failed even without a
                // response (`%{ssl_verify_result}` 10 for an expired one).
                stats.ssl_verify_result = v.ssl_verify_result();
            }
            let f = failure(e);
            stats.bar_begun = progress_bar::finish();
            stats.errormsg = Some(f.msg.clone());
            record_failed_redirects(stats, &heads, f.code);
            // Heads that did arrive (redirects before exit 47) are output.
            if show_heads && !heads.is_empty() {
                let mut out = Output::new(sink, open_mode(ctx, offset));
                out.write(&heads.concat())?;
                out.finish()?;
            }
            return Err(f);
        }
    };
    record_response(stats, &resp);
    let renamed = files::header_named(cli.remote_header_name, sink, &resp);
    let sink = renamed.as_ref().unwrap_or(sink);
    stats.filename_effective = sink.file().map(|p| p.display().to_string());
    let mode = OpenMode {
        exclusive: renamed.is_some(),
        ..open_mode(ctx, offset)
    };
    let mut out = Output::new(sink, mode);
    if show_heads {
        out.write(&heads.concat())?;
    }
    progress_bar::responded();
    let delivered = deliver(ctx, &mut resp, (sink, &mut out), stats, (offset, &method));
    stats.bar_begun = progress_bar::finish();
    stats.total = started.elapsed();
    let written = out.opened().map(Path::to_path_buf);
    let result = match delivered {
        // Whatever arrived is written, even when the transfer failed.
        Ok(Delivered::Body) => out.finish(),
        Ok(Delivered::Nothing) => out.flush_written(),
        Err(f) => out.flush_written().and(Err(f)),
    };
    after_file(ctx, &resp, written.as_deref(), &result);
    result
}

/// What a response gave the output.
enum Delivered {
    Body,
    /// No body: `-f`'s failure or a finished resume (no file is created).
    Nothing,
}

/// The checks on a response (`-C`, `-f`, `--max-filesize`), then its body
/// into `out`.
fn deliver(
    ctx: &Ctx<'_>,
    resp: &mut Response,
    (sink, out): (&Sink, &mut Output<'_>),
    stats: &mut Stats,
    (offset, method): (u64, &Method),
) -> Result<Delivered, Failure> {
    let cli = ctx.cli;
    let status = resp.status();
    if let Verdict::Skip = resume::check(resp, offset, method, cli.fail || cli.fail_with_body)? {
        // Nothing left to download (curl: "already downloaded").
        return Ok(Delivered::Nothing);
    }
    let http_failed = (cli.fail || cli.fail_with_body) && status >= 400;
    if http_failed && !cli.fail_with_body {
        // -f: the heads (with -i) but no body, exit 22.
        return Err(http_error(status));
    }
    if let Some(path) = &cli.etag_save {
        conditions::save_etag(path, resp.header("etag"))?;
    }
    if ctx
        .time_cond
        .is_some_and(|c| !c.met_by(resp.header("last-modified")))
    {
        // curl: "The requested document is not new enough" (or not old enough).
        return Ok(Delivered::Nothing);
    }
    let length = resp
        .header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    files::check_size(length, ctx.max_filesize)?;
    copy_body(ctx, resp, (sink, out), stats)?;
    if http_failed {
        // --fail-with-body: the body is out, the exit code still says 22.
        return Err(http_error(status));
    }
    Ok(Delivered::Body)
}

/// How the output file opens: appended to with `-C`, never over another
/// with `--no-clobber`.
fn open_mode(ctx: &Ctx<'_>, offset: u64) -> OpenMode {
    OpenMode {
        append: offset > 0,
        no_clobber: ctx.cli.no_clobber,
        unbuffered: ctx.cli.no_buffer,
        exclusive: false,
    }
}

/// `-R` on a written file, `--remove-on-error` on a failed one.
fn after_file(
    ctx: &Ctx<'_>,
    resp: &Response,
    written: Option<&Path>,
    result: &Result<(), Failure>,
) {
    let Some(path) = written else {
        return;
    };
    if result.is_err() {
        if ctx.cli.remove_on_error {
            let _ = std::fs::remove_file(path);
        }
        return;
    }
    if ctx.cli.remote_time {
        if let Some(lm) = resp.header("last-modified") {
            files::set_remote_time(path, lm);
        }
    }
}

/// The response heads of this attempt, counted for `-w` and written to the
/// `-D` file.
fn collect_heads(ctx: &Ctx<'_>, stats: &mut Stats) -> Result<Vec<Vec<u8>>, Failure> {
    let heads = take_heads(&ctx.heads);
    stats.size_header = heads.iter().map(|h| h.len() as u64).sum();
    if let Some(d) = ctx.dump.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
        d.write_all(&heads.concat())
            .and_then(|()| d.flush())
            .map_err(write_failure)?;
    }
    Ok(heads)
}

/// What `-w` reports when a redirect chain failed (too many, or a scheme
/// `--proto-redir` refuses): the last status received, and the redirects
/// curl counts (it counts the refused one, not the one over the limit).
fn record_failed_redirects(stats: &mut Stats, heads: &[Vec<u8>], code: u8) {
    let statuses: Vec<u16> = heads.iter().filter_map(|h| status_of(h)).collect();
    let Some(last) = statuses.last() else {
        return;
    };
    stats.http_code = *last;
    let redirects = statuses.iter().filter(|s| (300..400).contains(*s)).count();
    stats.num_redirects = if code == exit::TOO_MANY_REDIRECTS {
        redirects.saturating_sub(1)
    } else {
        redirects
    };
}

/// The status code of a response head ("HTTP/1.1 302 Found").
fn status_of(head: &[u8]) -> Option<u16> {
    let line = head.split(|b| *b == b'\r').next()?;
    let code = line.split(|b| *b == b' ').nth(1)?;
    std::str::from_utf8(code).ok()?.parse().ok()
}

/// What `-w` reports of the request: the URL as given, the file written,
/// `-e`, and from the request heads sent their bytes and the last method.
/// The body (`body`: the method that carries it and its length) counts
/// for each request sent with that method (a 303 turns it into a GET
/// without one), as curl counts it.
fn record_request(ctx: &Ctx<'_>, stats: &mut Stats, url: &str, sink: &Sink, body: (&Method, u64)) {
    let requests = take_heads(&ctx.requests);
    let methods: Vec<String> = requests
        .iter()
        .map(|h| {
            let m = h.split(|b| *b == b' ').next().unwrap_or(b""); // ok: split yields one item
            String::from_utf8_lossy(m).into_owned()
        })
        .collect();
    let with_body = |m: &String| m.as_str() == body.0.as_str();
    let bodies = methods.iter().filter(|m| with_body(m)).count() as u64;
    stats.url = url.to_string();
    stats.url_effective = url.to_string();
    stats.size_request = requests.iter().map(|h| h.len() as u64).sum::<u64>() + bodies * body.1;
    stats.size_upload = if methods.last().is_some_and(with_body) {
        body.1
    } else {
        0
    };
    stats.method = methods.last().cloned().unwrap_or_default();
    stats.filename_effective = sink.file().map(|p| p.display().to_string());
    stats.referer.clone_from(&ctx.cli.referer);
}

/// What `-w` reports of the final response.
fn record_response(stats: &mut Stats, resp: &Response) {
    let t = resp.timings();
    stats.num_connects = usize::from(!resp.reused_connection());
    stats.scheme = resp.url().scheme().as_str().to_ascii_uppercase();
    stats.http_version = match resp.version() {
        brisk_client::Version::Http10 => "1.0",
        brisk_client::Version::Http11 => "1.1",
    }
    .to_string();
    stats.headers = resp
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v).into_owned()))
        .collect();
    stats.redirect_url = match (resp.status(), resp.header("location")) {
        (300..=399, Some(loc)) => resp.url().join(loc).ok().map(|u| u.to_string()),
        _ => None,
    };
    stats.http_code = resp.status();
    stats.namelookup = t.namelookup;
    stats.connect = t.connect;
    stats.appconnect = t.appconnect;
    stats.ssl_verify_result = resp.ssl_verify_result().unwrap_or(0);
    stats.start_transfer = t.start_transfer;
    stats.num_redirects = resp.redirects().len();
    stats.url_effective = resp.url().to_string();
    stats.content_type = resp.header("content-type").unwrap_or("").to_string();
    stats.remote_ip = resp.remote_addr().ip().to_string();
    stats.remote_port = resp.remote_addr().port();
    stats.retry_after = resp.header("retry-after").and_then(parse_retry_after);
}
