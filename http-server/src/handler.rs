//! The handler trait, and the one place handlers are called.

use crate::{Request, Response};
use brisk_core::StatusCode;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// Answers requests. Any `Fn(&Request) -> Response + Send + Sync + 'static`
/// is a handler.
///
/// Handlers run on a worker's event-loop thread unless the server has a
/// handler pool ([`crate::Server::handler_threads`]): a handler that
/// blocks on the loop thread stalls every connection of that worker.
///
/// A handler on the pool may read request bodies of any size as they
/// arrive: [`Handler::streams_body`] says, for each request head, whether
/// it wants the body streamed ([`Request::body_reader`]) rather than
/// collected in memory first (within the server's body limit). Inline
/// handlers always get buffered bodies: the loop thread must never block
/// on a read. [`streaming`] makes a closure a streaming handler.
pub trait Handler: Send + Sync + 'static {
    fn call(&self, req: &Request) -> Response;

    /// Whether to hand over `req` (its head only; `body()` is empty) as
    /// soon as the head is in, with its body streamed. Called on the loop
    /// thread, so it must be quick. Honoured only with a handler pool
    /// ([`crate::Server::handler_threads`]); a streamed body is not
    /// limited by the server's body limit: the handler sets its own.
    fn streams_body(&self, req: &Request) -> bool {
        let _ = req;
        false
    }

    /// Answers from its head alone a request whose client waits for
    /// `100 Continue` (`Expect: 100-continue`) before it sends the body:
    /// `Some(response)` goes out instead of the 100, the body is never
    /// read and the connection closes after the answer, so the client
    /// sends no body for nothing. For refusals that need no body (a method
    /// the handler does not take, missing credentials). Called on the
    /// loop thread, before the body is read, so it must be quick. `None`
    /// (the default) reads the body and calls [`Handler::call`]. A
    /// streamed body ([`Handler::streams_body`]) needs no such check:
    /// there the 100 waits for the handler's first read.
    fn refuse_early(&self, req: &Request) -> Option<Response> {
        let _ = req;
        None
    }
}

/// A closure as a handler that streams every request body (see
/// [`Handler::streams_body`]).
pub fn streaming<F>(f: F) -> Streaming<F>
where
    F: Fn(&Request) -> Response + Send + Sync + 'static,
{
    Streaming(f)
}

/// What [`streaming`] returns.
#[derive(Debug, Clone)]
pub struct Streaming<F>(F);

impl<F> Handler for Streaming<F>
where
    F: Fn(&Request) -> Response + Send + Sync + 'static,
{
    fn call(&self, req: &Request) -> Response {
        (self.0)(req)
    }

    fn streams_body(&self, _: &Request) -> bool {
        true
    }
}

impl<F> Handler for F
where
    F: Fn(&Request) -> Response + Send + Sync + 'static,
{
    fn call(&self, req: &Request) -> Response {
        self(req)
    }
}

/// Asks `handler` whether it streams `req`'s body; a panic says no (and
/// the handler's call will meet the same request).
pub(crate) fn wants_stream(handler: &dyn Handler, req: &Request) -> bool {
    catch_unwind(AssertUnwindSafe(|| handler.streams_body(req))).unwrap_or(false)
}

/// Asks `handler` whether it refuses `req` from its head; a panic says
/// no (and the handler's call will meet the same request).
pub(crate) fn refused_early(handler: &dyn Handler, req: &Request) -> Option<Response> {
    catch_unwind(AssertUnwindSafe(|| handler.refuse_early(req))).unwrap_or(None)
}

/// Calls `handler`; a panic becomes a 500 (the worker lives on) and the
/// connection is closed after it.
pub(crate) fn call_handler(handler: &dyn Handler, req: &Request) -> Response {
    match catch_unwind(AssertUnwindSafe(|| handler.call(req))) {
        Ok(resp) => resp,
        Err(_) => panicked(req),
    }
}

/// [`call_handler`], handing the response to `then` inside the same
/// `catch_unwind`, so that the response is not moved out of it first
/// (one copy of the whole value fewer, read back before the handler's
/// stores have left the store buffer). A panic in `then` (past the
/// handler) is resumed as it was raised, not answered with a 500.
pub(crate) fn call_handler_then(handler: &dyn Handler, req: &Request, then: impl FnOnce(Response)) {
    let mut then = Some(then);
    let mut answered = false;
    let caught = catch_unwind(AssertUnwindSafe(|| {
        let resp = handler.call(req);
        answered = true;
        if let Some(then) = then.take() {
            then(resp);
        }
    }));
    let Err(panic) = caught else {
        return;
    };
    if answered {
        resume_unwind(panic);
    }
    if let Some(then) = then.take() {
        then(panicked(req));
    }
}

/// The answer to a request whose handler panicked.
#[cold]
fn panicked(req: &Request) -> Response {
    log::error!("handler panicked on {} {}", req.method(), req.raw_target());
    Response::text(
        StatusCode::INTERNAL_SERVER_ERROR,
        "500 Internal Server Error\n",
    )
    .header("Connection", "close")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> Request {
        Request::empty(([127, 0, 0, 1], 80).into())
    }

    #[test]
    fn a_handler_panic_is_answered_with_a_500_that_closes() {
        let handler = |_: &Request| -> Response { panic!("the handler's") };
        let mut got = None;
        call_handler_then(&handler, &req(), |resp| {
            got = Some((
                resp.status(),
                resp.headers().get_str("connection") == Some("close"),
            ));
        });
        assert_eq!(got, Some((StatusCode::INTERNAL_SERVER_ERROR, true)));
    }

    #[test]
    fn a_panic_past_the_handler_is_resumed_not_answered() {
        let handler = |_: &Request| Response::new(StatusCode::OK);
        let mut calls = 0;
        let caught = catch_unwind(AssertUnwindSafe(|| {
            call_handler_then(&handler, &req(), |resp| {
                calls += 1;
                assert_eq!(resp.status(), StatusCode::OK);
                panic!("ours");
            })
        }));
        let payload = caught.err().and_then(|p| p.downcast::<&str>().ok());
        assert_eq!(payload.as_deref(), Some(&"ours"));
        assert_eq!(calls, 1);
    }
}
