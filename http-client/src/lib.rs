//! HTTP/1.1 client (work in progress).
pub mod handshake;
pub mod net;
pub mod proxy;
pub mod socks;
pub mod url;
