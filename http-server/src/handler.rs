//! The handler trait, and the one place handlers are called.

use crate::{Request, Response};
use http_core::StatusCode;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Answers requests. Any `Fn(&Request) -> Response + Send + Sync + 'static`
/// is a handler.
///
/// Handlers run on a worker's event-loop thread unless the server has a
/// handler pool ([`crate::Server::handler_threads`]): a handler that
/// blocks on the loop thread stalls every connection of that worker.
pub trait Handler: Send + Sync + 'static {
    fn call(&self, req: &Request) -> Response;
}

impl<F> Handler for F
where
    F: Fn(&Request) -> Response + Send + Sync + 'static,
{
    fn call(&self, req: &Request) -> Response {
        self(req)
    }
}

/// Calls `handler`; a panic becomes a 500 (the worker lives on) and the
/// connection is closed after it.
pub(crate) fn call_handler(handler: &dyn Handler, req: &Request) -> Response {
    match catch_unwind(AssertUnwindSafe(|| handler.call(req))) {
        Ok(resp) => resp,
        Err(_) => {
            log::error!("handler panicked on {} {}", req.method(), req.raw_target());
            Response::text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "500 Internal Server Error\n",
            )
            .header("Connection", "close")
        }
    }
}
