//! The transport the server's connections use: plain TCP or TLS, each
//! optionally behind a PROXY protocol header from a load balancer.
//!
//! The PROXY header is read before anything else, with `MSG_PEEK` first:
//! only the header's own bytes are consumed, so what follows (a
//! ClientHello, a request) stays in the socket for the next layer, and no
//! bytes are ever handed between layers. Until the header is complete,
//! reads report `WouldBlock` (the connection's head deadline, counted from
//! accept, cuts a balancer that never sends it); a missing or malformed
//! header is an error that closes the connection.

use super::tls::TlsTcp;
use super::{PlainTcp, Transport};
use crate::proxy_protocol::{
    self, ProxiedFrom, ProxyHeaderError, V1_MAX_BYTES, V2_MAX_PAYLOAD_BYTES,
};
use mio::net::TcpStream;
use rustls::ServerConfig;
use std::fs::File;
use std::io::{self, IoSlice, Read};
use std::net::SocketAddr;
use std::sync::Arc;

/// The longest header this server reads: a v2 header (16 bytes) with the
/// largest payload it accepts, or a v1 line.
const PROXY_HEADER_MAX_BYTES: usize = {
    let v2 = 16 + V2_MAX_PAYLOAD_BYTES;
    if v2 > V1_MAX_BYTES {
        v2
    } else {
        V1_MAX_BYTES
    }
};

/// Calls the same method on whichever transport this is (static
/// dispatch: the plain path stays as cheap as before).
macro_rules! each {
    ($self:ident, $t:ident => $call:expr) => {
        match $self {
            ServerStream::Plain($t) => $call,
            ServerStream::Tls($t) => $call,
            ServerStream::Proxied($t) => $call,
        }
    };
}

/// What a server connection reads and writes through. Two words: the TLS
/// session and the PROXY state are boxed, so a plain connection's slot
/// does not pay for them.
pub(crate) enum ServerStream {
    Plain(PlainTcp),
    Tls(Box<TlsTcp>),
    /// Either of the above behind a PROXY protocol header.
    Proxied(Box<Proxied>),
}

/// A transport behind a PROXY protocol header.
pub(crate) struct Proxied {
    inner: ServerStream,
    /// Still waiting for the header.
    expect_header: bool,
    /// The client's address from the header, until the connection took it.
    client: Option<SocketAddr>,
}

impl ServerStream {
    /// `tls`: the configuration this connection handshakes with (taken
    /// at accept, so a reload affects only later connections).
    pub(crate) fn new(
        stream: TcpStream,
        tls: Option<Arc<ServerConfig>>,
        expect_proxy: bool,
    ) -> ServerStream {
        let inner = match tls {
            Some(config) => ServerStream::Tls(Box::new(TlsTcp::new(stream, config))),
            None => ServerStream::Plain(PlainTcp::new(stream)),
        };
        if !expect_proxy {
            return inner;
        }
        ServerStream::Proxied(Box::new(Proxied {
            inner,
            expect_header: true,
            client: None,
        }))
    }

    fn tcp(&self) -> &TcpStream {
        match self {
            ServerStream::Plain(p) => p.stream(),
            ServerStream::Tls(t) => t.stream(),
            ServerStream::Proxied(p) => p.inner.tcp(),
        }
    }
}

impl Proxied {
    /// Reads the PROXY header: `Ok(true)` once consumed, `Ok(false)` at
    /// EOF before it.
    fn read_header(&mut self) -> io::Result<bool> {
        let mut buf = [0u8; PROXY_HEADER_MAX_BYTES];
        let seen = self.inner.tcp().peek(&mut buf)?;
        if seen == 0 {
            return Ok(false);
        }
        let bad = |e: ProxyHeaderError| io::Error::new(io::ErrorKind::InvalidData, e);
        let Some((from, len)) = proxy_protocol::decode(&buf[..seen]).map_err(bad)? else {
            if seen == buf.len() {
                return Err(bad(ProxyHeaderError::V2));
            }
            // A valid prefix: more bytes will raise a new edge.
            return Err(io::ErrorKind::WouldBlock.into());
        };
        // Consume exactly the header; the peek showed these bytes are there.
        let mut tcp = self.inner.tcp();
        tcp.read_exact(&mut buf[..len])?;
        if let ProxiedFrom::Client { source, .. } = from {
            self.client = Some(source);
        }
        self.expect_header = false;
        Ok(true)
    }
}

impl Transport for Proxied {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.expect_header && !self.read_header()? {
            return Ok(0);
        }
        self.inner.read(buf)
    }

    fn write(&mut self, buf: &[u8], more: bool) -> io::Result<usize> {
        self.inner.write(buf, more)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>], more: bool) -> io::Result<usize> {
        self.inner.write_vectored(bufs, more)
    }

    fn send_file(
        &mut self,
        file: &File,
        offset: &mut u64,
        len: usize,
    ) -> Option<io::Result<usize>> {
        self.inner.send_file(file, offset, len)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.inner.shutdown_write()
    }

    fn set_abortive_close(&mut self) {
        self.inner.set_abortive_close()
    }

    fn source(&mut self) -> &mut dyn mio::event::Source {
        self.inner.source()
    }

    fn pending_output(&self) -> bool {
        self.inner.pending_output()
    }

    fn flush_output(&mut self) -> io::Result<()> {
        self.inner.flush_output()
    }

    fn release_buffers(&mut self) {
        self.inner.release_buffers()
    }

    fn take_proxied_peer(&mut self) -> Option<SocketAddr> {
        self.client.take()
    }
}

impl Transport for ServerStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        each!(self, t => t.read(buf))
    }

    fn write(&mut self, buf: &[u8], more: bool) -> io::Result<usize> {
        each!(self, t => t.write(buf, more))
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>], more: bool) -> io::Result<usize> {
        each!(self, t => t.write_vectored(bufs, more))
    }

    fn send_file(
        &mut self,
        file: &File,
        offset: &mut u64,
        len: usize,
    ) -> Option<io::Result<usize>> {
        each!(self, t => t.send_file(file, offset, len))
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        each!(self, t => t.shutdown_write())
    }

    fn set_abortive_close(&mut self) {
        each!(self, t => t.set_abortive_close())
    }

    fn source(&mut self) -> &mut dyn mio::event::Source {
        each!(self, t => t.source())
    }

    fn pending_output(&self) -> bool {
        match self {
            ServerStream::Plain(_) => false,
            ServerStream::Tls(t) => t.pending_output(),
            ServerStream::Proxied(p) => p.pending_output(),
        }
    }

    fn flush_output(&mut self) -> io::Result<()> {
        each!(self, t => t.flush_output())
    }

    fn release_buffers(&mut self) {
        each!(self, t => t.release_buffers())
    }

    fn take_proxied_peer(&mut self) -> Option<SocketAddr> {
        match self {
            ServerStream::Proxied(p) => p.take_proxied_peer(),
            _ => None,
        }
    }
}
