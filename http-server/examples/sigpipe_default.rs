//! A test fixture, and a demonstration: a program that puts `SIGPIPE` back
//! to its default action (as C hosts and some runtimes do) and serves large
//! bodies. Clients that disconnect mid-body must not kill it.
//!
//! - `/bytes`: 16 MiB from memory (`sendmsg`),
//! - `/file`: 64 MiB from a temporary file (`sendfile`, which has no
//!   `MSG_NOSIGNAL`: only the server's blocked `SIGPIPE` protects it),
//! - `/stream`: 16 MiB in chunks,
//! - anything else: `alive`.
//!
//! With a certificate and a key after the address it serves the same over
//! TLS (the bytes pass the cipher, so `/file` is read in slices instead of
//! sent with `sendfile`).
//!
//! `cargo run -p brisk-server --example sigpipe_default -- [HOST:PORT [CERT KEY]]`
use brisk_server::{FileRegion, Request, Response, Server, StatusCode, TlsConfig};
use std::io::Write;

fn main() -> std::io::Result<()> {
    // Rust programs start with SIGPIPE ignored; undo that, so that a write
    // to a closed peer would kill the process if the server did not
    // protect itself.
    // SAFETY: called before any thread starts; SIG_DFL is a valid action.
    #[allow(unsafe_code)]
    let previous = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    if previous == libc::SIG_ERR {
        return Err(std::io::Error::last_os_error());
    }
    let mut file = tempfile::tempfile()?;
    let block = vec![b'f'; 1 << 20];
    for _ in 0..64 {
        file.write_all(&block)?;
    }
    let region = FileRegion::whole(file)?;
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    let mut server = Server::bind(addr.as_str())?.shutdown_on_signals();
    let mut scheme = "http";
    if let (Some(cert), Some(key)) = (args.next(), args.next()) {
        server = server.tls(TlsConfig::from_pem_files(cert, key)?);
        scheme = "https";
    }
    println!("listening at {scheme}://{}/", server.local_addr());
    std::io::stdout().flush()?;
    server.serve(move |req: &Request| match req.path() {
        "/bytes" => Response::new(StatusCode::OK).bytes(vec![b'b'; 16 << 20]),
        "/file" => Response::new(StatusCode::OK).file(region.clone()),
        "/stream" => {
            Response::new(StatusCode::OK).stream((0..256).map(|_| Ok(vec![b's'; 64 << 10])))
        }
        _ => Response::text(StatusCode::OK, "alive"),
    })
}
