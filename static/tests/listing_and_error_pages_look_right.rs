//! The listing with uploads on, and the error pages, as a browser shows
//! them, light and dark, wide and narrow (headless Chromium, the page
//! measured from a same-origin frame): native controls follow the dark
//! scheme (`color-scheme`), the upload button has room under the footer
//! and its text follows it closely, nothing sticks out of a phone-wide
//! frame; error pages are HTML in the listing's style for a browser and
//! one line of text for curl, and a 409 says how to allow replacing.
//! Fails when Chromium is missing (Debian package `chromium`).
mod common;
use common::*;

/// Measures the listing (frame `l`) and a 404 page (frame `e`), each at
/// the width the query gives, and reports one line.
const DRIVER: &str = r#"<!DOCTYPE html><html><body><div id="out">pending</div>
<iframe id="l" src="/"></iframe><iframe id="e" src="/missing/page"></iframe>
<script>
const out = document.getElementById('out');
const width = new URLSearchParams(location.search).get('w');
const frames = [document.getElementById('l'), document.getElementById('e')];
for (const f of frames) { f.style.width = width + 'px'; f.style.height = '600px'; }
let loaded = 0;
function dark(color) {
  const [r, g, b] = color.match(/\d+/g).map(Number);
  return r + g + b < 3 * 100;
}
function measure() {
  const doc = frames[0].contentDocument, err = frames[1].contentDocument;
  const win = frames[0].contentWindow;
  const label = doc.querySelector('#upload label');
  const footer = doc.querySelector('footer');
  const text = label.nextSibling;
  const range = doc.createRange();
  range.selectNodeContents(text);
  const l = label.getBoundingClientRect(), t = range.getClientRects()[0], fb = footer.getBoundingClientRect();
  const page = doc.documentElement;
  out.textContent = 'REPORT' +
    ' scheme=' + win.getComputedStyle(page).colorScheme +
    ' body-dark=' + dark(win.getComputedStyle(doc.body).backgroundColor) +
    ' button-dark=' + dark(win.getComputedStyle(label).backgroundColor) +
    ' gap=' + Math.round(t.left - l.right) +
    ' same-line=' + (Math.abs(t.top - l.top) < l.height) +
    ' under-footer=' + Math.round(l.top - fb.bottom) +
    ' overflow=' + (page.scrollWidth > page.clientWidth) +
    ' error-h1=' + (err.querySelector('h1') || {}).textContent +
    ' error-scheme=' + frames[1].contentWindow.getComputedStyle(err.documentElement).colorScheme +
    ' error-dark=' + dark(frames[1].contentWindow.getComputedStyle(err.body).backgroundColor) + ' END';
}
for (const f of frames) f.addEventListener('load', () => { if (++loaded === 2) measure(); });
</script></body></html>"#;

/// The report for the listing at `width` px, dark or light.
fn report(server: &StaticServer, width: u32, dark: bool) -> String {
    let flags: &[&str] = if dark {
        &[
            "--force-dark-mode",
            "--blink-settings=preferredColorScheme=0",
        ]
    } else {
        &["--blink-settings=preferredColorScheme=1"]
    };
    let url = format!("{}driver.html?w={width}", server.url);
    let out = chromium::dump_dom_with(&url, None, flags);
    let dom = chromium::dom_with(&out, "REPORT");
    let start = dom.find("REPORT").expect("the report");
    let end = dom[start..].find(" END").map_or(dom.len(), |e| start + e);
    dom[start..end].to_string()
}

/// The number after `key=` in `report`.
fn number(report: &str, key: &str) -> i64 {
    report
        .split(' ')
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {key} in {report}"))
}

#[test]
fn listing_with_uploads_light_and_dark_wide_and_narrow() {
    let dir = site();
    write(dir.path(), "sub/x.txt", "x");
    write(
        dir.path(),
        "a file with a fairly long name to wrap.txt",
        "a",
    );
    write(dir.path(), "driver.html", DRIVER);
    let server = StaticServer::start(dir.path(), &["-q", "--upload"]);
    for width in [900, 320] {
        for dark in [false, true] {
            let r = report(&server, width, dark);
            let what = format!("{width} px, dark {dark}: {r}");
            assert!(r.contains("scheme=light dark"), "{what}");
            assert!(r.contains(&format!("body-dark={dark}")), "{what}");
            assert!(r.contains(&format!("button-dark={dark}")), "{what}");
            assert!(r.contains("overflow=false"), "{what}");
            let gap = number(&r, "gap");
            if r.contains("same-line=true") {
                assert!((0..=16).contains(&gap), "{what}");
            }
            assert!(number(&r, "under-footer") >= 8, "{what}");
            assert!(r.contains("error-h1=404 Not Found"), "{what}");
            assert!(r.contains("error-scheme=light dark"), "{what}");
            assert!(r.contains(&format!("error-dark={dark}")), "{what}");
        }
    }
}

#[test]
fn error_pages_html_for_browsers_text_for_curl() {
    let dir = site();
    write(dir.path(), "taken.txt", "old");
    write(dir.path(), "closed/x.txt", "x");
    let server = StaticServer::start(dir.path(), &["-q", "--upload"]);
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let missing = format!("{}nope", server.url);
    let html = curl(&["-i", "-H", &format!("Accept: {browser}"), &missing]);
    let html = String::from_utf8_lossy(&html.stdout).into_owned();
    assert!(html.starts_with("HTTP/1.1 404"), "{html}");
    assert!(
        html.contains("Content-Type: text/html; charset=utf-8"),
        "{html}"
    );
    assert!(html.contains("Vary: Accept"), "{html}");
    assert!(html.contains("<h1>404 Not Found</h1>"), "{html}");
    assert!(html.contains("color-scheme:light dark"), "{html}");
    let text = curl(&["-i", &missing]);
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(
        text.contains("Content-Type: text/plain; charset=utf-8"),
        "{text}"
    );
    assert!(text.ends_with("\r\n\r\n404 Not Found\n"), "{text}");
    // A 409 says what would allow the upload.
    let src = site();
    write(src.path(), "new.txt", "new");
    let file = src.path().join("new.txt").display().to_string();
    let out = curl(&["-T", &file, &format!("{}taken.txt", server.url)]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("409 Conflict: ") && said.contains("--overwrite"),
        "{said}"
    );
    // 401 and 403 in the same dress, their own headers kept.
    let guarded = StaticServer::start(dir.path(), &["-q", "--auth", "u:p", "--no-listing"]);
    let out = curl(&["-i", "-H", &format!("Accept: {browser}"), &guarded.url]);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains("<h1>401 Unauthorized</h1>"), "{page}");
    assert!(page.contains("WWW-Authenticate: Basic"), "{page}");
    let closed = format!("{}closed/", guarded.url);
    let out = curl(&[
        "-i",
        "-u",
        "u:p",
        "-H",
        &format!("Accept: {browser}"),
        &closed,
    ]);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains("<h1>403 Forbidden</h1>"), "{page}");
}
