//! The listing page in headless Chromium: it renders the entries (awkward
//! names as text), fits a 300 px wide frame without horizontal scrolling,
//! and clicking a link navigates to that directory. The
//! click runs from a same-origin page that frames the listing; Chromium
//! dumps the DOM once the page reports. Fails when Chromium is missing
//! (Debian package `chromium`): CI installs it.
mod common;
use common::*;
use std::process::Command;

const DRIVER: &str = r#"<!DOCTYPE html><html><body><div id="out">pending</div>
<iframe id="f" src="/"></iframe>
<script>
const out = document.getElementById('out');
const f = document.getElementById('f');
let clicked = false;
function report(text) { out.textContent = text; }
f.addEventListener('load', () => {
  const doc = f.contentDocument;
  if (f.contentWindow.location.href === 'about:blank') return;
  if (!clicked) {
    const names = Array.from(doc.querySelectorAll('td.name a')).map(a => a.textContent);
    // The frame is 300 px wide, narrower than a phone: nothing may stick out.
    const overflow = doc.documentElement.scrollWidth > doc.documentElement.clientWidth;
    report('ROOT:' + JSON.stringify(names) + ' OVERFLOW:' + overflow);
    const link = Array.from(doc.querySelectorAll('a.dir')).find(a => a.textContent === 'sub dir/');
    clicked = true;
    if (link) { link.click(); } else { report('NO-LINK ' + out.textContent); }
  } else {
    report(out.textContent + ' NAVIGATED:' + f.contentWindow.location.pathname + ' TITLE:' + doc.title +
           ' ITEMS:' + JSON.stringify(Array.from(doc.querySelectorAll('td.name a')).map(a => a.textContent)));
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
fn listing_in_headless_chromium() {
    let Some(bin) = chromium() else {
        panic!(
            "no chromium, chromium-browser or google-chrome runs here: install the Debian \
             package `chromium` (scripts/install-peers.sh installs every peer)"
        );
    };
    let dir = site();
    write(dir.path(), "sub dir/inner <b>.txt", "inner");
    write(dir.path(), "<script>alert(1)<\\script>.txt", "x");
    write(dir.path(), "été.txt", "e");
    write(
        dir.path(),
        "a_very_long_file_name_without_any_break_opportunity_that_must_wrap.txt",
        "l",
    );
    write(dir.path(), "driver.html", DRIVER);
    let server = StaticServer::start(dir.path(), &["-q"]);
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
        dom.contains("ROOT:"),
        "no report: {dom}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The names render as text, exactly (JSON-escaped in the report).
    assert!(dom.contains(r#""sub dir/""#), "{dom}");
    assert!(dom.contains(r#""été.txt""#), "{dom}");
    assert!(
        dom.contains(r#""&lt;script&gt;alert(1)&lt;\\script&gt;.txt""#),
        "{dom}"
    );
    // Readable in a 300 px frame: no horizontal scrolling, even with a long name.
    assert!(dom.contains("OVERFLOW:false"), "{dom}");
    // The click navigated to the subdirectory's listing.
    assert!(dom.contains("NAVIGATED:/sub%20dir/"), "{dom}");
    assert!(dom.contains("TITLE:Index of /sub dir/"), "{dom}");
    assert!(dom.contains(r#""inner &lt;b&gt;.txt""#), "{dom}");
}
