//! The listing page in headless Chromium: it renders the entries (awkward
//! names as text), fits a 300 px wide frame without horizontal scrolling,
//! and clicking a link navigates to that directory. The
//! click runs from a same-origin page that frames the listing; Chromium
//! dumps the DOM once the page reports. Fails when Chromium is missing
//! (Debian package `chromium`): CI installs it.
mod common;
use common::*;

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

#[test]
fn listing_in_headless_chromium() {
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
    let out = chromium::dump_dom(&format!("{}driver.html", server.url), None);
    let dom = chromium::dom_with(&out, "ROOT:");
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
