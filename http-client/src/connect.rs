//! Opening a connection, as plain functions that return a connected
//! stream:
//!
//! ```text
//!  resolve (helper thread, deadline) -> TCP (happy eyeballs) -> handshakes (0..n) -> TLS (https) -> Conn
//!  through an HTTPS proxy:           ... -> TCP -> TLS to the proxy -> CONNECT (0..1) -> TLS (https) -> Conn
//! ```
//!
//! Everything here runs under one connect deadline (the connect timeout,
//! capped by the request's total timeout). The proxy handshakes are sans-IO
//! ([`crate::handshake`]); [`drive_handshake`] does their I/O in lockstep.
//! The functions take what they need (settings, resolver, tracer) as
//! arguments: nothing here knows the `Client`, the pool or the exchange.
//!
//! TLS comes after the handshakes: for an `https` origin, [`open`] wraps
//! the (tunnelled) stream in a TLS session ([`crate::transport::Transport::Tls`])
//! under the same deadline, before the exchange sees it.
//!
//! An HTTPS proxy (`https://`) gets its own TLS session first, verified
//! against the proxy's name with the proxy's settings (`--proxy-cacert`,
//! `--proxy-insecure`); the CONNECT (or, for an http URL without `-p`,
//! the absolute-form exchange itself) runs inside it, and an https
//! origin's session runs inside that one
//! ([`crate::transport::Transport::TlsInTls`]).

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use mio::net::TcpStream;

use crate::error::{Error, Phase};
use crate::handshake::{Handshake, Progress, ProxyError};
use crate::net::{
    connect_any, resolve_with_deadline, Conn, ConnectFailure, Resolve, ResolveFailure,
};
use crate::proxy::{Proxy, ProxyKind};
use crate::settings::Settings;
use crate::socks::{Socks4, Socks5, SocksTarget};
use crate::tls::{info, TlsConfig, TlsConn, Wire};
use crate::trace::{Trace, Tracer};
use crate::transport::{TlsSession, Transport};
use crate::tunnel::HttpConnect;
use crate::unix::{connect_unix, UnixSocket};
use crate::url::{Host, Url};

/// What opening a connection needs from the client.
pub(crate) struct Opener<'a> {
    pub settings: &'a Settings,
    pub resolver: &'a Arc<dyn Resolve>,
    pub tracer: &'a Tracer,
    /// The client's TLS configuration, for an `https` origin.
    pub tls: Option<&'a TlsConfig>,
    /// The TLS configuration for an HTTPS proxy, when the route has one.
    pub proxy_tls: Option<&'a TlsConfig>,
}

/// When the steps of opening finished, measured from the request's start.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OpenTimes {
    /// Name resolution done.
    pub namelookup: std::time::Duration,
    /// TCP connected (to the origin or the first proxy).
    pub connect: std::time::Duration,
    /// TLS handshake done (`time_appconnect`); zero for http.
    pub appconnect: std::time::Duration,
}

/// Resolves `host` (IP literals skip the helper thread).
pub(crate) fn resolve(
    resolver: &Arc<dyn Resolve>,
    host: &Host,
    port: u16,
    deadline: Instant,
    is_proxy: bool,
) -> Result<Vec<SocketAddr>, Error> {
    match host {
        Host::V4(a) => return Ok(vec![SocketAddr::new(IpAddr::V4(*a), port)]),
        Host::V6(a) => return Ok(vec![SocketAddr::new(IpAddr::V6(*a), port)]),
        Host::Domain(_) => {}
    }
    let name = host.to_string();
    match resolve_with_deadline(resolver, &name, port, deadline) {
        Ok(addrs) => Ok(addrs),
        Err(ResolveFailure::TimedOut) => Err(Error::Timeout {
            phase: Phase::Resolve,
        }),
        Err(ResolveFailure::Failed(source)) => Err(Error::Resolve {
            host: name,
            proxy: is_proxy,
            source,
        }),
    }
}

