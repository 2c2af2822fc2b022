//! The public entry point: `Server` (settings and `serve`) and
//! `ShutdownHandle`.

use crate::config::Config;
use crate::handler::Handler;
use crate::net;
use crate::pool::Pool;
use crate::response::Completion;
use crate::service::HttpService;
use crate::shared::{CompletionHook, Shared};
use crate::shutdown::ShutdownInner;
use crate::tls::{TlsConfig, TlsReloader, TlsSlot};
use crate::worker::{LoopSettings, Worker};
use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// Starts a graceful shutdown of its server from any thread.
///
/// Each worker stops accepting, closes idle connections, lets requests in
/// flight finish (answered with `Connection: close`), and cuts whatever is
/// left after the drain timeout; then [`Server::serve`] returns.
#[derive(Clone)]
pub struct ShutdownHandle {
    inner: Arc<ShutdownInner>,
}

impl ShutdownHandle {
    /// Requests the shutdown; returns at once. Calling it again is harmless.
    pub fn shutdown(&self) {
        self.inner.flag.store(true, Ordering::Release);
        let wakers = self.inner.wakers();
        for waker in wakers {
            if let Err(e) = waker.wake() {
                log::warn!("waking a worker for shutdown: {e}");
            }
        }
    }

    /// Whether a shutdown has been requested.
    pub fn is_shutdown(&self) -> bool {
        self.inner.flag.load(Ordering::Acquire)
    }
}

impl std::fmt::Debug for ShutdownHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShutdownHandle")
            .field("shutdown", &self.is_shutdown())
            .finish()
    }
}

/// An HTTP/1.1 server: bind, adjust settings, serve.
///
/// ```no_run
/// use brisk_server::{Response, Server, StatusCode};
///
/// let server = Server::bind("127.0.0.1:8080")?;
/// server.serve(|_req: &brisk_server::Request| Response::text(StatusCode::OK, "Hello, World!"))?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    config: Config,
    on_complete: Option<CompletionHook>,
    /// Installed by [`Server::shutdown_on_signals`]; an installation error
    /// is kept here and returned by `serve`.
    signals: Option<io::Result<SignalWatch>>,
    shutdown: Arc<ShutdownInner>,
    /// The TLS configuration, swapped by reloads; empty for cleartext.
    tls: Arc<TlsSlot>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .field("config", &self.config)
            .finish()
    }
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: $ty) -> Server {
                self.config.$name = value;
                self
            }
        )*
    };
}

impl Server {
    /// Binds the first listener now (so the port is known, and taken,
    /// before `serve`); other workers bind the same address with
    /// SO_REUSEPORT when serving starts. Port 0 picks a free port. A port
    /// on which anything listens already is refused (`AddrInUse`), also
    /// when it is another SO_REUSEPORT server of the same user.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        let mut last = io::Error::new(io::ErrorKind::InvalidInput, "no address to bind");
        for addr in addr.to_socket_addrs()? {
            match net::claim_port(addr).and_then(net::bind_listener) {
                Ok(listener) => {
                    let addr = listener.local_addr()?;
                    return Ok(Server {
                        listener,
                        addr,
                        config: Config::default(),
                        on_complete: None,
                        signals: None,
                        shutdown: Arc::default(),
                        tls: Arc::default(),
                    });
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The bound address, with the real port.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle that stops this server from any thread.
    pub fn handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            inner: self.shutdown.clone(),
        }
    }

    setters! {
        /// Worker threads, each with its own event loop and listener
        /// (default: available cores; at least 1).
        workers: usize;
        /// Threads for handlers that block; 0 (the default) runs handlers
        /// inline on the loop threads. With a pool, the requests of one
        /// connection are handled one at a time, in order (pipelined
        /// answers keep their order); different connections run in
        /// parallel.
        handler_threads: usize;
        /// Open connections per worker (default 10 000); beyond it the
        /// worker stops accepting until one closes.
        max_connections: usize;
        /// Bytes of a request head (default 32 KiB) -> 431.
        max_head_bytes: usize;
        /// Bytes of the request line (default 8 KiB) -> 414.
        max_request_line: usize;
        /// Header fields per request (default 100) -> 431.
        max_headers: usize;
        /// Bytes of a request body (default 1 MiB) -> 413.
        max_body_bytes: u64;
        /// Requests per keep-alive connection (default 1000).
        keep_alive_requests: u32;
        /// Time for a whole request head from its first byte, and for the
        /// first byte of a new connection (default 60 s). Cut abortively.
        head_timeout: Duration;
        /// Time between two reads of a request body (default 60 s).
        body_timeout: Duration;
        /// Idle time between keep-alive requests (default 75 s).
        keep_alive_timeout: Duration;
        /// Time between two writes that make progress (default 60 s).
        write_timeout: Duration;
        /// Time to drain a peer's input after our last response, before
        /// the close (default 5 s).
        linger_timeout: Duration;
        /// Time that graceful shutdown waits for requests in flight
        /// (default 30 s); then the remaining connections are reset. A
        /// handler still running on the pool at that point is abandoned:
        /// `serve` returns, its thread ends when the handler does.
        drain_timeout: Duration;
    }

    /// Serves HTTPS: every connection handshakes TLS with `tls` (TLS 1.2
    /// and 1.3, ALPN `http/1.1` for configurations from PEM files). The
    /// handshake counts toward the head deadline of the connection's first
    /// request ([`Server::head_timeout`], from accept); a connection that
    /// sends a plain HTTP request instead gets a cleartext 400 saying so,
    /// and is closed. Responses are encrypted in the loop, files read in
    /// bounded slices (no sendfile through TLS), `close_notify` precedes
    /// the lingering close. Reload the certificate with
    /// [`Server::tls_reloader`] or SIGHUP ([`Server::shutdown_on_signals`]).
    ///
    /// ```no_run
    /// use brisk_server::{Request, Response, Server, StatusCode, TlsConfig};
    ///
    /// Server::bind("127.0.0.1:8443")?
    ///     .tls(TlsConfig::from_pem_files("cert.pem", "key.pem")?)
    ///     .serve(|_: &Request| Response::text(StatusCode::OK, "hello\n"))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn tls(self, tls: TlsConfig) -> Server {
        self.tls.install(tls);
        self
    }

