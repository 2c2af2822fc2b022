//! The listing page in headless Chromium over https (`static --tls-cert`):
//! the page loads with the test CA trusted, renders the entries (awkward
//! names as text), and clicking a link navigates to that directory, as in
//! `listing_in_headless_chromium.rs`. Then the same page with a fresh,
//! empty trust store does not load: the trust came from the CA.
//!
//! The CA is trusted through an NSS database (`certutil` from Debian
//! `libnss3-tools`) at `$HOME/.pki/nssdb` in a temporary HOME, which is
//! where Chromium on Linux reads its trust store: the real verification
//! path, name check included, rather than
//! `--ignore-certificate-errors-spki-list`, which skips the chain.
mod common;
use common::tls::Pki;
use common::*;
use std::path::Path;
use std::process::{Command, Output};

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

/// A temporary HOME whose NSS database trusts `ca` for TLS servers
/// (`C,,`), or trusts nothing when `ca` is `None`.
fn home_with_nssdb(ca: Option<&Path>) -> tempfile::TempDir {
    let home = site();
    let db = home.path().join(".pki/nssdb");
    std::fs::create_dir_all(&db).expect("mkdir nssdb");
    let db_arg = format!("sql:{}", db.display());
    let out = Command::new("certutil")
        .args(["-N", "--empty-password", "-d", &db_arg])
        .output()
        .unwrap_or_else(|e| missing_peer("certutil", e));
    assert!(out.status.success(), "certutil -N: {out:?}");
    if let Some(ca) = ca {
        let out = Command::new("certutil")
            .args([
                "-A",
                "-d",
                &db_arg,
                "-n",
                "http-static test CA",
                "-t",
                "C,,",
            ])
            .arg("-i")
            .arg(ca)
            .output()
            .unwrap_or_else(|e| missing_peer("certutil", e));
        assert!(out.status.success(), "certutil -A: {out:?}");
    }
    home
}

fn dump_dom(bin: &str, home: &Path, url: &str) -> Output {
    let profile = site();
    Command::new("timeout")
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
        .arg(url)
        .env("HOME", home)
        .output()
        .unwrap_or_else(|e| missing_peer("timeout", e))
}

#[test]
fn listing_in_headless_chromium_over_https() {
    let Some(bin) = chromium() else {
        panic!(
            "no chromium, chromium-browser or google-chrome runs here: install the Debian \
             package `chromium` (scripts/install-peers.sh installs every peer)"
        );
    };
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
    let home = home_with_nssdb(Some(&pki.ca));
    let out = dump_dom(bin, home.path(), &url);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("ROOT:"),
        "no report: {dom}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let untrusting = home_with_nssdb(None);
    let out = dump_dom(bin, untrusting.path(), &url);
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
