//! Compression as a browser sees it: headless Chromium loads a page
//! whose script (a large JavaScript file) and data (a JSON file fetched
//! by the script) are compressed on the fly by `static`; the script runs,
//! the data parses and sums as expected, and the Resource Timing API
//! shows each arrived in fewer bytes than it decodes to. With
//! `--no-compress` the same page arrives uncompressed.
mod common;
use common::*;

const PAGE: &str = r#"<!DOCTYPE html><html><body><div id="out">pending</div>
<script src="app.js"></script>
<script>
const out = document.getElementById('out');
fetch('data.json').then(r => r.json()).then(rows => {
  const sum = rows.reduce((a, r) => a + r.n, 0);
  const sizes = performance.getEntriesByType('resource')
    .filter(e => /app\.js|data\.json/.test(e.name))
    .map(e => e.name.split('/').pop() + '=' + e.encodedBodySize + '/' + e.decodedBodySize)
    .sort();
  out.textContent = 'RAN:' + (typeof appReady === 'function' && appReady()) + ' SUM:' + sum +
    ' SIZES:' + sizes.join(',');
}).catch(e => { out.textContent = 'FAILED:' + e; });
</script></body></html>"#;

fn site_for_the_page() -> (tempfile::TempDir, u64) {
    let dir = site();
    write(dir.path(), "index.html", PAGE);
    let mut js = String::new();
    for i in 0..3000 {
        js.push_str(&format!(
            "var helper{i} = function (x) {{ return x + {i}; }};\n"
        ));
    }
    js.push_str("function appReady() { return helper2999(1) === 3000; }\n");
    write(dir.path(), "app.js", js);
    let rows: Vec<String> = (0..4000)
        .map(|n| format!("{{\"name\":\"row {n}\",\"n\":{n}}}"))
        .collect();
    write(dir.path(), "data.json", format!("[{}]", rows.join(",")));
    (dir, (0..4000u64).sum())
}

/// (encoded, decoded) body sizes of `name` in the report.
fn sizes(dom: &str, name: &str) -> (u64, u64) {
    let key = format!("{name}=");
    let at = dom
        .find(&key)
        .unwrap_or_else(|| panic!("no size for {name}: {dom}"));
    let rest = &dom[at + key.len()..];
    let end = rest.find([',', '<', ' ']).unwrap_or(rest.len());
    let (enc, dec) = rest[..end].split_once('/').expect("enc/dec");
    (enc.parse().expect("encoded"), dec.parse().expect("decoded"))
}

#[test]
fn chromium_gets_compressed_script_and_data() {
    let (dir, sum) = site_for_the_page();
    let server = StaticServer::start(dir.path(), &["-q"]);
    let out = chromium::dump_dom(&server.url, None);
    let dom = chromium::dom_with(&out, "RAN:");
    assert!(dom.contains("RAN:true"), "the script did not run: {dom}");
    assert!(
        dom.contains(&format!("SUM:{sum}")),
        "the data did not parse: {dom}"
    );
    for name in ["app.js", "data.json"] {
        let (encoded, decoded) = sizes(&dom, name);
        assert!(
            encoded > 0 && encoded * 4 < decoded,
            "{name}: {encoded} of {decoded} bytes: {dom}"
        );
    }
}

#[test]
fn with_no_compress_chromium_gets_the_bytes_as_they_are() {
    let (dir, sum) = site_for_the_page();
    let server = StaticServer::start(dir.path(), &["-q", "--no-compress"]);
    let out = chromium::dump_dom(&server.url, None);
    let dom = chromium::dom_with(&out, "RAN:");
    assert!(dom.contains(&format!("RAN:true SUM:{sum}")), "{dom}");
    for name in ["app.js", "data.json"] {
        let (encoded, decoded) = sizes(&dom, name);
        assert_eq!(encoded, decoded, "{name} was compressed: {dom}");
    }
}
