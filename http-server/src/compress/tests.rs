use super::*;
use brisk_core::{Headers, Version};
use std::io::{Read, Write};

fn req(method: Method, headers: &[(&str, &str)]) -> Request {
    let mut h = Headers::new();
    for (n, v) in headers {
        h.append(n, v);
    }
    let peer = "127.0.0.1:1".parse().expect("literal address");
    Request::new(method, "/", Version::Http11, h, Vec::new(), peer)
}

fn js(len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0u64;
    while out.len() < len {
        i += 1;
        out.extend_from_slice(format!("function f{i}(a) {{ return a * {i}; }}\n").as_bytes());
    }
    out.truncate(len);
    out
}

fn decode(coding: Coding, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match coding {
        Coding::Gzip => flate2::read::GzDecoder::new(bytes).read_to_end(&mut out),
        Coding::Brotli => brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out),
        Coding::Zstd => {
            zstd::stream::read::Decoder::new(bytes).and_then(|mut d| d.read_to_end(&mut out))
        }
        Coding::Deflate => unreachable!("not produced"),
    }
    .expect("decodes");
    out
}

fn body_bytes(resp: Response) -> Vec<u8> {
    match resp.into_parts().2 {
        Body::Bytes(b) => b,
        Body::Stream(s) => s.map(|p| p.expect("piece")).collect::<Vec<_>>().concat(),
        other => panic!("unexpected body {other:?}"),
    }
}

fn response(ct: &str, body: Vec<u8>) -> Response {
    Response::new(StatusCode::OK)
        .header("Content-Type", ct)
        .header("ETag", "\"abc\"")
        .bytes(body)
}

#[test]
fn bytes_round_trip_per_coding() {
    let original = js(50_000);
    for (accept, coding) in [
        ("gzip", Coding::Gzip),
        ("br", Coding::Brotli),
        ("zstd", Coding::Zstd),
    ] {
        let r = req(Method::Get, &[("Accept-Encoding", accept)]);
        let resp =
            Compression::new().apply(&r, response("application/javascript", original.clone()));
        assert_eq!(
            resp.headers().get_str("Content-Encoding"),
            Some(coding.token())
        );
        assert_eq!(resp.headers().get_str("Vary"), Some("Accept-Encoding"));
        let tag = format!("W/\"abc-{}\"", coding.token());
        assert_eq!(resp.headers().get_str("ETag"), Some(tag.as_str()));
        let encoded = body_bytes(resp);
        assert!(encoded.len() < original.len() / 2);
        assert_eq!(decode(coding, &encoded), original);
    }
}

/// A static body is compressed as bytes are; one too small stays static.
#[test]
fn static_bytes_are_compressed_too() {
    static SCRIPT: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let original: &'static [u8] = SCRIPT.get_or_init(|| js(50_000));
    let r = req(Method::Get, &[("Accept-Encoding", "gzip")]);
    let resp = Response::new(StatusCode::OK)
        .header("Content-Type", "application/javascript")
        .static_bytes(original);
    let resp = Compression::new().apply(&r, resp);
    assert_eq!(resp.headers().get_str("Content-Encoding"), Some("gzip"));
    assert_eq!(decode(Coding::Gzip, &body_bytes(resp)), original);
    let tiny = Response::new(StatusCode::OK)
        .header("Content-Type", "application/javascript")
        .static_bytes(b"f()");
    let tiny = Compression::new().apply(&r, tiny);
    assert!(tiny.headers().get("Content-Encoding").is_none());
    assert!(matches!(tiny.body(), Body::Static(b"f()")));
}

#[test]
fn left_alone_table() {
    let big = js(10_000);
    // (request headers, content type, body, compressed?, has Vary?)
    let table: &[(&[(&str, &str)], &str, Vec<u8>, bool, bool)] = &[
        (
            &[("Accept-Encoding", "gzip")],
            "text/html",
            big.clone(),
            true,
            true,
        ),
        (&[], "text/html", big.clone(), false, true),
        (
            &[("Accept-Encoding", "gzip;q=0")],
            "text/css",
            big.clone(),
            false,
            true,
        ),
        (
            &[("Accept-Encoding", "identity;q=0")],
            "text/css",
            big.clone(),
            false,
            true,
        ),
        (
            &[("Accept-Encoding", "gzip")],
            "image/png",
            big.clone(),
            false,
            false,
        ),
        (
            &[("Accept-Encoding", "gzip")],
            "text/event-stream",
            big.clone(),
            false,
            false,
        ),
        (
            &[("Accept-Encoding", "gzip")],
            "text/plain",
            js(500),
            false,
            true,
        ),
        (
            &[("Accept-Encoding", "gzip"), ("Range", "bytes=0-9")],
            "text/plain",
            big.clone(),
            false,
            true,
        ),
    ];
    for (headers, ct, body, compressed, vary) in table {
        let resp = Compression::new().apply(&req(Method::Get, headers), response(ct, body.clone()));
        let h = resp.headers();
        assert_eq!(
            h.contains("Content-Encoding"),
            *compressed,
            "{headers:?} {ct}"
        );
        assert_eq!(h.contains("Vary"), *vary, "{headers:?} {ct}");
    }
}

