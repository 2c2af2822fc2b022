//! The listing page in headless Chromium over https (`static --tls-cert`):
//! the page loads with the test CA trusted, renders the entries (awkward
//! names as text), and clicking a link navigates to that directory, as in
//! `listing_in_headless_chromium.rs`. Then the same page with a fresh,
//! empty trust store does not load: the trust came from the CA.
//!
//! The CA is trusted through an NSS database (`certutil` from Debian
//! `libnss3-tools`) at `$HOME/.pki/nssdb` in a temporary HOME
//! (`chromium::home_trusting`), which is
//! where Chromium on Linux reads its trust store: the real verification
//! path, name check included, rather than
//! `--ignore-certificate-errors-spki-list`, which skips the chain.
mod common;
use common::tls::Pki;
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
fn listing_in_headless_chromium_over_https() {
    let pki = Pki::new();
    let dir = site();
    write(dir.path(), "sub dir/inner <b>.txt", "inner");
    write(dir.path(), "<script>alert(1)<\\script>.txt", "x");
    write(dir.path(), "été.txt", "e");
    write(dir.path(), "driver.html", DRIVER);
    let tls = pki.args("good");
    let mut args = vec!["-q"];
    args.extend(tls.iter().map(String::as_str));
    let server = StaticServer::start(dir.path(), &args);
    // The certificate names localhost: load the page by that name.
    let url = format!("https://localhost:{}/driver.html", server.addr.port());
    let home = chromium::home_trusting(Some(&pki.ca));
    let out = chromium::dump_dom(&url, Some(home.path()));
    let dom = chromium::dom_with(&out, "ROOT:");
    assert!(dom.contains(r#""sub dir/""#), "{dom}");
    assert!(dom.contains(r#""été.txt""#), "{dom}");
    assert!(
        dom.contains(r#""&lt;script&gt;alert(1)&lt;\\script&gt;.txt""#),
        "{dom}"
    );
    // The click navigated to the subdirectory's listing, over https too.
    assert!(dom.contains("NAVIGATED:/sub%20dir/"), "{dom}");
    assert!(dom.contains("TITLE:Index of /sub dir/"), "{dom}");
    assert!(dom.contains(r#""inner &lt;b&gt;.txt""#), "{dom}");

    // Without the CA in the store Chromium refuses the certificate: no
    // report, and its log names ERR_CERT_AUTHORITY_INVALID (-202).
    let untrusting = chromium::home_trusting(None);
    let out = chromium::dump_dom(&url, Some(untrusting.path()));
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        !dom.contains("ROOT:"),
        "loaded without trusting the CA: {dom}"
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("net_error -202"),
        "not refused as an unknown CA: {log}"
    );
}
