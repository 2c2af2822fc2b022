//! The cookie engine of a run: on with any `-b FILE` (an argument without
//! '=') or `-c`, loaded from the `-b` files before the first transfer,
//! written to the `-c` file after each, as curl does. One jar serves every
//! operation (`-:`) that turns the engine on, as curl shares its cookies
//! between them (`-c jar URL1 -: -b jar URL2` sends URL1's cookies).

use std::io::Write;
use std::sync::{Arc, Mutex};

use brisk_client::cookie::{CookieJar, CookieStore};

use crate::cli::Cli;

/// Seconds since the epoch.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A run's jar, empty (shared by its operations).
pub fn new_jar() -> CookieStore {
    Arc::new(Mutex::new(CookieJar::new()))
}

/// The run's `shared` jar with this operation's `-b` files loaded, when
/// its flags turn the engine on. A `-b` file that cannot be read adds
/// nothing (curl says nothing about it either).
pub fn open_jar(cli: &Cli, shared: &CookieStore) -> Option<CookieStore> {
    let files: Vec<&String> = cli.cookie.iter().filter(|c| !c.contains('=')).collect();
    if files.is_empty() && cli.cookie_jar.is_none() {
        return None;
    }
    let mut jar = shared.lock().unwrap_or_else(|p| p.into_inner());
    for f in files {
        let text = if f == "-" {
            std::io::read_to_string(std::io::stdin()).unwrap_or_default()
        } else {
            std::fs::read(f)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        };
        jar.load(&text, cli.junk_session_cookies, now());
    }
    Some(Arc::clone(shared))
}

/// Writes the jar to the `-c` file ("-": stdout). A failure is a warning,
/// as in curl; the exit code stays the transfers'.
pub fn save_jar(cli: &Cli, jar: Option<&CookieStore>) {
    let (Some(path), Some(jar)) = (&cli.cookie_jar, jar) else {
        return;
    };
    let text = jar
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .to_netscape(now());
    let result = if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).and_then(|()| out.flush())
    } else {
        std::fs::write(path, text)
    };
    if let Err(e) = result {
        if !cli.silent || cli.show_error {
            eprintln!("Warning: Failed to save cookies in {}: {e}", path.display());
        }
    }
}