#[test]
fn existing_coding_range_and_no_transform_are_kept() {
    let r = req(Method::Get, &[("Accept-Encoding", "gzip")]);
    for (name, value) in [
        ("Content-Encoding", "br"),
        ("Content-Range", "bytes 0-9/100"),
        ("Cache-Control", "no-transform"),
    ] {
        let resp =
            Compression::new().apply(&r, response("text/plain", js(5000)).header(name, value));
        assert_eq!(
            resp.headers().count("Content-Encoding"),
            usize::from(name == "Content-Encoding")
        );
    }
    let not_modified = Response::new(StatusCode::NOT_MODIFIED).header("Content-Type", "text/plain");
    assert!(!Compression::new()
        .apply(&r, not_modified)
        .headers()
        .contains("Vary"));
}

#[test]
fn stream_is_compressed_in_slices() {
    let original = js(300_000);
    let pieces: Vec<io::Result<Vec<u8>>> =
        original.chunks(100_000).map(|c| Ok(c.to_vec())).collect();
    let r = req(Method::Get, &[("Accept-Encoding", "br")]);
    let resp = Response::new(StatusCode::OK)
        .header("Content-Type", "text/plain")
        .stream(pieces.into_iter());
    let resp = Compression::new().apply(&r, resp);
    let Body::Stream(s) = resp.into_parts().2 else {
        panic!("a stream stays a stream");
    };
    let out: Vec<Vec<u8>> = s.map(|p| p.expect("piece")).collect();
    // 100 KB pieces are cut into 64 KiB slices: 6 pulls and the trailer.
    assert_eq!(out.len(), 7);
    assert_eq!(decode(Coding::Brotli, &out.concat()), original);
}

#[test]
fn file_region_is_compressed_from_the_file() {
    let original = js(200_000);
    let mut f = tempfile::tempfile().expect("temp file");
    f.write_all(&original).expect("write");
    let region = FileRegion::whole(f).expect("region");
    let r = req(Method::Get, &[("Accept-Encoding", "zstd")]);
    let resp = Response::new(StatusCode::OK)
        .header("Content-Type", "application/json")
        .file(region);
    let resp = Compression::new().apply(&r, resp);
    assert_eq!(resp.headers().get_str("Content-Encoding"), Some("zstd"));
    assert_eq!(decode(Coding::Zstd, &body_bytes(resp)), original);
}

#[test]
fn head_with_length_gets_the_coding_and_no_length() {
    let r = req(Method::Head, &[("Accept-Encoding", "gzip")]);
    let resp = Response::new(StatusCode::OK)
        .header("Content-Type", "text/plain")
        .header("Content-Length", "50000");
    let resp = Compression::new().apply(&r, resp);
    assert_eq!(resp.headers().get_str("Content-Encoding"), Some("gzip"));
    assert!(!resp.headers().contains("Content-Length"));
    assert!(resp.body().len().is_none());
}

#[test]
fn variant_tags() {
    let table = [
        ("\"abc\"", Coding::Brotli, "W/\"abc-br\""),
        ("W/\"abc\"", Coding::Gzip, "W/\"abc-gzip\""),
        ("\"1-2.3-4\"", Coding::Zstd, "W/\"1-2.3-4-zstd\""),
    ];
    for (tag, coding, expect) in table {
        assert_eq!(variant_etag(tag, coding), expect);
    }
}

#[test]
fn compressible_types() {
    for t in [
        "text/html; charset=utf-8",
        "application/json",
        "application/ld+json",
        "image/svg+xml",
        "application/wasm",
        "TEXT/CSS",
    ] {
        assert!(is_compressible(t), "{t}");
    }
    for t in [
        "image/png",
        "application/octet-stream",
        "video/mp4",
        "application/zip",
        "text/event-stream",
        "",
    ] {
        assert!(!is_compressible(t), "{t}");
    }
}
