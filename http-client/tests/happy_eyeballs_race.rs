//! With several addresses, a next one is tried after the stagger while the
//! first is still hanging; the first to connect wins.
mod common;
use common::*;

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Resolves every name to a fixed list.
struct Fixed(Vec<SocketAddr>);

impl brisk_client::Resolve for Fixed {
    fn resolve(&self, _: &str, _: u16) -> io::Result<Vec<SocketAddr>> {
        Ok(self.0.clone())
    }
}

#[test]
fn a_hanging_first_address_does_not_block_the_second() {
    // First address: a backlog-0 listener filled so SYNs are dropped.
    let hang =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    hang.bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .expect("bind");
    hang.listen(0).expect("listen");
    let hang_addr = hang.local_addr().expect("addr").as_socket().expect("inet");
    let mut held = Vec::new();
    while let Ok(c) = TcpStream::connect_timeout(&hang_addr, Duration::from_millis(200)) {
        held.push(c);
        assert!(held.len() < 64, "backlog never filled");
    }
    // Second address: a server that answers.
    let good = TcpListener::bind("127.0.0.1:0").expect("bind");
    let good_addr = good.local_addr().expect("addr");
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = good.accept() {
            read_request_head(&mut s);
            write_quiet(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nwon");
        }
    });
    let client = brisk_client::Client::builder()
        .resolver(Fixed(vec![hang_addr, good_addr]))
        .happy_eyeballs_stagger(Duration::from_millis(100))
        .connect_timeout(Duration::from_secs(5))
        .build();
    let t0 = Instant::now();
    let r = client
        .get(&format!("http://race.test:{}/", good_addr.port()))
        .send()
        .expect("second address wins");
    assert_eq!(r.remote_addr(), good_addr);
    assert_eq!(r.text(10).expect("body"), "won");
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(90) && took < Duration::from_secs(2),
        "{took:?}"
    );
}
