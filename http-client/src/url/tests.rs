use super::*;

#[test]
fn parses_the_usual_shapes() {
    let cases: &[(&str, &str, u16, &str)] = &[
        ("http://example.com", "example.com", 80, "/"),
        (
            "http://Example.COM:8080/a?b=1#frag",
            "example.com",
            8080,
            "/a?b=1",
        ),
        ("example.com/x", "example.com", 80, "/x"),
        ("http://127.0.0.1:1/x", "127.0.0.1", 1, "/x"),
        ("http://[::1]:8080/", "[::1]", 8080, "/"),
        ("http://[::1]/", "[::1]", 80, "/"),
        ("HTTP://h?q", "h", 80, "/?q"),
        ("http://h:/p", "h", 80, "/p"),
        ("http://h/x/../a/./b", "h", 80, "/a/b"),
        ("http://h//a", "h", 80, "//a"),
        ("http://h/é?q=é", "h", 80, "/%c3%a9?q=%c3%a9"),
    ];
    for (input, host, port, pq) in cases {
        let u = Url::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(u.host().to_string(), *host, "{input}");
        assert_eq!(u.port(), *port, "{input}");
        assert_eq!(u.path_and_query(), *pq, "{input}");
    }
}

#[test]
fn refuses_what_curl_refuses() {
    let cases: &[(&str, UrlError)] = &[
        ("gopher://x/", UrlError::UnsupportedScheme("gopher".into())),
        ("ftp://x/", UrlError::UnsupportedScheme("ftp".into())),
        ("http://", UrlError::Malformed("no host")),
        ("http://:80/", UrlError::Malformed("empty host")),
        (
            "http://a b/",
            UrlError::Malformed("illegal character (space or control byte)"),
        ),
        ("http://h:99999/", UrlError::Malformed("bad port number")),
        ("http://h:0/", UrlError::Malformed("bad port number")),
        ("http://h:abc/", UrlError::Malformed("bad port number")),
        ("http://[::1", UrlError::Malformed("unclosed IPv6 bracket")),
        ("http://[zz]/", UrlError::Malformed("bad IPv6 address")),
        (
            "http://[::1]x/",
            UrlError::Malformed("junk after IPv6 address"),
        ),
        (
            "http://h%41/",
            UrlError::Malformed("bad character in host name"),
        ),
        ("", UrlError::Malformed("empty URL")),
    ];
    for (input, want) in cases {
        assert_eq!(Url::parse(input).as_ref(), Err(want), "{input}");
    }
}

#[test]
fn userinfo_is_decoded_and_not_displayed() {
    let u = Url::parse("http://us%40er:p%3Ass@h:81/").unwrap();
    let c = u.credentials().unwrap();
    assert_eq!((c.user.as_str(), c.password.as_str()), ("us@er", "p:ss"));
    assert_eq!(u.to_string(), "http://h:81/");
    assert_eq!(u.host_header(), "h:81");
    assert_eq!(
        Credentials::from_pair("Aladdin:open sesame").basic_auth(),
        "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    );
}

#[test]
fn join_resolves_locations() {
    let base = Url::parse("http://u:p@h:81/a/b/c?q").unwrap();
    let cases: &[(&str, &str)] = &[
        ("/x", "http://h:81/x"),
        ("d", "http://h:81/a/b/d"),
        ("../d?z", "http://h:81/a/d?z"),
        ("./", "http://h:81/a/b/"),
        ("?n", "http://h:81/a/b/c?n"),
        ("//other/p", "http://other/p"),
        ("http://o:9/", "http://o:9/"),
        ("/a/../../x", "http://h:81/x"),
    ];
    for (loc, want) in cases {
        let got = base.join(loc).unwrap();
        assert_eq!(got.to_string(), *want, "{loc}");
        assert!(got.credentials().is_none());
    }
    assert!(matches!(
        base.join("gopher://x/"),
        Err(UrlError::UnsupportedScheme(_))
    ));
    assert_eq!(base.join("https://x/").unwrap().to_string(), "https://x/");
    let secure = Url::parse("https://s:8443/a").unwrap();
    assert_eq!(secure.join("//t/b").unwrap().to_string(), "https://t/b");
    assert_eq!(secure.join("/c").unwrap().to_string(), "https://s:8443/c");
}

#[test]
fn https_default_port_and_host_header() {
    let u = Url::parse("HTTPS://Example.com/x").unwrap();
    assert_eq!(u.scheme(), Scheme::Https);
    assert_eq!(u.port(), 443);
    assert_eq!(u.host_header(), "example.com");
    assert_eq!(u.to_string(), "https://example.com/x");
    let u = Url::parse("https://example.com:80/").unwrap();
    assert_eq!(u.host_header(), "example.com:80");
    assert_eq!(Url::parse("http://h/").unwrap().scheme(), Scheme::Http);
}

#[test]
fn query_helpers_encode() {
    let mut u = Url::parse("http://h/p").unwrap();
    u.append_query_pair("a b", "c&d=é");
    u.append_query("x=1");
    assert_eq!(u.path_and_query(), "/p?a+b=c%26d%3D%C3%A9&x=1");
    assert_eq!(u.query(), Some("a+b=c%26d%3D%C3%A9&x=1"));
    assert_eq!(
        Url::parse("http://h/d/f.txt").unwrap().file_name(),
        Some("f.txt")
    );
    assert_eq!(Url::parse("http://h/d/").unwrap().file_name(), None);
}