    /// A handle that swaps this server's TLS certificate from any thread:
    /// [`TlsReloader::reload`] reads the PEM files again.
    pub fn tls_reloader(&self) -> TlsReloader {
        TlsReloader {
            slot: self.tls.clone(),
        }
    }

    /// Every connection must begin with a PROXY protocol header (v1 text
    /// or v2 binary, as HAProxy's `send-proxy`/`send-proxy-v2` and nginx's
    /// `proxy_protocol on` send it): turn on only behind a balancer that
    /// sends one, and do not let clients reach the port directly. The
    /// header is read before TLS and HTTP, under the first request's head
    /// deadline; a connection without a valid header is closed. The client
    /// address it carries becomes [`crate::Request::peer_addr`] and the access
    /// log's address (a `LOCAL` or `UNKNOWN` header keeps the balancer's).
    pub fn proxy_protocol(mut self, on: bool) -> Server {
        self.config.proxy_protocol = on;
        self
    }

    /// Calls `hook` for every answered request once its response is
    /// written (an access log). It runs on the worker's loop thread: keep
    /// it cheap (format a line, push it to a buffered writer or a channel).
    /// Requests refused after their head was read (413, 417, 400 for
    /// `Host` or framing errors, 501) are reported with the status sent;
    /// so are bytes that never formed a head (400, 414, 431, 505), with
    /// the method and target the request line gave (its first KiB), or `-`,
    /// as nginx logs its 400s. A connection closed for a timeout before
    /// any answer is not reported. An upgrade is reported once its `101`
    /// is written (its size: the head's); what follows on the connection
    /// is the new protocol's and is not reported here (a WebSocket's end
    /// goes to its endpoint's `close`).
    pub fn on_complete(mut self, hook: impl Fn(&Completion) + Send + Sync + 'static) -> Server {
        self.on_complete = Some(Box::new(hook));
        self
    }

    /// Calls `hook` with the outcome of every certificate reload that
    /// SIGHUP asks for ([`Server::shutdown_on_signals`]), instead of the
    /// server's own log record: for a program that reports in its own
    /// words (`static` prints one line on stderr either way). It runs on
    /// the signal thread; `Err` means the old pair stays in use.
    pub fn on_tls_reload(self, hook: impl Fn(&io::Result<()>) + Send + Sync + 'static) -> Server {
        self.tls.set_reload_hook(Arc::new(hook));
        self
    }

