//! The request for one URL, from the flags: method, headers, body.

use std::fs::File;
use std::io;
use std::path::Path;

use brisk_client::{Credentials, Error, Method, RequestBody, RequestBuilder, Url};

use crate::cli::Cli;
use crate::conditions;
use crate::context::Ctx;
use crate::data::Data;
use crate::exit::{self, failure, Failure};
use crate::form;
use crate::protocols;
use crate::send_body;
use brisk_client::multipart::Escape;

/// The request for one URL, from the command line.
/// `resume`: the `-C` offset (0: none).
pub fn build_request<'c>(
    ctx: &'c Ctx<'_>,
    url: &str,
    resume: u64,
) -> Result<RequestBuilder<'c>, Failure> {
    let cli = ctx.cli;
    let method = choose_method(cli, ctx.data.is_some() || !cli.form_args.is_empty())?;
    protocols::check_url(url, &ctx.schemes)?;
    let url = upload_url(url, cli.upload_file.as_deref());
    let mut req = if cli.path_as_is {
        let parsed = Url::parse_as_is(&url).map_err(|e| failure(Error::Url(e)))?;
        ctx.client.request_url(method, parsed)
    } else {
        ctx.client.request(method, &url)
    };
    if cli.http1_0 {
        req = req.http10();
    }
    if let (Some(netrc), None) = (&ctx.netrc, &cli.user) {
        if let Ok(parsed) = Url::parse(&url) {
            let host = parsed.host().to_string();
            let url_user = parsed.credentials().map(|c| c.user.as_str());
            if let Some((user, password)) = netrc.credentials_for(&host, url_user) {
                req = req.basic_auth(Credentials { user, password });
            }
        }
    }
    let req = add_flag_headers(req, cli, resume)?;
    let req = add_conditions(req, ctx)?;
    let req = add_header_args(req, &cli.headers)?;
    let req = add_json_headers(req, cli, ctx.data.as_ref());
    add_body(req, ctx, ctx.data.as_ref().map(|d| d.bytes.as_slice()))
}

/// GET, HEAD with `-I`, POST with data (unless `-G`), PUT with `-T`; `-X`
/// overrides them all.
fn choose_method(cli: &Cli, has_data: bool) -> Result<Method, Failure> {
    let mut method = if cli.head { Method::Head } else { Method::Get };
    if has_data && !cli.get {
        method = Method::Post;
    }
    if cli.upload_file.is_some() {
        method = Method::Put;
    }
    if let Some(m) = &cli.method {
        method = Method::from_bytes(m.as_bytes())
            .ok_or_else(|| Failure::new(exit::USAGE, format!("bad method {m:?}")))?;
    }
    Ok(method)
}

/// The headers of `-u`, `-r`, `-e` and `-b`.
fn add_flag_headers<'c>(
    mut req: RequestBuilder<'c>,
    cli: &Cli,
    resume: u64,
) -> Result<RequestBuilder<'c>, Failure> {
    // With --digest or --anyauth the credentials wait for the server's 401.
    if let (Some(u), false) = (&cli.user, cli.digest || cli.anyauth) {
        req = req.basic_auth(Credentials::from_pair(u));
    }
    if cli.compressed && !names_header(&cli.headers, "accept-encoding") {
        // curl sends it with the defaults; a -H Accept-Encoding replaces
        // (or, empty, removes) it, and the body is still decoded.
        req = req.header("Accept-Encoding", brisk_client::decode::ACCEPT_ENCODING);
    }
    if resume > 0 {
        req = req.header("Range", format!("bytes={resume}-"));
    } else if let Some(r) = &cli.range {
        req = req.header("Range", format!("bytes={r}"));
    }
    // curl sends these before the -H headers.
    if let Some(r) = &cli.referer {
        req = req.header("Referer", r);
    }
    // The Cookie line goes here (the engine's cookies, then -b strings).
    Ok(req.cookie(cookie_text(cli).as_deref()))
}

