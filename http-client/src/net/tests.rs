use super::*;
use std::io::{Read, Write};
use std::net::TcpListener;

#[test]
fn interleaves_starting_with_first_family() {
    let a: Vec<SocketAddr> = ["[::1]:1", "[::2]:1", "127.0.0.1:1", "127.0.0.2:1"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let got: Vec<String> = interleave_families(&a)
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(got, ["[::1]:1", "127.0.0.1:1", "[::2]:1", "127.0.0.2:1"]);
}

#[test]
fn connects_past_a_refused_address() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let good = listener.local_addr().unwrap();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let refused = closed.local_addr().unwrap();
    drop(closed);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut tried = Vec::new();
    let (_s, addr) = connect_any(
        &[refused, good],
        deadline,
        HAPPY_EYEBALLS_STAGGER,
        Some(TCP_KEEPALIVE_IDLE),
        &mut |a| tried.push(a),
    )
    .unwrap();
    assert_eq!(addr, good);
    assert_eq!(tried, [refused, good]);
    match connect_any(
        &[refused],
        deadline,
        HAPPY_EYEBALLS_STAGGER,
        None,
        &mut |_| {},
    ) {
        Err(ConnectFailure::Failed(e)) => {
            assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn conn_reads_writes_and_probes() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let (s, _) = connect_any(&[addr], deadline, HAPPY_EYEBALLS_STAGGER, None, &mut |_| {}).unwrap();
    let mut conn = Conn::new(s, addr).unwrap();
    let (mut server, _) = listener.accept().unwrap();
    conn.write_all(b"ping", deadline).unwrap();
    let mut got = [0u8; 4];
    server.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"ping");
    assert!(conn.probe_alive());
    // Nothing to read: the read waits and then reports the deadline.
    let soon = Instant::now() + Duration::from_millis(50);
    assert_eq!(conn.fill(soon).unwrap_err().kind(), io::ErrorKind::TimedOut);
    server.write_all(b"pong").unwrap();
    assert_eq!(conn.fill(deadline).unwrap(), 4);
    assert_eq!(conn.rbuf, b"pong");
    conn.rbuf.clear();
    drop(server);
    std::thread::sleep(Duration::from_millis(20));
    assert!(!conn.probe_alive(), "EOF must fail the probe");
}

#[test]
fn slow_resolver_is_abandoned_at_the_deadline() {
    struct Slow;
    impl Resolve for Slow {
        fn resolve(&self, _: &str, _: u16) -> io::Result<Vec<SocketAddr>> {
            std::thread::sleep(Duration::from_secs(3));
            Ok(vec![])
        }
    }
    let r: Arc<dyn Resolve> = Arc::new(Slow);
    let t0 = Instant::now();
    let res = resolve_with_deadline(&r, "x", 80, t0 + Duration::from_millis(100));
    assert!(matches!(res, Err(ResolveFailure::TimedOut)));
    assert!(t0.elapsed() < Duration::from_secs(1));
}
