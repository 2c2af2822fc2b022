//! `--live-reload`: pages reload themselves when a file of the served tree
//! changes (what `live-server` and browser-sync do).
//!
//! - [`LiveReload`] wraps the file handler: HTML pages it answers in full
//!   (`200`, `text/html`, not compressed, not a range) get a small script
//!   before `</body>` (or at the end); `Content-Length` follows from the
//!   new body, and the `ETag` gets a `-lr` suffix so that a cache never
//!   mixes the page with and without the script. Other types, ranges and
//!   compressed variants pass untouched.
//! - The script opens a WebSocket to [`RELOAD_PATH`] (reconnecting every
//!   second if the server goes away) and reloads the page on any message.
//! - A watcher thread (inotify through `notify`) sees creations, data
//!   changes, renames and removals under the root, waits [`COALESCE`]
//!   after the first so that a burst (an editor's save, a build) makes one
//!   reload, then publishes `reload` to every connected page. Reads (the
//!   server's own `open`s) and metadata changes are ignored.

use brisk_core::StatusCode;
use brisk_server::ws::{Endpoint, Message, WebSocket, WsConn, WsSettings};
use brisk_server::{Body, FileRegion, Handler, Request, Response};
use notify::event::{EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Where pages connect to be told to reload.
pub const RELOAD_PATH: &str = "/__live-reload";
/// Changes closer together than this make one reload.
pub const COALESCE: Duration = Duration::from_millis(100);
/// Larger pages are sent as they are (the script needs the page in memory).
const MAX_PAGE_BYTES: u64 = 16 << 20;
/// The topic every page subscribes to.
const TOPIC: &str = "reload";

/// The script put into pages.
pub const SCRIPT: &str = "<script>(()=>{const u=(location.protocol==='https:'?'wss://':'ws://')+\
location.host+'/__live-reload';const c=()=>{const w=new WebSocket(u);w.onmessage=()=>location.\
reload();w.onclose=()=>setTimeout(c,1000);};c();})();</script>";

/// Pages subscribe; nothing they send matters.
struct Pages;

impl Endpoint for Pages {
    fn open(&self, ws: &mut WsConn<'_>) {
        ws.subscribe(TOPIC);
    }

    fn message(&self, _: &mut WsConn<'_>, _: Message<'_>) {}
}

/// A handler with live reload around `inner` (see the module doc).
pub struct LiveReload<H> {
    inner: H,
    pages: WebSocket,
    /// Kept for its life: dropping it stops the watching.
    _watcher: RecommendedWatcher,
}

impl<H: Handler> LiveReload<H> {
    /// Watches `root` (recursively) and serves `inner` with the script.
    pub fn new(inner: H, root: &Path) -> io::Result<LiveReload<H>> {
        let settings = WsSettings {
            compression: None,
            ..WsSettings::default()
        };
        let pages = WebSocket::with_settings(Pages, settings);
        let (tx, rx) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(tx).map_err(io::Error::other)?;
        watcher
            .watch(root, RecursiveMode::Recursive)
            .map_err(io::Error::other)?;
        let to_pages = pages.clone();
        thread::Builder::new()
            .name("live-reload".into())
            .spawn(move || watch_loop(&rx, &to_pages))?;
        Ok(LiveReload {
            inner,
            pages,
            _watcher: watcher,
        })
    }
}

impl<H: Handler> Handler for LiveReload<H> {
    fn call(&self, req: &Request) -> Response {
        if req.path() == RELOAD_PATH {
            return self.pages.upgrade(req);
        }
        inject(self.inner.call(req))
    }

    fn streams_body(&self, req: &Request) -> bool {
        self.inner.streams_body(req)
    }

    fn refuse_early(&self, req: &Request) -> Option<Response> {
        self.inner.refuse_early(req)
    }
}

type Events = mpsc::Receiver<notify::Result<notify::Event>>;

/// Waits for changes; one reload per burst.
fn watch_loop(rx: &Events, pages: &WebSocket) {
    while let Ok(first) = rx.recv() {
        if !is_change(&first) {
            continue;
        }
        let until = Instant::now() + COALESCE;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(_) => continue,
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        log::debug!("live reload: the tree changed, reloading pages");
        pages.publish(TOPIC, Message::Text("reload"));
    }
}

/// Creations, data changes, renames and removals; not reads or metadata.
fn is_change(event: &notify::Result<notify::Event>) -> bool {
    let Ok(event) = event else {
        return false;
    };
    match event.kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Any | EventKind::Access(_) | EventKind::Other => false,
    }
}

