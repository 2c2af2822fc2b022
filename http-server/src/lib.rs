//! An embeddable HTTP/1.1 server on nonblocking `mio` event loops.
//!
//! ```no_run
//! use brisk_server::{Request, Response, Server, StatusCode};
//!
//! fn main() -> std::io::Result<()> {
//!     // Ctrl-C or SIGTERM: stop accepting, finish the requests in flight,
//!     // and return Ok (a second signal exits at once); SIGHUP reloads TLS.
//!     let server = Server::bind("127.0.0.1:8080")?.shutdown_on_signals();
//!     println!("listening at http://{}/", server.local_addr());
//!     server.serve(|req: &Request| Response::text(StatusCode::OK, format!("Hello, {}!\n", req.path())))
//! }
//! ```
//!
//! # Model
//!
//! `N` worker threads (default: one per core) each run their own
//! edge-triggered `mio::Poll` over their own `SO_REUSEPORT` listener; the
//! kernel spreads new connections across them. A handler runs inline on
//! its worker's loop thread by default, which is right for fast handlers
//! (static files, computed answers); handlers that block should run on the
//! handler pool ([`Server::handler_threads`]).
//!
//! The server owns the protocol: it parses and limits requests (431, 414,
//! 413, 400, 501, 505, each followed by a close), reads bodies (also
//! chunked; `Expect: 100-continue` answered) into memory or, for a pool
//! handler that asks ([`Handler::streams_body`], [`streaming`]), streams
//! them of any size through a bounded pipe ([`Request::body_reader`]),
//! frames responses
//! (`Content-Length`, chunked, `Date`, `Connection`), keeps connections
//! alive and answers pipelined requests in order, applies backpressure to
//! clients that do not read, times out heads, bodies, idle connections and
//! stalled writes, closes gracefully (lingering close), and shuts down
//! gracefully ([`ShutdownHandle`]). A panicking handler yields a 500.
//! `SIGPIPE` never kills the process: worker threads block it, and socket
//! writes use `MSG_NOSIGNAL`.
//!
//! HTTPS: [`Server::tls`] with a [`TlsConfig`] from PEM files or an
//! application's rustls config; the handshake runs in the loop under the
//! head deadline, plain HTTP on the TLS port gets a 400, and the
//! certificate reloads on SIGHUP or through [`TlsReloader`]. Behind a load
//! balancer, [`Server::proxy_protocol`] reads a PROXY protocol v1/v2
//! header first and takes the client's address from it.
//!
//! WebSocket: [`ws::WebSocket::upgrade`] answers an upgrade request with
//! `101` and the connection becomes a WebSocket session on the same loop
//! ([`ws::Endpoint`] callbacks, [`ws::WsSender`] from any thread, topics
//! with publish-once, heartbeats, a send limit, 1001 on shutdown). The
//! hand-off is general: the HTTP connection gives its transport and the
//! bytes read past the request to whatever session the `101` names.
//!
//! # Defaults
//!
//! nginx's, where it has one: head 32 KiB (request line 8 KiB, 100
//! fields), body 1 MiB, head and body timeouts 60 s, keep-alive 75 s and
//! 1000 requests, write stall 60 s, lingering 5 s, drain 30 s, 10 000
//! connections per worker.
#![deny(unsafe_code)]

mod buf;
pub mod compress;
mod config;
mod conn;
mod frame;
mod handler;
mod net;
mod pool;
/// The PROXY protocol decoder: public for the fuzz target; servers use it
/// through [`Server::proxy_protocol`].
#[doc(hidden)]
pub mod proxy_protocol;
mod request;
mod request_body;
mod response;
mod server;
mod service;
mod session;
mod shared;
mod shutdown;
mod sys;
mod timer;
mod tls;
mod transport;
mod upgrade;
mod worker;
pub mod ws;

pub use compress::{compress, Compress, Compression};
pub use handler::{streaming, Handler, Streaming};
pub use request::Request;
pub use request_body::BodyReader;
pub use response::{Body, BodyPart, BodyStream, Completion, FileRegion, Response};
pub use server::{Server, ShutdownHandle};
pub use tls::{TlsConfig, TlsReloader};

/// The rustls this crate is built with, for applications that build their
/// own [`rustls::ServerConfig`] (see [`TlsConfig::from_rustls`]).
pub use rustls;

/// The protocol types handlers use, re-exported from `brisk-core`.
pub use brisk_core::{Headers, Method, StatusCode, Version};
