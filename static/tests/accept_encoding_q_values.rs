//! Accept-Encoding weights decide the coding: q=0 refuses one, the
//! highest weight wins, br > zstd > gzip at equal weight, and
//! `identity;q=0` with nothing else acceptable gets identity (200, not
//! 406: RFC 9110 12.5.3 allows it, and the client still gets the file).
mod common;
use common::*;

#[test]
fn accept_encoding_q_values() {
    let dir = site();
    let text = "p { margin: 0 auto; padding: 1em; }\n".repeat(300);
    write(dir.path(), "site.css", &text);
    let server = StaticServer::start(dir.path(), &[]);
    let url = format!("{}site.css", server.url);
    let table: &[(&str, Option<&str>)] = &[
        ("gzip", Some("gzip")),
        ("gzip;q=0", None),
        ("gzip;q=0, br", Some("br")),
        ("br;q=0.5, gzip;q=0.8", Some("gzip")),
        ("gzip, zstd", Some("zstd")),
        ("gzip, zstd, br", Some("br")),
        ("*", Some("br")),
        ("*;q=0, gzip", Some("gzip")),
        ("identity", None),
        ("identity;q=0", None),
        ("identity;q=0, deflate", None),
        ("*;q=0", None),
        ("gzip;q=0.5, identity", None),
        ("compress, deflate", None),
    ];
    for (accept, expect) in table {
        let header = format!("Accept-Encoding: {accept}");
        let reply = parse_reply(&curl(&["-i", "-H", &header, &url]).stdout);
        assert_eq!(reply.status, 200, "{accept}");
        assert_eq!(reply.header("Content-Encoding"), *expect, "{accept}");
        assert_eq!(reply.header("Vary"), Some("Accept-Encoding"), "{accept}");
        if expect.is_none() {
            assert!(reply.body == text.as_bytes(), "{accept}: identity bytes");
        }
    }
}
