//! Every server setting in one plain struct (a leaf module: it imports
//! nothing of the crate, so any module may read settings without a cycle).

use brisk_core::Limits;
use std::thread;
use std::time::Duration;

/// Every setting, with nginx's defaults where nginx has one.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) workers: usize,
    pub(crate) handler_threads: usize,
    /// Per worker (nginx: `worker_connections`).
    pub(crate) max_connections: usize,
    pub(crate) max_head_bytes: usize,
    pub(crate) max_request_line: usize,
    pub(crate) max_headers: usize,
    pub(crate) max_body_bytes: u64,
    pub(crate) keep_alive_requests: u32,
    pub(crate) head_timeout: Duration,
    pub(crate) body_timeout: Duration,
    pub(crate) keep_alive_timeout: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) linger_timeout: Duration,
    pub(crate) drain_timeout: Duration,
    /// Every connection starts with a PROXY protocol header.
    pub(crate) proxy_protocol: bool,
}

impl Default for Config {
    fn default() -> Config {
        let limits = Limits::default();
        Config {
            workers: thread::available_parallelism().map_or(1, |n| n.get()),
            handler_threads: 0,
            max_connections: 10_000,
            max_head_bytes: limits.max_head_bytes,
            max_request_line: limits.max_request_line,
            max_headers: limits.max_headers,
            // nginx: client_max_body_size 1m.
            max_body_bytes: 1 << 20,
            // nginx: keepalive_requests 1000.
            keep_alive_requests: 1000,
            // nginx: client_header_timeout 60s, for the whole head.
            head_timeout: Duration::from_secs(60),
            // nginx: client_body_timeout 60s, between reads.
            body_timeout: Duration::from_secs(60),
            // nginx: keepalive_timeout 75s.
            keep_alive_timeout: Duration::from_secs(75),
            // nginx: send_timeout 60s, between writes.
            write_timeout: Duration::from_secs(60),
            // nginx: lingering_timeout 5s.
            linger_timeout: Duration::from_secs(5),
            drain_timeout: Duration::from_secs(30),
            proxy_protocol: false,
        }
    }
}

impl Config {
    pub(crate) fn limits(&self) -> Limits {
        Limits {
            max_head_bytes: self.max_head_bytes,
            max_request_line: self.max_request_line,
            max_headers: self.max_headers,
        }
    }
}
