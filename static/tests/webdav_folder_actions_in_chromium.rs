//! With --webdav the listing's folder actions work in headless Chromium:
//! "New folder" makes a collection (MKCOL), "Rename" moves an entry
//! (MOVE), "Delete" removes one after a confirmation (DELETE), and a
//! declined confirmation deletes nothing. A same-origin driver page frames
//! the listing, answers the prompts for the user and clicks the buttons;
//! the tree on disk is checked afterwards.
mod common;
use common::dav::tree_listing;
use common::*;

const DRIVER: &str = r#"<!DOCTYPE html><html><body><div id="out">pending</div>
<iframe id="f" src="/"></iframe>
<script>
const out = document.getElementById('out');
const f = document.getElementById('f');
const log = [];
let step = 0;
function names(doc) { return Array.from(doc.querySelectorAll('td.name a')).map(a => a.textContent); }
function button(doc, cls, name) {
  return doc.querySelector('button.' + cls + '[aria-label="' + (cls === 'dav-rename' ? 'Rename ' : 'Delete ') + name + '"]');
}
f.addEventListener('load', () => {
  const doc = f.contentDocument;
  const win = f.contentWindow;
  if (win.location.href === 'about:blank') return;
  step += 1;
  log.push(step + ':' + JSON.stringify(names(doc)));
  if (step === 1) {
    log.push('FOCUSABLE:' + (doc.getElementById('dav-mkcol').tabIndex >= 0));
    win.prompt = () => 'made by browser';
    doc.getElementById('dav-mkcol').click();
  } else if (step === 2) {
    win.prompt = () => 'renamed é.txt';
    button(doc, 'dav-rename', 'old.txt').click();
  } else if (step === 3) {
    // Declined: nothing is sent, so no reload; then accepted.
    win.confirm = () => false;
    button(doc, 'dav-delete', 'keep.txt').click();
    win.confirm = () => true;
    button(doc, 'dav-delete', 'gone dir').click();
  } else if (step === 4) {
    win.prompt = () => 'keep.txt';
    button(doc, 'dav-rename', 'renamed é.txt').click();
    // Overwrite: F refuses; the page says so and does not reload.
    setTimeout(() => {
      log.push('STATUS:' + doc.getElementById('dav-status').textContent);
      out.textContent = 'DONE ' + log.join(' | ');
    }, 500);
  }
  out.textContent = log.join(' | ');
});
</script></body></html>"#;

#[test]
fn webdav_folder_actions_in_chromium() {
    let dir = site();
    write(dir.path(), "old.txt", "old");
    write(dir.path(), "keep.txt", "keep");
    write(dir.path(), "gone dir/inner.txt", "inner");
    write(dir.path(), "driver.html", DRIVER);
    let server = StaticServer::start(dir.path(), &["--webdav", "-q"]);
    let out = chromium::dump_dom(&format!("{}driver.html", server.url), None);
    let dom = chromium::dom_with(&out, "DONE ");
    assert!(dom.contains("FOCUSABLE:true"), "{dom}");
    assert!(dom.contains("made by browser/"), "{dom}");
    assert!(dom.contains("STATUS:MOVE failed: 412"), "{dom}");
    assert_eq!(
        tree_listing(dir.path()),
        vec![
            "driver.html".to_string(),
            "keep.txt".to_string(),
            "made by browser/".to_string(),
            "renamed é.txt".to_string(),
        ],
        "{dom}"
    );
    // Without WebDAV writes the page has no folder actions.
    let read_only = StaticServer::start(dir.path(), &["--webdav-read-only", "-q"]);
    let page = String::from_utf8_lossy(&curl(&[&read_only.url]).stdout).into_owned();
    assert!(!page.contains("dav-mkcol"), "{page}");
}
