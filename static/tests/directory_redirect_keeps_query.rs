//! A directory without its trailing slash: 301 to the slash form, query
//! kept; with the slash, index.html is served.
mod common;
use common::*;

#[test]
fn directory_redirect_keeps_query() {
    let dir = site();
    write(dir.path(), "docs/index.html", "<p>docs</p>");
    write(dir.path(), "a b/x.txt", "x");
    let server = StaticServer::start(dir.path(), &[]);

    let reply = parse_reply(&curl(&["-i", &format!("{}docs?x=1&y=%20", server.url)]).stdout);
    assert_eq!(reply.status, 301);
    assert_eq!(reply.header("Location"), Some("/docs/?x=1&y=%20"));

    let reply = parse_reply(&curl(&["-i", &format!("{}a%20b", server.url)]).stdout);
    assert_eq!(reply.status, 301);
    assert_eq!(reply.header("Location"), Some("/a%20b/"));

    // A request for "//host" must not become a redirect to another host.
    let reply = raw_get(server.addr, "//docs");
    assert_eq!(reply.status, 301);
    assert_eq!(reply.header("Location"), Some("/docs/"));

    // curl -L follows it to index.html.
    let out = curl(&["-L", &format!("{}docs", server.url)]);
    assert_eq!(out.stdout, b"<p>docs</p>");
    let reply = parse_reply(&curl(&["-i", &format!("{}docs/", server.url)]).stdout);
    assert_eq!(
        reply.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
}