/// A fresh connection to the origin of `url`, or through `proxy` to it:
/// resolve, connect, then the proxy's handshake if it has one. `id` names
/// the connection in notes (`#3`).
pub(crate) fn open(
    o: &Opener<'_>,
    url: &Url,
    proxy: Option<&Proxy>,
    id: u64,
    started: Instant,
) -> Result<(Conn, OpenTimes), Error> {
    let s = o.settings;
    let mut deadline = Instant::now() + s.connect_timeout;
    if let Some(total) = s.total_timeout {
        deadline = deadline.min(started + total);
    }
    if let Some(socket) = &s.unix_socket {
        return open_unix(o, url, socket, id, deadline, started);
    }
    let (host, port, is_proxy) = match proxy {
        Some(p) => (&p.host, p.port, true),
        None => (url.host(), url.port(), false),
    };
    let mut times = OpenTimes::default();
    let addrs = resolve(o.resolver, host, port, deadline, is_proxy)?;
    times.namelookup = started.elapsed();
    let mut on_attempt = |a: SocketAddr| o.tracer.note(&format!("  Trying {a}..."));
    let (stream, addr) = connect_any(
        &addrs,
        deadline,
        s.stagger,
        s.tcp_keepalive,
        &mut on_attempt,
    )
    .map_err(|f| match f {
        ConnectFailure::TimedOut => Error::Timeout {
            phase: Phase::Connect,
        },
        ConnectFailure::Failed(source) => Error::Connect {
            target: format!("{host} port {port}"),
            proxy: is_proxy,
            source,
        },
    })?;
    times.connect = started.elapsed();
    o.tracer.note(&format!(
        "Connected to {host} ({}) port {port} (#{id})",
        addr.ip()
    ));
    if let Some(proxy) = proxy.filter(|p| p.is_tls()) {
        let conn = through_https_proxy(o, url, proxy, stream, addr, deadline)?;
        if url.is_https() {
            times.appconnect = started.elapsed();
        }
        return Ok((conn, times));
    }
    let mut conn = Conn::new(stream, addr).map_err(|e| Error::io(Phase::Connect, e))?;
    if let Some(proxy) = proxy {
        run_proxy_handshake(o, url, proxy, &mut conn, deadline)?;
    }
    if url.is_https() {
        let Some(config) = o.tls else {
            return Err(Error::io(
                Phase::Tls,
                io::Error::other("no TLS configuration for an https URL"),
            ));
        };
        conn = start_tls(conn, url, config, deadline, o.tracer)?;
        times.appconnect = started.elapsed();
    }
    Ok((conn, times))
}

/// A connection over a Unix socket (no name to resolve, no proxy); http
/// only.
fn open_unix(
    o: &Opener<'_>,
    url: &Url,
    socket: &UnixSocket,
    id: u64,
    deadline: Instant,
    started: Instant,
) -> Result<(Conn, OpenTimes), Error> {
    if url.is_https() {
        return Err(Error::io(
            Phase::Tls,
            io::Error::new(
                io::ErrorKind::Unsupported,
                "https over a Unix socket is not supported",
            ),
        ));
    }
    o.tracer
        .note(&format!("  Trying {socket}:{}...", url.port()));
    let stream = connect_unix(socket, deadline).map_err(|f| match f {
        ConnectFailure::TimedOut => Error::Timeout {
            phase: Phase::Connect,
        },
        ConnectFailure::Failed(source) => Error::Connect {
            target: socket.to_string(),
            proxy: false,
            source,
        },
    })?;
    let times = OpenTimes {
        connect: started.elapsed(),
        ..OpenTimes::default()
    };
    o.tracer.note(&format!(
        "Connected to {socket} (#{id}) for {}",
        url.authority()
    ));
    // No IP address: the peer is the unspecified one (curl's remote_ip is empty).
    let peer = SocketAddr::new(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), 0);
    let conn = Conn::with_transport(Transport::Unix(stream), peer)
        .map_err(|e| Error::io(Phase::Connect, e))?;
    Ok((conn, times))
}

/// The handshake `proxy` needs for `url` (CONNECT, SOCKS), if any, run
/// over `stream` under `deadline`, with its `-v` notes.
fn run_proxy_handshake<S: HandshakeStream>(
    o: &Opener<'_>,
    url: &Url,
    proxy: &Proxy,
    stream: &mut S,
    deadline: Instant,
) -> Result<(), Error> {
    let Some(mut hs) = proxy_handshake(o, url, proxy, deadline)? else {
        return Ok(());
    };
    o.tracer.note(&format!(
        "{} handshake with {proxy} for {}",
        if proxy.kind.is_http() {
            "HTTP".to_string()
        } else {
            proxy.kind.scheme().to_ascii_uppercase()
        },
        url.authority()
    ));
    drive_handshake(stream, hs.as_mut(), deadline, o.tracer).map_err(|f| match f {
        DriveFailure::Proxy(error) => Error::Proxy {
            proxy: proxy.to_string(),
            error,
        },
        DriveFailure::Io(e) => Error::io(Phase::ProxyHandshake, e),
    })?;
    o.tracer
        .note(&format!("Proxy tunnel to {} established", url.authority()));
    Ok(())
}

