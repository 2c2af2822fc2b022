//! Opening a connection: resolve (off the calling thread), connect (happy
//! eyeballs), then the proxy handshake if any, all under the connect
//! deadline. The handshakes are sans-IO ([`crate::handshake`]); the driver
//! here does their I/O in lockstep.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use crate::client::{Client, Trace};
use crate::error::{Error, Phase};
use crate::handshake::{Handshake, Progress, ProxyError};
use crate::net::{connect_any, resolve_with_deadline, Conn, ConnectFailure, ResolveFailure};
use crate::proxy::{Proxy, ProxyKind};
use crate::response::Timings;
use crate::socks::{Socks4, Socks5, SocksTarget};
use crate::tunnel::HttpConnect;
use crate::url::{Host, Url};

impl Client {
    /// Resolves `host` (IP literals skip the helper thread).
    pub(crate) fn resolve(
        &self,
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
        match resolve_with_deadline(&self.inner.resolver, &name, port, deadline) {
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

    /// A fresh connection to the origin, or through `proxy` to it.
    pub(crate) fn open(
        &self,
        url: &Url,
        proxy: Option<&Proxy>,
        id: u64,
        started: Instant,
        timings: &mut Timings,
    ) -> Result<Conn, Error> {
        let s = &self.inner.settings;
        let mut deadline = Instant::now() + s.connect_timeout;
        if let Some(total) = s.total_timeout {
            deadline = deadline.min(started + total);
        }
        let (host, port, is_proxy) = match proxy {
            Some(p) => (&p.host, p.port, true),
            None => (url.host(), url.port(), false),
        };
        let addrs = self.resolve(host, port, deadline, is_proxy)?;
        timings.namelookup = started.elapsed();
        let mut on_attempt = |a: SocketAddr| self.note(&format!("  Trying {a}..."));
        let (stream, addr) =
            connect_any(&addrs, deadline, s.stagger, &mut on_attempt).map_err(|f| match f {
                ConnectFailure::TimedOut => Error::Timeout {
                    phase: Phase::Connect,
                },
                ConnectFailure::Failed(source) => Error::Connect {
                    target: format!("{host} port {port}"),
                    proxy: is_proxy,
                    source,
                },
            })?;
        timings.connect = started.elapsed();
        self.note(&format!(
            "Connected to {host} ({}) port {port} (#{id})",
            addr.ip()
        ));
        let mut conn = Conn::new(stream, addr).map_err(|e| Error::io(Phase::Connect, e))?;
        let Some(proxy) = proxy else {
            return Ok(conn);
        };
        let proxy_err = |error: ProxyError| Error::Proxy {
            proxy: proxy.to_string(),
            error,
        };
        // Where the proxy should connect: a name it resolves, or an
        // address we resolved.
        let remote = |local: bool, v4_only: bool| -> Result<SocksTarget, Error> {
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
            let addrs = self.resolve(url.host(), url.port(), deadline, false)?;
            addrs
                .iter()
                .find(|a| !v4_only || a.is_ipv4())
                .map(|a| SocksTarget::Addr(*a))
                .ok_or_else(|| proxy_err(ProxyError::Socks4NeedsIpv4))
        };
        let creds = proxy.credentials.clone();
        let mut handshake: Box<dyn Handshake> = match proxy.kind {
            ProxyKind::Http if !proxy.tunnel => return Ok(conn),
            ProxyKind::Http => Box::new(HttpConnect::new(
                &url.authority(),
                creds,
                s.user_agent.as_deref(),
            )),
            ProxyKind::Socks4 => {
                let user = creds.map(|c| c.user).unwrap_or_default();
                Box::new(Socks4::new(remote(true, true)?, &user))
            }
            ProxyKind::Socks4a => {
                let user = creds.map(|c| c.user).unwrap_or_default();
                Box::new(Socks4::new(remote(false, false)?, &user))
            }
            ProxyKind::Socks5 => Box::new(Socks5::new(remote(true, false)?, creds)),
            ProxyKind::Socks5h => Box::new(Socks5::new(remote(false, false)?, creds)),
        };
        self.note(&format!(
            "{} handshake with {proxy} for {}",
            proxy.kind.scheme().to_ascii_uppercase(),
            url.authority()
        ));
        drive_handshake(&mut conn, handshake.as_mut(), deadline, &|ev| {
            self.trace(ev)
        })
        .map_err(|f| match f {
            DriveFailure::Proxy(e) => proxy_err(e),
            DriveFailure::Io(e) => Error::io(Phase::ProxyHandshake, e),
        })?;
        self.note(&format!("Proxy tunnel to {} established", url.authority()));
        Ok(conn)
    }
}

enum DriveFailure {
    Proxy(ProxyError),
    Io(io::Error),
}

/// Runs a handshake in lockstep: send a step, read until its reply is
/// complete, repeat. Bytes after the final reply stay in `conn.rbuf`.
fn drive_handshake(
    conn: &mut Conn,
    hs: &mut dyn Handshake,
    deadline: Instant,
    trace: &dyn Fn(&Trace<'_>),
) -> Result<(), DriveFailure> {
    let first = hs.first_message().map_err(DriveFailure::Proxy)?;
    if first.starts_with(b"CONNECT ") {
        trace(&Trace::RequestHead(&first));
    }
    conn.write_all(&first, deadline).map_err(DriveFailure::Io)?;
    loop {
        match hs.on_reply(&conn.rbuf) {
            Ok(Progress::NeedMore) => match conn.fill(deadline) {
                Ok(0) => return Err(DriveFailure::Proxy(hs.on_eof(&conn.rbuf))),
                Ok(_) => {}
                Err(e) => return Err(DriveFailure::Io(e)),
            },
            Ok(Progress::Next { consumed, send }) => {
                conn.rbuf.drain(..consumed);
                conn.write_all(&send, deadline).map_err(DriveFailure::Io)?;
            }
            Ok(Progress::Done { consumed }) => {
                if first.starts_with(b"CONNECT ") {
                    trace(&Trace::ResponseHead(&conn.rbuf[..consumed]));
                }
                conn.rbuf.drain(..consumed);
                return Ok(());
            }
            Err(e) => {
                // A refused CONNECT still has a head worth showing (`-v`, `-i`).
                if let ProxyError::ConnectRefused { .. } = e {
                    if let Some(end) = find_head_end(&conn.rbuf) {
                        trace(&Trace::ResponseHead(&conn.rbuf[..end]));
                    }
                }
                return Err(DriveFailure::Proxy(e));
            }
        }
    }
}

/// The length of an HTTP head in `buf` (through the blank line), if complete.
fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}