/// The page with the script, when `resp` is a whole HTML page.
fn inject(resp: Response) -> Response {
    if resp.status() != StatusCode::OK || !is_plain_html(&resp) {
        return resp;
    }
    let page = match resp.body() {
        Body::Bytes(b) => b.clone(),
        Body::Static(b) => b.to_vec(),
        Body::Shared(b) => b.to_vec(),
        Body::File(region) if region.len <= MAX_PAGE_BYTES => match read_region(region) {
            Ok(page) => page,
            Err(e) => {
                log::warn!("live reload: cannot read a page to add the script: {e}");
                return resp;
            }
        },
        _ => return resp,
    };
    let mut resp = resp.with_body(Body::Bytes(with_script(&page)));
    let headers = resp.headers_mut();
    if let Some(tag) = headers.get_str("etag").map(live_etag) {
        headers.insert("ETag", tag);
    }
    headers.remove("content-length");
    resp
}

/// `text/html`, not compressed, not a range.
fn is_plain_html(resp: &Response) -> bool {
    let h = resp.headers();
    let html = h.get_str("content-type").is_some_and(|t| {
        let t = t.trim_start();
        t.len() >= 9 && t[..9].eq_ignore_ascii_case("text/html")
    });
    html && !h.contains("content-encoding") && !h.contains("content-range")
}

fn read_region(region: &FileRegion) -> io::Result<Vec<u8>> {
    let mut page = vec![0u8; region.len as usize];
    region.file.read_exact_at(&mut page, region.offset)?;
    Ok(page)
}

/// The page with [`SCRIPT`] before its last `</body>`, or at its end.
pub fn with_script(page: &[u8]) -> Vec<u8> {
    let at = page
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(page.len());
    let mut out = Vec::with_capacity(page.len() + SCRIPT.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(SCRIPT.as_bytes());
    out.extend_from_slice(&page[at..]);
    out
}

/// The page's tag with `-lr` before its closing quote (weak stays weak).
fn live_etag(tag: &str) -> String {
    match tag.strip_suffix('"') {
        Some(open) => format!("{open}-lr\""),
        None => format!("{tag}-lr"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_last_body_end_tag_or_at_the_end() {
        let page = with_script(b"<html><BODY>x</Body></html>");
        let text = String::from_utf8(page).unwrap();
        assert!(text.starts_with("<html><BODY>x<script>"), "{text}");
        assert!(text.ends_with("</script></Body></html>"), "{text}");
        let bare = with_script(b"just text");
        assert!(bare.starts_with(b"just text<script>"));
    }

    #[test]
    fn etags_get_a_suffix_inside_their_quotes() {
        assert_eq!(live_etag("\"abc\""), "\"abc-lr\"");
        assert_eq!(live_etag("W/\"abc\""), "W/\"abc-lr\"");
    }

    #[test]
    fn only_whole_uncompressed_html_is_changed() {
        let html = || {
            Response::new(StatusCode::OK)
                .header("Content-Type", "text/html; charset=utf-8")
                .header("ETag", "\"t\"")
                .bytes(b"<body></body>".to_vec())
        };
        let resp = inject(html());
        assert_eq!(resp.headers().get_str("etag"), Some("\"t-lr\""));
        assert_eq!(resp.body().len(), Some((13 + SCRIPT.len()) as u64));
        for other in [
            html().header("Content-Encoding", "gzip"),
            html().header("Content-Range", "bytes 0-1/13"),
            {
                let mut r = html();
                r.set_status(StatusCode::NOT_FOUND);
                r
            },
            Response::text(StatusCode::OK, "<body></body>"),
        ] {
            let before = other.body().len();
            let after = inject(other);
            assert_eq!(after.body().len(), before);
        }
    }
}