/// Through an HTTPS proxy: TLS to the proxy over `stream` (connected to
/// it), the CONNECT inside when `url` needs a tunnel, then for an https
/// origin its TLS session inside the tunnel; all under `deadline`.
fn through_https_proxy(
    o: &Opener<'_>,
    url: &Url,
    proxy: &Proxy,
    stream: TcpStream,
    peer: SocketAddr,
    deadline: Instant,
) -> Result<Conn, Error> {
    let Some(proxy_config) = o.proxy_tls else {
        return Err(Error::io(
            Phase::Tls,
            io::Error::other("no TLS configuration for an HTTPS proxy"),
        ));
    };
    for line in info::before_handshake(proxy_config) {
        o.tracer.note(&line);
    }
    let mut outer = TlsConn::new(stream, peer, &proxy.host.to_string(), proxy_config)?;
    outer.handshake(deadline)?;
    for line in outer.info().proxy_lines() {
        o.tracer.note(&line);
    }
    run_proxy_handshake(o, url, proxy, &mut outer, deadline)?;
    if !url.is_https() {
        // Absolute-form requests (or `-p`'s tunnel) in the proxy's session.
        return Conn::with_transport(Transport::Tls(Box::new(TlsSession::new(outer))), peer)
            .map_err(|e| Error::io(Phase::Tls, e));
    }
    let Some(config) = o.tls else {
        return Err(Error::io(
            Phase::Tls,
            io::Error::other("no TLS configuration for an https URL"),
        ));
    };
    if !outer.buffered().is_empty() {
        return Err(unexpected_before_handshake());
    }
    for line in info::before_handshake(config) {
        o.tracer.note(&line);
    }
    let mut inner = TlsConn::over(outer, peer, &url.host().to_string(), config)?;
    inner.handshake(deadline)?;
    for line in inner.info().lines() {
        o.tracer.note(&line);
    }
    Conn::with_transport(Transport::TlsInTls(Box::new(TlsSession::new(inner))), peer)
        .map_err(|e| Error::io(Phase::Tls, e))
}

/// A server never speaks before the ClientHello: bytes after the proxy's
/// reply and before the handshake are an error.
fn unexpected_before_handshake() -> Error {
    Error::io(
        Phase::Tls,
        io::Error::new(
            io::ErrorKind::InvalidData,
            "unexpected bytes before the TLS handshake",
        ),
    )
}

/// Runs the TLS handshake to the origin of `url` over `conn` (connected,
/// any proxy handshake done), under `deadline`.
fn start_tls(
    conn: Conn,
    url: &Url,
    config: &TlsConfig,
    deadline: Instant,
    tracer: &Tracer,
) -> Result<Conn, Error> {
    let Some((stream, peer, rest)) = conn.into_plain() else {
        return Err(Error::io(
            Phase::Tls,
            io::Error::other("TLS over a connection that is not plain TCP"),
        ));
    };
    if !rest.is_empty() {
        return Err(unexpected_before_handshake());
    }
    for line in info::before_handshake(config) {
        tracer.note(&line);
    }
    let host = url.host().to_string();
    let mut tls = TlsConn::new(stream, peer, &host, config)?;
    tls.handshake(deadline)?;
    for line in tls.info().lines() {
        tracer.note(&line);
    }
    Conn::with_transport(Transport::Tls(Box::new(TlsSession::new(tls))), peer)
        .map_err(|e| Error::io(Phase::Tls, e))
}

/// The handshake `proxy` needs to reach the origin of `url`, or `None`
/// for an HTTP proxy that forwards absolute-form requests.
fn proxy_handshake(
    o: &Opener<'_>,
    url: &Url,
    proxy: &Proxy,
    deadline: Instant,
) -> Result<Option<Box<dyn Handshake>>, Error> {
    let creds = proxy.credentials.clone();
    let user = || creds.clone().map(|c| c.user).unwrap_or_default();
    let target = |local: bool, v4_only: bool| socks_target(o, url, proxy, local, v4_only, deadline);
    Ok(Some(match proxy.kind {
        ProxyKind::Http | ProxyKind::Https if !proxy.tunnel => return Ok(None),
        ProxyKind::Http | ProxyKind::Https => Box::new(HttpConnect::new(
            &url.authority(),
            creds.clone(),
            o.settings.user_agent.as_deref(),
        )),
        ProxyKind::Socks4 => Box::new(Socks4::new(target(true, true)?, &user())),
        ProxyKind::Socks4a => Box::new(Socks4::new(target(false, false)?, &user())),
        ProxyKind::Socks5 => Box::new(Socks5::new(target(true, false)?, creds.clone())),
        ProxyKind::Socks5h => Box::new(Socks5::new(target(false, false)?, creds.clone())),
    }))
}