/// `-z` and `--etag-compare`, after the flag headers (curl's place).
fn add_conditions<'c>(
    mut req: RequestBuilder<'c>,
    ctx: &Ctx<'_>,
) -> Result<RequestBuilder<'c>, Failure> {
    if let Some(c) = &ctx.time_cond {
        let (name, value) = c.header();
        req = req.header(name, value);
    }
    if let Some(path) = ctx.cli.etag_compare.as_deref() {
        req = req.header("If-None-Match", conditions::saved_etag(path)?);
    }
    Ok(req)
}

/// The `-b` strings (those with '='), joined as curl joins them.
fn cookie_text(cli: &Cli) -> Option<String> {
    let texts: Vec<&str> = cli
        .cookie
        .iter()
        .filter(|c| c.contains('='))
        .map(String::as_str)
        .collect();
    (!texts.is_empty()).then(|| texts.join(";"))
}

/// Whether a `-H` argument names the header `lower` (in any form).
fn names_header(headers: &[String], lower: &str) -> bool {
    headers.iter().any(|h| {
        let name = h.split([':', ';']).next().unwrap_or(""); // ok: split yields one item
        name.trim().eq_ignore_ascii_case(lower)
    })
}

/// The `-H` headers, in order: "Name: value" sets, "Name:" removes, and
/// "Name;" sends an empty value.
fn add_header_args<'c>(
    mut req: RequestBuilder<'c>,
    headers: &[String],
) -> Result<RequestBuilder<'c>, Failure> {
    for h in headers {
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
    Ok(req)
}

/// `--json`'s Content-Type and Accept, after the `-H` headers, unless a
/// `-H` names them (curl's order and rule).
fn add_json_headers<'c>(
    mut req: RequestBuilder<'c>,
    cli: &Cli,
    data: Option<&Data>,
) -> RequestBuilder<'c> {
    if !data.is_some_and(|d| d.json) {
        return req;
    }
    for name in ["Content-Type", "Accept"] {
        if !names_header(&cli.headers, &name.to_ascii_lowercase()) {
            req = req.header(name, "application/json");
        }
    }
    req
}

/// The data (in the query with `-G`, else a form body) and the `-T`
/// upload.
fn add_body<'c>(
    mut req: RequestBuilder<'c>,
    ctx: &Ctx<'_>,
    data: Option<&[u8]>,
) -> Result<RequestBuilder<'c>, Failure> {
    let cli = ctx.cli;
    match (data, cli.get) {
        (Some(d), true) => {
            // curl's URL parser refuses spaces and control bytes.
            if d.iter().any(|b| *b <= b' ' || *b == 0x7f) {
                return Err(Failure::new(
                    exit::MALFORMED_URL,
                    "URL using bad/illegal format or missing URL",
                ));
            }
            req = req.raw_query(&String::from_utf8_lossy(d));
        }
        (Some(d), false) => {
            req = req
                .body(send_body::wrap(ctx, RequestBody::Bytes(d.to_vec())))
                .default_header("Content-Type", "application/x-www-form-urlencoded");
        }
        (None, _) => {}
    }
    if !cli.form_args.is_empty() {
        let escape = if cli.form_escape {
            Escape::Backslash
        } else {
            Escape::Percent
        };
        let form = form::build(&cli.form_args, escape)?;
        let content_type = form.content_type();
        let body = form.into_body().map_err(|e| {
            Failure::new(
                exit::READ_ERROR,
                format!("Failed to open/read local data from file/application: {e}"),
            )
        })?;
        req = req
            .body(send_body::wrap(ctx, body))
            .default_header("Content-Type", content_type);
    }
    if let Some(path) = &cli.upload_file {
        // curl announces every upload with Expect: 100-continue.
        req = req
            .body(send_body::wrap(ctx, upload_body(path)?))
            .expect_continue(true);
    }
    Ok(req)
}

/// The `-T` body: stdin (sent chunked) for "-", else the file.
fn upload_body(path: &Path) -> Result<RequestBody, Failure> {
    if path.as_os_str() == "-" {
        return Ok(RequestBody::Reader {
            reader: Box::new(io::stdin()),
            len: None,
        });
    }
    File::open(path).and_then(RequestBody::file).map_err(|e| {
        Failure::new(
            exit::READ_ERROR,
            format!(
                "Failed to open/read local data from file/application: {}: {e}",
                path.display()
            ),
        )
    })
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
fn upload_url(url: &str, upload: Option<&Path>) -> String {
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
