//! --spa: a path that matches no file gets the root index.html; without
//! it, a 404. Real files and traversal refusals are unaffected.
mod common;
use common::*;

#[test]
fn spa_fallback() {
    let dir = site();
    write(dir.path(), "index.html", "<div id=app></div>");
    write(dir.path(), "app.js", "run()");
    let spa = StaticServer::start(dir.path(), &["--spa"]);
    let plain = StaticServer::start(dir.path(), &[]);

    for path in ["users/42", "deep/link/page", "missing.html"] {
        let reply = parse_reply(&curl(&["-i", &format!("{}{path}", spa.url)]).stdout);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.body, b"<div id=app></div>");
        assert_eq!(
            reply.header("Content-Type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(
            curl_status(&format!("{}{path}", plain.url), &[]),
            404,
            "{path}"
        );
    }
    assert_eq!(curl(&[&format!("{}app.js", spa.url)]).stdout, b"run()");
    assert_eq!(raw_get(spa.addr, "/../etc/passwd").status, 400);
}