/// Where a SOCKS proxy should connect: an IP literal as it is, else a name
/// for the proxy to resolve (`local` false) or an address we resolved
/// (IPv4 only for SOCKS4).
fn socks_target(
    o: &Opener<'_>,
    url: &Url,
    proxy: &Proxy,
    local: bool,
    v4_only: bool,
    deadline: Instant,
) -> Result<SocksTarget, Error> {
    let ip_literal = match url.host() {
        Host::V4(a) => Some(IpAddr::V4(*a)),
        Host::V6(a) => Some(IpAddr::V6(*a)),
        Host::Domain(_) => None,
    };
    if let Some(ip) = ip_literal {
        return Ok(SocksTarget::Addr(SocketAddr::new(ip, url.port())));
    }
    if !local {
        return Ok(SocksTarget::Domain(url.host().to_string(), url.port()));
    }
    let addrs = resolve(o.resolver, url.host(), url.port(), deadline, false)?;
    addrs
        .iter()
        .find(|a| !v4_only || a.is_ipv4())
        .map(|a| SocksTarget::Addr(*a))
        .ok_or_else(|| Error::Proxy {
            proxy: proxy.to_string(),
            error: ProxyError::Socks4NeedsIpv4,
        })
}

/// What a proxy handshake runs over: a plain connection, or the TLS
/// session to an HTTPS proxy. The reply is read into `received`; bytes
/// after it stay there (they already belong to the tunnel).
pub(crate) trait HandshakeStream {
    /// Writes all of `data`, waiting until `deadline`.
    fn write_all(&mut self, data: &[u8], deadline: Instant) -> io::Result<()>;
    /// Reads more into the buffer, waiting until `deadline`; `Ok(0)` at EOF.
    fn fill(&mut self, deadline: Instant) -> io::Result<usize>;
    /// The bytes received and not yet consumed.
    fn received(&mut self) -> &mut Vec<u8>;
}

impl HandshakeStream for Conn {
    fn write_all(&mut self, data: &[u8], deadline: Instant) -> io::Result<()> {
        Conn::write_all(self, data, deadline)
    }
    fn fill(&mut self, deadline: Instant) -> io::Result<usize> {
        Conn::fill(self, deadline)
    }
    fn received(&mut self) -> &mut Vec<u8> {
        &mut self.rbuf
    }
}

impl<W: Wire> HandshakeStream for TlsConn<W> {
    fn write_all(&mut self, data: &[u8], deadline: Instant) -> io::Result<()> {
        TlsConn::write_all(self, data, deadline)
    }
    fn fill(&mut self, deadline: Instant) -> io::Result<usize> {
        TlsConn::fill(self, deadline)
    }
    fn received(&mut self) -> &mut Vec<u8> {
        &mut self.rbuf
    }
}

/// How a handshake ended without a tunnel.
pub(crate) enum DriveFailure {
    /// The proxy refused or botched the handshake.
    Proxy(ProxyError),
    /// The socket failed or the deadline passed (`TimedOut`).
    Io(io::Error),
}

/// Runs a handshake in lockstep: send a step, read until its reply is
/// complete, repeat. Bytes after the final reply stay in the stream's
/// buffer: they already belong to the tunnel. HTTP handshakes (CONNECT)
/// show their request and reply heads to the tracer, a refused reply's
/// head included, as the handshake's own response parser delimited it.
pub(crate) fn drive_handshake<S: HandshakeStream>(
    conn: &mut S,
    hs: &mut dyn Handshake,
    deadline: Instant,
    tracer: &Tracer,
) -> Result<(), DriveFailure> {
    let first = hs.first_message().map_err(DriveFailure::Proxy)?;
    if hs.speaks_http() {
        tracer.emit(&Trace::RequestHead(&first));
    }
    conn.write_all(&first, deadline).map_err(DriveFailure::Io)?;
    loop {
        match hs.on_reply(conn.received()) {
            Ok(Progress::NeedMore) => match conn.fill(deadline) {
                Ok(0) => return Err(DriveFailure::Proxy(hs.on_eof(conn.received()))),
                Ok(_) => {}
                Err(e) => return Err(DriveFailure::Io(e)),
            },
            Ok(Progress::Next { consumed, send }) => {
                conn.received().drain(..consumed);
                conn.write_all(&send, deadline).map_err(DriveFailure::Io)?;
            }
            Ok(Progress::Done { consumed }) => {
                if hs.speaks_http() {
                    tracer.emit(&Trace::ResponseHead(hs.reply_head()));
                }
                conn.received().drain(..consumed);
                return Ok(());
            }
            Err(e) => {
                // A refused CONNECT still has a head worth showing (`-v`, `-i`).
                if matches!(e, ProxyError::ConnectRefused { .. }) && hs.speaks_http() {
                    tracer.emit(&Trace::ResponseHead(hs.reply_head()));
                }
                return Err(DriveFailure::Proxy(e));
            }
        }
    }
}
