//! `--digest` and `--anyauth` with `-u`: the request goes first without
//! credentials (a body is held back: `Content-Length: 0`, as curl's
//! authentication round sends it); a 401 whose `WWW-Authenticate` offers
//! Digest (or, with `--anyauth`, Basic) is answered by sending the
//! request again with `Authorization`. Both heads are kept for `-i`.
//! Digest wins when offered; `--basic` beside `--digest` allows Basic too.

use std::io::Read;

use brisk_client::{Credentials, Error, Method, RequestBody, RequestBuilder, Response};

use crate::context::Ctx;
use crate::digest::Challenge;
use crate::exit::Failure;
use crate::request::build_request;

/// Most bytes of a 401 body read so that its connection can be reused.
const CHALLENGE_DRAIN_BYTES: u64 = 64 * 1024;

/// What was sent: the method, the body's length, and the outcome.
pub struct Sent {
    pub method: Method,
    pub body_len: u64,
    pub result: Result<Response, Error>,
}

/// Whether the flags ask for an authentication round.
pub fn negotiates(ctx: &Ctx<'_>) -> bool {
    (ctx.cli.digest || ctx.cli.anyauth) && ctx.cli.user.is_some()
}

/// The request for `url`, sent; with `--digest`/`--anyauth` answered
/// again with credentials when the server asks.
pub fn send(ctx: &Ctx<'_>, url: &str, offset: u64) -> Result<Sent, Failure> {
    let request = build_request(ctx, url, offset)?;
    let method = request.method().clone();
    let body_len = request.body_len().unwrap_or(0);
    if !negotiates(ctx) {
        let result = request.send();
        return Ok(Sent {
            method,
            body_len,
            result,
        });
    }
    let first = hold_back_body(request).send();
    let Some(authorization) = first.as_ref().ok().and_then(|r| answer(ctx, r, &method)) else {
        return Ok(Sent {
            method,
            body_len: 0,
            result: first,
        });
    };
    if let Ok(resp) = first {
        drain(resp);
    }
    let retry = build_request(ctx, url, offset)?.header("Authorization", authorization);
    Ok(Sent {
        method,
        body_len,
        result: retry.send(),
    })
}

/// The first request of the round without its body (curl sends
/// `Content-Length: 0` and the same `Content-Type`).
fn hold_back_body(req: RequestBuilder<'_>) -> RequestBuilder<'_> {
    match req.body_len() {
        Some(0) => req,
        _ => req.body(RequestBody::Bytes(Vec::new())),
    }
}

/// The `Authorization` value for a 401 that offers a scheme the flags
/// allow.
fn answer(ctx: &Ctx<'_>, resp: &Response, method: &Method) -> Option<String> {
    if resp.status() != 401 {
        return None;
    }
    let creds = Credentials::from_pair(ctx.cli.user.as_deref()?);
    let offers: Vec<String> = resp
        .headers()
        .get_all("www-authenticate")
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect();
    if let Some(c) = Challenge::from_headers(offers.iter().map(String::as_str)) {
        let uri = resp.url().path_and_query();
        return Some(c.authorization(&creds.user, &creds.password, method.as_str(), uri));
    }
    let basic = offers
        .iter()
        .any(|o| o.trim_start().to_ascii_lowercase().starts_with("basic"));
    // --basic beside --digest adds Basic to the methods the 401 may pick.
    ((ctx.cli.anyauth || ctx.cli.basic) && basic).then(|| creds.basic_auth())
}

/// Reads a small challenge body so its connection can be reused.
fn drain(resp: Response) {
    let mut body = resp.into_body();
    let _ = std::io::copy(
        &mut (&mut body).take(CHALLENGE_DRAIN_BYTES),
        &mut std::io::sink(),
    );
}