    /// SIGINT or SIGTERM start a graceful shutdown; a second one exits
    /// the process at once (status 130). SIGHUP reloads the TLS
    /// certificate and key ([`TlsReloader::reload`]; a pair that fails to
    /// load is logged and the old one kept; [`Server::on_tls_reload`]
    /// hears of each outcome instead of the log).
    ///
    /// The handlers are installed by this call, not later in `serve`: a
    /// signal that arrives after it (say, right after the program printed
    /// [`Server::local_addr`]) but before `serve` runs is a shutdown
    /// requested early, and `serve` then returns at once. Call it before
    /// announcing the address. If the handlers cannot be installed, `serve`
    /// returns that error.
    ///
    /// Meant for programs that end when `serve` returns: signal-hook cannot
    /// put the previous actions back, so afterwards (or once the `Server`
    /// is dropped unserved) these signals no longer terminate the process.
    pub fn shutdown_on_signals(mut self) -> Server {
        if self.signals.is_none() {
            self.signals = Some(SignalWatch::start(self.handle(), self.tls_reloader()));
        }
        self
    }

    /// Serves until shutdown; returns once every worker has stopped.
    pub fn serve(self, handler: impl Handler) -> io::Result<()> {
        let Server {
            listener,
            addr,
            config,
            on_complete,
            signals,
            shutdown,
            tls,
        } = self;
        // Held until every worker has stopped; dropping it stops the watch.
        let _signals = signals.transpose()?;
        let handler: Arc<dyn Handler> = Arc::new(handler);
        let pool = match config.handler_threads {
            0 => None,
            n => Some(Pool::start(n, handler.clone())?),
        };
        let workers = config.workers.max(1);
        let shared = Arc::new(Shared {
            config,
            handler,
            on_complete,
            pool,
            tls: tls.is_on().then_some(tls),
        });
        let mut listeners = vec![listener];
        for _ in 1..workers {
            listeners.push(net::bind_listener(addr)?);
        }
        let settings = LoopSettings {
            max_connections: shared.config.max_connections,
            drain_timeout: shared.config.drain_timeout,
        };
        let mut loops = Vec::with_capacity(workers);
        for (id, listener) in listeners.into_iter().enumerate() {
            let shared = shared.clone();
            let make_service = |waker| HttpService::new(shared, waker);
            loops.push(Worker::new(
                id,
                listener,
                settings,
                shutdown.clone(),
                make_service,
            )?);
        }
        let handle = ShutdownHandle { inner: shutdown };
        let mut threads = Vec::with_capacity(workers);
        let mut result = Ok(());
        for (id, worker) in loops.into_iter().enumerate() {
            match thread::Builder::new()
                .name(format!("http-worker-{id}"))
                .spawn(move || worker.run())
            {
                Ok(t) => threads.push(t),
                Err(e) => {
                    handle.shutdown();
                    result = Err(e);
                    break;
                }
            }
        }
        for t in threads {
            let outcome = t
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("a worker thread panicked")));
            if let Err(e) = outcome {
                log::error!("worker failed: {e}");
                handle.shutdown();
                if result.is_ok() {
                    result = Err(e);
                }
            }
        }
        result
    }
}

/// SIGINT/SIGTERM/SIGHUP handlers and the thread that acts on them: the
/// first SIGINT or SIGTERM starts the graceful shutdown, the second exits;
/// SIGHUP reloads the TLS certificate. Dropping it
/// stops the thread (the handlers stay installed, see
/// [`Server::shutdown_on_signals`]).
struct SignalWatch {
    signals: signal_hook::iterator::Handle,
    thread: Option<thread::JoinHandle<()>>,
}

impl SignalWatch {
    /// Installs the handlers (before it returns) and starts the thread.
    fn start(handle: ShutdownHandle, tls: TlsReloader) -> io::Result<SignalWatch> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
        let signals_handle = signals.handle();
        let spawned = thread::Builder::new()
            .name("http-signals".into())
            .spawn(move || {
                let mut seen = 0;
                for signal in signals.forever() {
                    if signal == SIGHUP {
                        tls.reload_and_log();
                        continue;
                    }
                    seen += 1;
                    if seen == 1 {
                        log::info!("signal {signal}: graceful shutdown");
                        handle.shutdown();
                    } else {
                        log::warn!("signal {signal} again: exiting now");
                        std::process::exit(130);
                    }
                }
            });
        match spawned {
            Ok(thread) => Ok(SignalWatch {
                signals: signals_handle,
                thread: Some(thread),
            }),
            Err(e) => {
                signals_handle.close();
                Err(e)
            }
        }
    }
}

impl Drop for SignalWatch {
    fn drop(&mut self) {
        self.signals.close();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
