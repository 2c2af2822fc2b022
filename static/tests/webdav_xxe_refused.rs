//! WebDAV request bodies with a DTD (external entities, entity expansion)
//! are refused with 400 before anything is read or expanded.
mod common;
use common::dav::dav;
use common::*;

#[test]
fn webdav_xxe_refused() {
    let base = site();
    let root = base.path().join("root");
    write(&root, "f.txt", "x");
    let secret = base.path().join("secret.txt");
    std::fs::write(&secret, "TOP-SECRET").expect("write");
    let server = StaticServer::start(&root, &["--webdav", "-q"]);
    let url = format!("{}f.txt", server.url);
    let xxe = format!(
        r#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file://{}">]><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><Z:a xmlns:Z="urn:z">&x;</Z:a></D:prop></D:set></D:propertyupdate>"#,
        secret.display()
    );
    let mut laughs = String::from(r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY l0 "ha">"#);
    for i in 1..10 {
        let prev = format!("&l{};", i - 1);
        laughs.push_str(&format!("<!ENTITY l{i} \"{}\">", prev.repeat(10)));
    }
    laughs.push_str(r#"]><D:propfind xmlns:D="DAV:"><D:prop><Z:a xmlns:Z="urn:z">&l9;</Z:a></D:prop></D:propfind>"#);
    let undeclared = r#"<D:propfind xmlns:D="DAV:"><D:prop><Z:a xmlns:Z="urn:z">&x;</Z:a></D:prop></D:propfind>"#;
    let lockinfo = format!(
        r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file://{}">]><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>&x;</D:owner></D:lockinfo>"#,
        secret.display()
    );
    let cases = [
        ("PROPPATCH", xxe.as_str()),
        ("PROPFIND", laughs.as_str()),
        ("PROPFIND", undeclared),
        ("LOCK", lockinfo.as_str()),
    ];
    for (method, body) in cases {
        let reply = dav(method, &url, &["Depth: 0"], body);
        assert_eq!(
            reply.status,
            400,
            "{method}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        assert!(!String::from_utf8_lossy(&reply.body).contains("TOP-SECRET"));
    }
    // Nothing was stored or locked by the refused bodies.
    let reply = dav("PROPFIND", &url, &["Depth: 0"], "");
    assert_eq!(reply.status, 207);
    let body = String::from_utf8_lossy(&reply.body);
    assert!(
        !body.contains("TOP-SECRET") && !body.contains("urn:z") && !body.contains("activelock"),
        "{body}"
    );
}
