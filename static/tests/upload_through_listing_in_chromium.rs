//! The listing's upload control in headless Chromium: a file dropped on
//! the listing page is sent with `fetch()` PUT, the page reloads and lists
//! it, and the file on disk has the dropped bytes. The drop is dispatched
//! from a same-origin page that frames the listing (a `DataTransfer`
//! holding a `File`, as a real drop carries); Chromium dumps the DOM once
//! the page reports. Fails when Chromium is missing (Debian `chromium`).
mod common;
use common::*;
use std::process::Command;

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

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|bin| {
            Command::new(bin)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

#[test]
fn a_file_dropped_on_the_listing_is_uploaded_and_listed() {
    let Some(bin) = chromium() else {
        panic!("no chromium here: install the Debian package `chromium`");
    };
    let dir = site();
    write(dir.path(), "driver.html", DRIVER);
    let server = StaticServer::start(dir.path(), &["-q", "--upload"]);
    let profile = site();
    let out = Command::new("timeout")
        .args([
            "60",
            bin,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("{}driver.html", server.url))
        .output()
        .unwrap_or_else(|e| missing_peer("timeout", e));
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("CONTROL:yes"),
        "no report: {dom}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
