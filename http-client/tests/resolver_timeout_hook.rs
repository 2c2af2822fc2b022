//! A resolver that never returns in time is abandoned at the deadline
//! (getaddrinfo cannot be cancelled; the helper thread is left behind).
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

struct StuckResolver;

impl brisk_client::Resolve for StuckResolver {
    fn resolve(&self, _host: &str, _port: u16) -> io::Result<Vec<SocketAddr>> {
        std::thread::sleep(Duration::from_secs(5));
        Ok(vec![SocketAddr::from(([127, 0, 0, 1], 9))])
    }
}

#[test]
fn resolution_is_bounded_by_the_connect_timeout() {
    let client = brisk_client::Client::builder()
        .resolver(StuckResolver)
        .connect_timeout(Duration::from_millis(200))
        .build();
    let t0 = Instant::now();
    match client.get("http://slow.example.test/").send() {
        Err(e @ brisk_client::Error::Timeout { .. }) => {
            assert_eq!(e.phase(), Some(brisk_client::Phase::Resolve));
        }
        other => panic!("want a resolve timeout, got {other:?}"),
    }
    let took = t0.elapsed();
    assert!(took < Duration::from_secs(1), "the caller waited {took:?}");
}
