//! The listing's upload control in headless Chromium: a file dropped on
//! the listing page is sent with `fetch()` PUT, the page reloads and lists
//! it, and the file on disk has the dropped bytes. The drop is dispatched
//! from a same-origin page that frames the listing (a `DataTransfer`
//! holding a `File`, as a real drop carries); Chromium dumps the DOM once
//! the page reports; a drop the server refuses shows the server's reason
//! (a 409 names `--overwrite`). Fails when Chromium is missing (Debian `chromium`).
mod common;
use common::*;

const DRIVER: &str = r#"<!DOCTYPE html><html><body><div id="out">pending</div>
<iframe id="f" src="/"></iframe>
<script>
const out = document.getElementById('out');
const f = document.getElementById('f');
let dropped = false;
f.addEventListener('load', () => {
  const doc = f.contentDocument;
  const names = () => JSON.stringify(Array.from(doc.querySelectorAll('td.name a')).map(a => a.textContent));
  if (!dropped) {
    dropped = true;
    const control = doc.getElementById('upload-files') ? 'CONTROL:yes' : 'CONTROL:no';
    out.textContent = control + ' BEFORE:' + names();
    const dt = new f.contentWindow.DataTransfer();
    dt.items.add(new f.contentWindow.File(['dropped from the browser\n'], 'dropped file.txt', { type: 'text/plain' }));
    const ev = new f.contentWindow.DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true });
    doc.body.dispatchEvent(ev);
  } else {
    out.textContent += ' AFTER:' + names();
  }
});
</script></body></html>"#;

#[test]
fn a_file_dropped_on_the_listing_is_uploaded_and_listed() {
    let dir = site();
    write(dir.path(), "driver.html", DRIVER);
    let server = StaticServer::start(dir.path(), &["-q", "--upload"]);
    let out = chromium::dump_dom(&format!("{}driver.html", server.url), None);
    let dom = chromium::dom_with(&out, "CONTROL:yes");
    assert!(dom.contains(r#"BEFORE:["driver.html"]"#), "{dom}");
    assert!(
        dom.contains(r#"AFTER:["driver.html","dropped file.txt"]"#),
        "{dom}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("dropped file.txt")).unwrap(),
        "dropped from the browser\n"
    );
}

/// Drops a file whose name is taken, then reports what the page says.
const DRIVER_TAKEN: &str = r#"<!DOCTYPE html><html><body><div id="out">pending</div>
<iframe id="f" src="/"></iframe>
<script>
const out = document.getElementById('out');
const f = document.getElementById('f');
f.addEventListener('load', () => {
  const doc = f.contentDocument;
  const dt = new f.contentWindow.DataTransfer();
  dt.items.add(new f.contentWindow.File(['new\n'], 'taken.txt', { type: 'text/plain' }));
  doc.body.dispatchEvent(new f.contentWindow.DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  const poll = setInterval(() => {
    const said = doc.getElementById('upload-progress').textContent;
    if (said.startsWith('failed')) { clearInterval(poll); out.textContent = 'SAID:' + said; }
  }, 50);
}, { once: true });
</script></body></html>"#;

#[test]
fn a_refused_drop_shows_the_servers_reason() {
    let dir = site();
    write(dir.path(), "driver.html", DRIVER_TAKEN);
    write(dir.path(), "taken.txt", "old\n");
    let server = StaticServer::start(dir.path(), &["-q", "--upload"]);
    let out = chromium::dump_dom(&format!("{}driver.html", server.url), None);
    let dom = chromium::dom_with(&out, "SAID:");
    // The 409's own line, which says how to allow replacing files.
    assert!(
        dom.contains("SAID:failed: taken.txt: 409 Conflict: "),
        "{dom}"
    );
    assert!(dom.contains("--overwrite"), "{dom}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("taken.txt")).unwrap(),
        "old\n"
    );
}
