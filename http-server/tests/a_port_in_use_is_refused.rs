//! Binding a port something already listens on fails with AddrInUse: a
//! plain listener, and also another of our own SO_REUSEPORT servers
//! (which would otherwise silently share the port).
use brisk_server::Server;
use std::io::ErrorKind;

#[test]
fn a_second_server_on_the_same_port_is_refused() {
    let first = Server::bind("127.0.0.1:0").unwrap();
    let err = Server::bind(first.local_addr()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse);
}

#[test]
fn a_port_held_by_a_plain_listener_is_refused() {
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let err = Server::bind(plain.local_addr().unwrap()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AddrInUse);
}
