//! `--resolve` (names pinned to addresses ahead of the system resolver),
//! `--connect-to` (a host and port reached at another host and port) and
//! `-4`/`-6` (one address family), all through the library's resolver
//! hook. An IP-literal URL needs no resolving and is not rerouted.

use std::io;

use crate::exit::{self, Failure};

/// `--resolve HOST:PORT:ADDR[,ADDR...]` entries, consulted before the
/// system resolver (the binary's face of the library's resolver hook),
/// with `--connect-to` routes and an address family.
pub struct PinnedResolver {
    pins: Vec<(String, u16, Vec<std::net::IpAddr>)>,
    /// `HOST1:PORT1:HOST2:PORT2`; an empty part matches anything (or,
    /// on the right, keeps the original).
    routes: Vec<(String, Option<u16>, String, Option<u16>)>,
    /// `-4` (true) or `-6` (false).
    v4_only: Option<bool>,
}

impl PinnedResolver {
    pub fn parse(entries: &[String]) -> Result<PinnedResolver, Failure> {
        let bad = |e: &str| {
            Failure::new(
                exit::USAGE,
                format!("--resolve {e:?}: expected HOST:PORT:ADDR[,ADDR...]"),
            )
        };
        let mut pins = Vec::new();
        for e in entries {
            let mut parts = e.splitn(3, ':');
            let (Some(host), Some(port), Some(addrs)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(bad(e));
            };
            let port: u16 = port.parse().map_err(|_| bad(e))?;
            let ips = addrs
                .split(',')
                .map(|a| {
                    a.trim()
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .parse()
                })
                .collect::<Result<Vec<std::net::IpAddr>, _>>()
                .map_err(|_| bad(e))?;
            if host.is_empty() || ips.is_empty() {
                return Err(bad(e));
            }
            pins.push((host.to_ascii_lowercase(), port, ips));
        }
        Ok(PinnedResolver {
            pins,
            routes: Vec::new(),
            v4_only: None,
        })
    }

    /// Adds `--connect-to` routes.
    pub fn with_routes(mut self, entries: &[String]) -> Result<PinnedResolver, Failure> {
        for e in entries {
            let parts: Vec<&str> = e.split(':').collect();
            let [h1, p1, h2, p2] = parts[..] else {
                return Err(Failure::new(
                    exit::USAGE,
                    format!("--connect-to {e:?}: expected HOST1:PORT1:HOST2:PORT2"),
                ));
            };
            let port = |p: &str| -> Result<Option<u16>, Failure> {
                if p.is_empty() {
                    return Ok(None);
                }
                p.parse().map(Some).map_err(|_| {
                    Failure::new(exit::USAGE, format!("--connect-to {e:?}: bad port {p:?}"))
                })
            };
            self.routes.push((
                h1.to_ascii_lowercase(),
                port(p1)?,
                h2.to_string(),
                port(p2)?,
            ));
        }
        Ok(self)
    }

    /// `-4` or `-6`.
    pub fn with_family(mut self, v4_only: Option<bool>) -> PinnedResolver {
        self.v4_only = v4_only;
        self
    }

    /// Where `host:port` really goes after `--connect-to`.
    fn route(&self, host: &str, port: u16) -> (String, u16) {
        for (h1, p1, h2, p2) in &self.routes {
            let host_ok = h1.is_empty() || h1.eq_ignore_ascii_case(host);
            if host_ok && p1.is_none_or(|p| p == port) {
                let h = if h2.is_empty() { host } else { h2.as_str() };
                return (h.to_string(), p2.unwrap_or(port));
            }
        }
        (host.to_string(), port)
    }

    /// The pinned or system addresses of `host:port`.
    fn lookup(&self, host: &str, port: u16) -> io::Result<Vec<std::net::SocketAddr>> {
        for (h, p, ips) in &self.pins {
            if *p == port && h.eq_ignore_ascii_case(host) {
                return Ok(ips
                    .iter()
                    .map(|ip| std::net::SocketAddr::new(*ip, port))
                    .collect());
            }
        }
        if let Ok(ip) = host.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
            return Ok(vec![std::net::SocketAddr::new(ip, port)]);
        }
        brisk_client::Resolve::resolve(&brisk_client::net::SystemResolver, host, port)
    }
}

impl brisk_client::Resolve for PinnedResolver {
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<std::net::SocketAddr>> {
        let (host, port) = self.route(host, port);
        let mut addrs = self.lookup(&host, port)?;
        if let Some(v4) = self.v4_only {
            addrs.retain(|a| a.is_ipv4() == v4);
            if addrs.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("no IPv{} address for {host}", if v4 { 4 } else { 6 }),
                ));
            }
        }
        Ok(addrs)
    }
}
