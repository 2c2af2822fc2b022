//! OPTIONS answers with Allow; other methods get 405 with Allow.
mod common;
use common::*;

#[test]
fn options_and_405() {
    let dir = site();
    write(dir.path(), "f.txt", "x");
    let server = StaticServer::start(dir.path(), &[]);
    let url = format!("{}f.txt", server.url);

    let reply = parse_reply(&curl(&["-i", "-X", "OPTIONS", &url]).stdout);
    assert!(matches!(reply.status, 200 | 204), "{}", reply.status);
    assert_eq!(reply.header("Allow"), Some("GET, HEAD, OPTIONS"));

    for method in ["POST", "PUT", "DELETE", "PATCH", "BREW"] {
        let reply = parse_reply(&curl(&["-i", "-X", method, "-d", "x", &url]).stdout);
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(
            reply.header("Allow"),
            Some("GET, HEAD, OPTIONS"),
            "{method}"
        );
    }
    // The file is untouched.
    assert_eq!(curl(&[&url]).stdout, b"x");
}
