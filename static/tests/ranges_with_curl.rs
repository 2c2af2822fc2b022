//! `curl -r`: single, multiple, suffix and unsatisfiable ranges.
mod common;
use common::*;

#[test]
fn ranges_with_curl() {
    let dir = site();
    let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    write(dir.path(), "data.bin", &data);
    let server = StaticServer::start(dir.path(), &[]);
    let url = format!("{}data.bin", server.url);

    // single
    let out = curl(&["-r", "100-199", &url]);
    assert_eq!(out.stdout, &data[100..200]);
    let out = curl(&["-i", "-r", "100-199", &url]);
    let reply = parse_reply(&out.stdout);
    assert_eq!(reply.status, 206);
    assert_eq!(reply.header("Content-Range"), Some("bytes 100-199/10000"));
    assert_eq!(reply.header("Content-Length"), Some("100"));

    // open-ended and past the end (clamped)
    assert_eq!(curl(&["-r", "9990-", &url]).stdout, &data[9990..]);
    assert_eq!(curl(&["-r", "9990-20000", &url]).stdout, &data[9990..]);

    // suffix
    let out = curl(&["-i", "-r", "-10", &url]);
    let reply = parse_reply(&out.stdout);
    assert_eq!(reply.status, 206);
    assert_eq!(reply.header("Content-Range"), Some("bytes 9990-9999/10000"));
    assert_eq!(reply.body, &data[9990..]);

    // multiple: multipart/byteranges with each part in order
    let out = curl(&["-i", "-r", "0-9,5000-5009,-5", &url]);
    let reply = parse_reply(&out.stdout);
    assert_eq!(reply.status, 206);
    let ct = reply
        .header("Content-Type")
        .expect("content-type")
        .to_string();
    let boundary = ct
        .strip_prefix("multipart/byteranges; boundary=")
        .expect("multipart type");
    let body = reply.body.clone();
    let mut parts = Vec::new();
    let delimiter = format!("--{boundary}");
    let text = body.clone();
    let mut pos = 0;
    while let Some(i) = find(&text[pos..], delimiter.as_bytes()) {
        let start = pos + i + delimiter.len();
        if text[start..].starts_with(b"--") {
            break;
        }
        let head_end = start + find(&text[start..], b"\r\n\r\n").expect("part head") + 4;
        let head = String::from_utf8_lossy(&text[start..head_end]).into_owned();
        let next =
            head_end + find(&text[head_end..], delimiter.as_bytes()).expect("next delimiter");
        // The CRLF before a delimiter belongs to the delimiter.
        parts.push((head, text[head_end..next - 2].to_vec()));
        pos = next;
    }
    assert_eq!(parts.len(), 3, "{}", String::from_utf8_lossy(&body));
    assert!(parts[0].0.contains("Content-Range: bytes 0-9/10000"));
    assert_eq!(parts[0].1, &data[0..10]);
    assert!(parts[1].0.contains("Content-Range: bytes 5000-5009/10000"));
    assert_eq!(parts[1].1, &data[5000..5010]);
    assert!(parts[2].0.contains("Content-Range: bytes 9995-9999/10000"));
    assert_eq!(parts[2].1, &data[9995..]);
    assert_eq!(
        reply
            .header("Content-Length")
            .map(|v| v.parse::<usize>().ok()),
        Some(Some(body.len()))
    );

    // unsatisfiable
    let out = curl(&["-i", "-r", "20000-30000", &url]);
    let reply = parse_reply(&out.stdout);
    assert_eq!(reply.status, 416);
    assert_eq!(reply.header("Content-Range"), Some("bytes */10000"));

    // abusive sets (overlapping, or adding up past the size) get the whole file
    let out = curl(&["-i", "-r", "0-6000,5000-9999", &url]);
    let reply = parse_reply(&out.stdout);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, data);

    // an invalid Range header is ignored
    assert_eq!(curl_status(&url, &["-H", "Range: bytes=9-1"]), 200);
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
