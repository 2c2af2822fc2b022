//! `--resolve`: names pinned to addresses ahead of the system resolver.

use std::io;

use crate::exit::{self, Failure};

/// `--resolve HOST:PORT:ADDR[,ADDR...]` entries, consulted before the
/// system resolver (the binary's face of the library's resolver hook).
pub struct PinnedResolver {
    pins: Vec<(String, u16, Vec<std::net::IpAddr>)>,
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
        Ok(PinnedResolver { pins })
    }
}

impl http_client::Resolve for PinnedResolver {
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<std::net::SocketAddr>> {
        for (h, p, ips) in &self.pins {
            if *p == port && h.eq_ignore_ascii_case(host) {
                return Ok(ips
                    .iter()
                    .map(|ip| std::net::SocketAddr::new(*ip, port))
                    .collect());
            }
        }
        http_client::net::SystemResolver.resolve(host, port)
    }
}
